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
use eventcore_http::response::civil_from_days as civil_date;

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
}
