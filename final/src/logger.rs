//! The seed's Logger behind the `log` facade: levels debug, info, warn and
//! error; every line on stderr and, if a file is set, appended to it; the
//! seed's line format `2026-12-02 19:04:16 [INFO] message`, in UTC (a
//! server should not need a time-zone database to log).
//!
//! Every record is one line, whatever is in it: control characters (a
//! newline in a panic message, an escape sequence) are written escaped, so
//! no text from a client or a handler can forge a line or drive a terminal.
//! A record is formatted once and written with one `write` per sink, so
//! lines from several threads never interleave.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::settings::Level;

/// The process's logger: see the module docs.
#[derive(Debug)]
pub struct Logger {
    level: log::LevelFilter,
    file: Option<Mutex<File>>,
}

impl Logger {
    /// A logger at `level`, also appending to `file` if it is not empty.
    pub fn new(level: Level, file: &str) -> io::Result<Logger> {
        let file = if file.is_empty() {
            None
        } else {
            let opened = OpenOptions::new()
                .create(true)
                .append(true)
                .open(Path::new(file));
            Some(Mutex::new(opened.map_err(|e| {
                io::Error::new(e.kind(), format!("log_file {file}: {e}"))
            })?))
        };
        Ok(Logger {
            level: level.filter(),
            file,
        })
    }

    /// Makes it the `log` facade's logger; an error if one is set already.
    pub fn install(self) -> Result<(), log::SetLoggerError> {
        let level = self.level;
        // The logger lives as long as the process, as `log` requires.
        log::set_logger(Box::leak(Box::new(self)))?;
        log::set_max_level(level);
        Ok(())
    }
}

// ANCHOR: line
/// `2026-12-02 19:04:16 [INFO] message\n`, with `message`'s control
/// characters escaped.
pub fn line(now: SystemTime, level: log::Level, message: &str) -> String {
    let mut out = String::with_capacity(32 + message.len());
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_date(secs / 86_400);
    let time = secs % 86_400;
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} [{level}] ",
        time / 3600,
        time / 60 % 60,
        time % 60
    );
    for c in message.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    out
}
// ANCHOR_END: line

/// Year, month, day of the day `days` after 1970-01-01 (the proleptic
/// Gregorian calendar, by the usual era arithmetic: 400-year eras of
/// 146,097 days, years counted from March so that leap days come last).
fn civil_date(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let text = line(
            SystemTime::now(),
            record.level(),
            &record.args().to_string(),
        );
        // Nothing to do if stderr or the file is gone.
        let _ = io::stderr().write_all(text.as_bytes());
        if let Some(file) = &self.file {
            if let Ok(mut file) = file.lock() {
                let _ = file.write_all(text.as_bytes());
            }
        }
    }

    fn flush(&self) {
        if let Some(file) = &self.file {
            if let Ok(mut file) = file.lock() {
                let _ = file.flush();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn lines_have_the_seeds_format_in_utc() {
        assert_eq!(
            line(at(0), log::Level::Info, "Server started on port 8080"),
            "1970-01-01 00:00:00 [INFO] Server started on port 8080\n"
        );
        // 2024-02-29 (a leap day) 23:59:59, and 2100-03-01 (2100 is no leap year).
        assert_eq!(
            line(at(1_709_251_199), log::Level::Warn, "x"),
            "2024-02-29 23:59:59 [WARN] x\n"
        );
        assert_eq!(
            &line(at(4_107_542_400), log::Level::Error, "")[..19],
            "2100-03-01 00:00:00"
        );
    }

    #[test]
    fn control_characters_cannot_forge_a_line() {
        let text = line(
            at(0),
            log::Level::Error,
            "a\n1970-01-01 00:00:00 [INFO] forged\r\x1b[2J",
        );
        assert_eq!(text.matches('\n').count(), 1);
        assert!(text.ends_with("a\\n1970-01-01 00:00:00 [INFO] forged\\r\\u{1b}[2J\n"));
    }

    #[test]
    fn every_day_from_1970_to_2400_follows_the_one_before() {
        let mut last = (1969, 12, 31);
        for days in 0..(430 * 366) {
            let date = civil_date(days);
            let (y, m, d) = last;
            let next_day = (y, m, d + 1);
            let next_month = (y, m + 1, 1);
            let next_year = (y + 1, 1, 1);
            assert!(
                date == next_day
                    || (date == next_month && d >= 28)
                    || (date == next_year && m == 12 && d == 31),
                "{days}: {date:?} after {last:?}"
            );
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            if date == next_month || date == next_year {
                let days_in = [
                    31,
                    if leap { 29 } else { 28 },
                    31,
                    30,
                    31,
                    30,
                    31,
                    31,
                    30,
                    31,
                    30,
                    31,
                ];
                assert_eq!(
                    d,
                    days_in[(m - 1) as usize],
                    "{last:?} is not the month's last day"
                );
            }
            last = date;
        }
    }
}
