//! The access log: one line per response, in the Common or the Combined
//! Log Format, to a file or to stdout. Off unless `access_log` is set.
//!
//! ```text
//! 127.0.0.1 - - [03/Dec/2026:07:45:22 +0000] "GET /plaintext HTTP/1.1" 200 13 "-" "curl/8.5.0"
//! ```
//!
//! It is chapter 7's [`Observer`]: each worker appends its lines to a
//! buffer of its own (pool threads to their worker's), so workers never
//! wait for each other or for the disk on a request. A buffer is written
//! out when it holds [`FLUSH_BYTES`], and by a flusher thread every
//! [`FLUSH_EVERY`], so a quiet server's lines still appear within a
//! second; the last ones when the log is dropped. Each write ends at a line
//! and is at most `PIPE_BUF` bytes, so that lines from several workers (or
//! from several processes on one pipe) never interleave.
//!
//! Nothing a client sends can break a line: the request line, Referer and
//! User-Agent are written with `"`, `\`, control and non-ASCII bytes as
//! `\xHH`, as nginx does.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::net::IpAddr;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use eventcore_http::Version;
use eventcore_http::response::{self, civil_from_days};
use eventcore_workers::{Exchange, Observer};
use serde::{Deserialize, Serialize};

/// A worker's buffer is written out once it holds this much.
pub const FLUSH_BYTES: usize = 32 * 1024;
/// And at least this often, by the flusher thread.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// The most one write(2) carries: a write to a pipe of at most `PIPE_BUF`
/// bytes is atomic (POSIX), so lines never interleave with another writer's.
const WRITE_MAX: usize = libc::PIPE_BUF;

/// Which line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `host ident user [time] "request" status bytes`
    Common,
    /// Common, then `"referer" "user-agent"`: what nginx writes by default.
    Combined,
}

/// Where the lines go.
#[derive(Debug)]
enum Sink {
    Stdout,
    File(File),
}

/// One worker's lines not yet written, the time field of the second they
/// are in, and the addresses of its recent connections.
#[derive(Debug, Default)]
struct Lines {
    bytes: Vec<u8>,
    second: u64,
    stamp: Vec<u8>,
    peers: Peers,
}

/// Connections' addresses by token, direct-mapped: a connection's next
/// request finds its address here instead of asking the kernel again (a
/// `getpeername` per line cost more than the rest of the line:
/// bench/final.sh). A token is never reused within a worker, so an entry
/// is never wrong, only gone when another connection's token maps to its
/// place.
#[derive(Debug, Default)]
struct Peers(Vec<Option<(u64, IpAddr)>>);

/// Entries per worker: tokens are slot numbers in their low bits, so the
/// first 1,024 connections of a worker never evict each other.
const PEERS: usize = 1024;

impl Peers {
    fn get(&mut self, exchange: &Exchange<'_>) -> Option<IpAddr> {
        let asked = || exchange.socket.peer_addr().ok().map(|a| a.ip());
        let Some(token) = exchange.connection.map(|t| t.0) else {
            return asked();
        };
        if self.0.is_empty() {
            self.0.resize(PEERS, None);
        }
        let entry = &mut self.0[token as usize % PEERS];
        match *entry {
            Some((known, ip)) if known == token => Some(ip),
            _ => {
                let ip = asked()?;
                *entry = Some((token, ip));
                Some(ip)
            }
        }
    }
}

/// Padded to two cache lines: one worker's lock never shares a line with
/// another's.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Slot(Mutex<Lines>);

/// The access log; see the module docs.
#[derive(Debug)]
pub struct AccessLog {
    format: Format,
    sink: Mutex<Sink>,
    workers: Box<[Slot]>,
    /// Dropped with the log: the flusher sees its channel close and ends.
    _stop: Mutex<Sender<()>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AccessLog {
    /// A log to `target` (`-` for stdout, else a file appended to) for
    /// `workers` workers, with its flusher thread.
    pub fn open(target: &str, format: Format, workers: usize) -> io::Result<Arc<AccessLog>> {
        let sink = match target {
            "-" => Sink::Stdout,
            path => Sink::File(open_file(path)?),
        };
        let (stop, stopped) = mpsc::channel::<()>();
        let log = Arc::new(AccessLog {
            format,
            sink: Mutex::new(sink),
            workers: (0..workers.max(1)).map(|_| Slot::default()).collect(),
            _stop: Mutex::new(stop),
        });
        let weak: Weak<AccessLog> = Arc::downgrade(&log);
        std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(FLUSH_EVERY) {
                    match weak.upgrade() {
                        Some(log) => log.flush(),
                        None => return,
                    }
                }
            })?;
        Ok(log)
    }

    /// Writes out every worker's buffered lines.
    pub fn flush(&self) {
        for slot in self.workers.iter() {
            let bytes = std::mem::take(&mut lock(&slot.0).bytes);
            self.write(&bytes);
        }
    }

    /// Writes `bytes` (whole lines) in writes that each end at a line.
    fn write(&self, mut bytes: &[u8]) {
        let mut sink = lock(&self.sink);
        while !bytes.is_empty() {
            let end = if bytes.len() <= WRITE_MAX {
                bytes.len()
            } else {
                // A line longer than WRITE_MAX goes out whole, in one write.
                bytes[..WRITE_MAX]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or_else(|| line_end(bytes), |i| i + 1)
            };
            let written = match &mut *sink {
                Sink::Stdout => io::stdout().lock().write_all(&bytes[..end]),
                Sink::File(file) => file.write_all(&bytes[..end]),
            };
            // A full disk or a closed stdout loses lines, never requests.
            if written.is_err() {
                return;
            }
            bytes = &bytes[end..];
        }
    }
}

/// The access log's file, opened to append (created if need be). A file
/// that cannot be opened is a setting that cannot be used.
pub fn open_file(path: &str) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("access_log {path}: {e}"),
            )
        })
}

fn line_end(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1)
}

impl Drop for AccessLog {
    fn drop(&mut self) {
        self.flush();
    }
}

// ANCHOR: answered
impl Observer for AccessLog {
    fn answered(&self, exchange: &Exchange<'_>) {
        let slot = &self.workers[exchange.worker % self.workers.len()];
        let full = {
            let mut lines = lock(&slot.0);
            let lines = &mut *lines;
            let peer = lines.peers.get(exchange);
            write_line(lines, peer, self.format, exchange);
            if lines.bytes.len() < FLUSH_BYTES {
                return;
            }
            // One allocation per buffer's worth, not a doubling series.
            std::mem::replace(&mut lines.bytes, Vec::with_capacity(2 * FLUSH_BYTES))
        };
        // Outside the worker's lock: its pool threads may go on logging.
        self.write(&full);
    }
}
// ANCHOR_END: answered

/// Appends `exchange`'s line, from a client at `peer`, to `lines`; its
/// time field is remade when the clock has moved on to another second.
fn write_line(lines: &mut Lines, peer: Option<IpAddr>, format: Format, exchange: &Exchange<'_>) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if now != lines.second || lines.stamp.is_empty() {
        lines.second = now;
        lines.stamp.clear();
        lines.stamp.extend_from_slice(clf_time(now).as_bytes());
    }
    let out = &mut lines.bytes;
    // The connection stores no address (for a log that is usually off):
    // it comes from getpeername, through the cache.
    match peer {
        Some(IpAddr::V4(ip)) => {
            for (i, octet) in ip.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push(b'.');
                }
                decimal(out, u64::from(octet));
            }
        }
        Some(ip) => {
            let _ = write!(out, "{ip}");
        }
        None => out.push(b'-'),
    }
    out.extend_from_slice(b" - - ");
    out.extend_from_slice(&lines.stamp);
    out.extend_from_slice(b" \"");
    match exchange.request {
        Some(request) => {
            escaped(out, request.method().as_bytes());
            out.push(b' ');
            escaped(out, request.target());
            out.extend_from_slice(match request.version() {
                Version::Http10 => b" HTTP/1.0",
                Version::Http11 => b" HTTP/1.1",
            });
        }
        None => out.push(b'-'),
    }
    out.extend_from_slice(b"\" ");
    decimal(out, u64::from(exchange.status));
    out.push(b' ');
    // CLF writes no body as `-`.
    match exchange.body_bytes {
        0 => out.push(b'-'),
        n => decimal(out, n as u64),
    }
    if format == Format::Combined {
        for name in ["referer", "user-agent"] {
            out.extend_from_slice(b" \"");
            match exchange.request.and_then(|r| r.header(name)) {
                Some(value) => escaped(out, value),
                None => out.push(b'-'),
            }
            out.push(b'"');
        }
    }
    out.push(b'\n');
}

/// `[03/Dec/2026:07:45:22 +0000]` for `secs` since 1970 (UTC).
fn clf_time(secs: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day) = civil_from_days(secs / 86_400);
    let time = secs % 86_400;
    format!(
        "[{day:02}/{}/{year:04}:{:02}:{:02}:{:02} +0000]",
        MONTHS[(month as usize).saturating_sub(1) % 12],
        time / 3600,
        time / 60 % 60,
        time % 60
    )
}

/// `n` in decimal. A log line has three numbers; `core::fmt` would cost
/// more than all the rest of the line (measured: bench/final.sh).
fn decimal(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(response::decimal(n, &mut [0; 20]));
}

fn plain(b: u8) -> bool {
    b != b'"' && b != b'\\' && (0x20..0x7f).contains(&b)
}

/// `bytes` with `"`, `\`, control and non-ASCII bytes as `\xHH`.
fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    // Almost every field needs no escape: copy it whole.
    if bytes.iter().all(|&b| plain(b)) {
        return out.extend_from_slice(bytes);
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if plain(b) {
            out.push(b);
        } else {
            out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventcore_sockets::Socket;
    use eventcore_workers::Token;

    #[test]
    fn times_are_clf() {
        assert_eq!(clf_time(0), "[01/Jan/1970:00:00:00 +0000]");
        assert_eq!(clf_time(1_709_251_199), "[29/Feb/2024:23:59:59 +0000]");
        assert_eq!(clf_time(1_798_761_599), "[31/Dec/2026:23:59:59 +0000]");
    }

    /// The server's end of a connection from a client on `host`.
    fn accepted(host: &str) -> Socket {
        let listener = std::net::TcpListener::bind((host, 0)).unwrap();
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        Socket::from(std::os::fd::OwnedFd::from(server))
    }

    #[test]
    fn a_cached_address_belongs_to_its_own_connection_only() {
        let (v4, v6) = (accepted("127.0.0.1"), accepted("::1"));
        let exchange = |socket, token| Exchange {
            worker: 0,
            connection: token,
            socket,
            request: None,
            status: 200,
            body_bytes: 0,
        };
        let mut peers = Peers::default();
        let first = Some(Token::slot(5, 0));
        // The slot's next connection has another generation, and the same place.
        let next = Some(Token::slot(5, 1));
        assert_eq!(
            peers.get(&exchange(&v4, first)),
            Some([127, 0, 0, 1].into())
        );
        assert_eq!(
            peers.get(&exchange(&v6, next)),
            Some(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]))
        );
        // Cached now: a socket that says otherwise is not asked.
        assert_eq!(
            peers.get(&exchange(&v4, next)),
            Some(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]))
        );
        assert_eq!(peers.get(&exchange(&v4, None)), Some([127, 0, 0, 1].into()));
    }

    #[test]
    fn numbers_are_decimal() {
        for n in [0, 7, 10, 404, 65_535, u64::MAX] {
            let mut out = Vec::new();
            decimal(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }

    #[test]
    fn nothing_a_client_sends_breaks_a_line_or_a_field() {
        let mut out = Vec::new();
        escaped(&mut out, b"a\"b\\c\r\n\x1b\xff ok");
        assert_eq!(out, b"a\\x22b\\x5Cc\\x0D\\x0A\\x1B\\xFF ok");
    }
}
