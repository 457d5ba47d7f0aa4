//! Everything an operator can set: the seed's `Config` (its 17 fields,
//! under the seed's names) and what chapters 7 to 9 added, in one flat
//! struct that a TOML file and the command line both fill.
//!
//! Both go through one door: a file is a TOML table, the flags become
//! another (`--port 9000` is `port = 9000`), the second laid over the
//! first, and the result is deserialized once into [`Settings`] and
//! checked by [`Settings::check`]. So a bad value gets the same message
//! whichever way it came, and nothing starts half-configured.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use eventcore_http::Limits;
use eventcore_pooling::Pooling;
use eventcore_timeouts::{Timed, Timeouts};
use eventcore_workers::{Config, Model, Retain};
use serde::{Deserialize, Serialize};

use crate::access::Format;

// ANCHOR: settings
/// The server's settings, with the defaults of [`Settings::default`].
/// Durations are in seconds (fractions allowed: `0.25`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    // The seed's 17, under its names.
    pub host: IpAddr,
    pub port: u16,
    pub backlog: i32,
    pub num_workers: usize,
    pub num_threads_per_worker: usize,
    pub max_connections: usize,
    pub connection_pool_size: usize,
    pub max_request_size: u64,
    pub keepalive_timeout_sec: f64,
    pub read_buffer_size: usize,
    pub write_buffer_size: usize,
    pub tcp_nodelay: bool,
    pub tcp_reuseaddr: bool,
    pub tcp_reuseport: bool,
    pub accept_batch_size: usize,
    pub log_file: String,
    pub log_level: Level,
    // Chapter 7: where handlers run, the pool's queue, the parser's limits.
    #[serde(with = "model_name")]
    pub model: Model,
    pub pool_queue: usize,
    pub max_request_line: usize,
    pub max_head_size: usize,
    pub max_headers: usize,
    // Chapter 8: the pool of working memory.
    pub pool_bytes: usize,
    // Chapter 9: the other deadlines, and the drain.
    pub head_timeout_sec: f64,
    pub body_timeout_sec: f64,
    pub write_timeout_sec: f64,
    pub linger_timeout_sec: f64,
    pub drain_timeout_sec: f64,
    // The final server's own: access log, status endpoint, processes.
    pub access_log: String,
    pub access_log_format: Format,
    pub status_path: String,
    pub processes: usize,
    // Static files.
    pub root: String,
    pub list_directories: bool,
}
// ANCHOR_END: settings

/// The seed's log levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn filter(self) -> log::LevelFilter {
        match self {
            Level::Debug => log::LevelFilter::Debug,
            Level::Info => log::LevelFilter::Info,
            Level::Warn => log::LevelFilter::Warn,
            Level::Error => log::LevelFilter::Error,
        }
    }
}

// ANCHOR: defaults
impl Default for Settings {
    fn default() -> Settings {
        let limits = Limits::default();
        let timeouts = Timeouts::default();
        let config = Config::default();
        Settings {
            // Not the seed's 0.0.0.0: a server reachable from other machines
            // is something to ask for, not to get by default.
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            backlog: config.backlog,
            num_workers: 0,
            num_threads_per_worker: config.pool_threads,
            // The seed's 100,000; a process may open fewer fds on many
            // machines (20,000 on ours), and then the fd limit is the limit.
            max_connections: 100_000,
            // Not the seed's 100,000: chapter 8 measured that growing the
            // table on demand costs nothing.
            connection_pool_size: 0,
            max_request_size: limits.body,
            keepalive_timeout_sec: timeouts.idle.as_secs_f64(),
            read_buffer_size: 4096,
            // The seed's 4096 would stop reading a pipelining client after
            // a few responses; chapter 7's high-water mark is 64 KiB.
            write_buffer_size: config.high_water,
            tcp_nodelay: true,
            tcp_reuseaddr: true,
            tcp_reuseport: true,
            accept_batch_size: config.accept_batch,
            log_file: String::new(),
            log_level: Level::Info,
            model: Model::Inline,
            pool_queue: config.pool_queue,
            max_request_line: limits.request_line,
            max_head_size: limits.head,
            max_headers: limits.headers,
            pool_bytes: Pooling::default().pool_bytes,
            head_timeout_sec: timeouts.head.as_secs_f64(),
            body_timeout_sec: timeouts.body.as_secs_f64(),
            write_timeout_sec: timeouts.write.as_secs_f64(),
            linger_timeout_sec: timeouts.linger.as_secs_f64(),
            drain_timeout_sec: 10.0,
            access_log: String::new(),
            access_log_format: Format::Combined,
            status_path: String::new(),
            processes: 1,
            root: String::new(),
            list_directories: false,
        }
    }
}
// ANCHOR_END: defaults

/// A setting that cannot be used: which one, and why. Displayed as one
/// line: `port: invalid type: string "x", expected u16`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// The key (`port`), or where the problem is when no key is to blame
    /// (a file that is not TOML).
    pub key: String,
    pub problem: String,
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.problem)
    }
}

impl std::error::Error for SettingError {}

fn error(key: &str, problem: impl Into<String>) -> SettingError {
    SettingError {
        key: key.to_string(),
        problem: problem.into(),
    }
}

/// What TOML type a setting's flag text is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    Switch,
}

// ANCHOR: keys
/// Every key, its kind and what it does: the one list the command line,
/// `--help` and the book's table are made from (a test checks it against
/// the struct).
pub const KEYS: &[(&str, Kind, &str)] = &[
    ("host", Kind::Text, "address to listen on"),
    ("port", Kind::Number, "port to listen on (0: any free port)"),
    ("backlog", Kind::Number, "listen queue length"),
    (
        "num_workers",
        Kind::Number,
        "event-loop threads (0: one per core)",
    ),
    (
        "num_threads_per_worker",
        Kind::Number,
        "pool threads per worker",
    ),
    (
        "max_connections",
        Kind::Number,
        "open connections at most, over all workers",
    ),
    (
        "connection_pool_size",
        Kind::Number,
        "connection slots allocated at start, over all workers",
    ),
    (
        "max_request_size",
        Kind::Number,
        "largest request body in bytes (413 beyond)",
    ),
    (
        "keepalive_timeout_sec",
        Kind::Number,
        "idle keep-alive connection closed after this",
    ),
    (
        "read_buffer_size",
        Kind::Number,
        "accepted for the seed's configs; buffers grow as requests need",
    ),
    (
        "write_buffer_size",
        Kind::Number,
        "pending response bytes above which a connection is not read",
    ),
    (
        "tcp_nodelay",
        Kind::Switch,
        "TCP_NODELAY on every connection",
    ),
    (
        "tcp_reuseaddr",
        Kind::Switch,
        "SO_REUSEADDR on the listener",
    ),
    (
        "tcp_reuseport",
        Kind::Switch,
        "SO_REUSEPORT on the seed model's listener",
    ),
    (
        "accept_batch_size",
        Kind::Number,
        "connections accepted per readiness event",
    ),
    (
        "log_file",
        Kind::Text,
        "also log to this file (empty: stderr only)",
    ),
    ("log_level", Kind::Text, "debug, info, warn or error"),
    (
        "model",
        Kind::Text,
        "inline (handlers on the loop) or seed (every request on the pool)",
    ),
    (
        "pool_queue",
        Kind::Number,
        "requests waiting for a pool thread, per worker (503 beyond)",
    ),
    (
        "max_request_line",
        Kind::Number,
        "longest request line in bytes (414 beyond)",
    ),
    (
        "max_head_size",
        Kind::Number,
        "largest request head in bytes (431 beyond)",
    ),
    (
        "max_headers",
        Kind::Number,
        "most header fields (431 beyond)",
    ),
    (
        "pool_bytes",
        Kind::Number,
        "working memory each worker keeps for reuse, in bytes",
    ),
    (
        "head_timeout_sec",
        Kind::Number,
        "a request head must arrive within this from its first byte (408)",
    ),
    (
        "body_timeout_sec",
        Kind::Number,
        "a body must move within this (408)",
    ),
    (
        "write_timeout_sec",
        Kind::Number,
        "a write that makes no progress for this long closes the connection",
    ),
    (
        "linger_timeout_sec",
        Kind::Number,
        "the lingering close after an error lasts at most this",
    ),
    (
        "drain_timeout_sec",
        Kind::Number,
        "on SIGTERM, busy connections get this long to finish",
    ),
    (
        "access_log",
        Kind::Text,
        "one line per response to this file, or - for stdout (empty: off)",
    ),
    ("access_log_format", Kind::Text, "combined or common"),
    (
        "status_path",
        Kind::Text,
        "serve Prometheus counters at this path, e.g. /status (empty: off)",
    ),
    (
        "processes",
        Kind::Number,
        "server processes sharing the port through SO_REUSEPORT, supervised",
    ),
    (
        "root",
        Kind::Text,
        "serve the files in this directory at / (empty: off); routes win",
    ),
    (
        "list_directories",
        Kind::Switch,
        "list a directory under root that has no index.html",
    ),
];
// ANCHOR_END: keys

impl Settings {
    /// The settings `table` gives, the others at their defaults; an error
    /// names the first key that is unknown or has a bad value.
    pub fn from_table(table: toml::Table) -> Result<Settings, SettingError> {
        // One key at a time, so that the error can say which.
        for (key, value) in &table {
            let one = toml::Table::from_iter([(key.clone(), value.clone())]);
            if let Err(e) = toml::Value::Table(one).try_into::<Settings>() {
                let message = first_line(e.message());
                return Err(match message.strip_prefix("unknown field `") {
                    Some(_) => error(key, "unknown key"),
                    None => error(key, message),
                });
            }
        }
        let settings: Settings = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| error("settings", first_line(e.message())))?;
        settings.check()?;
        Ok(settings)
    }

    /// A TOML file's table (`-`: standard input, which is how a supervisor
    /// hands its processes their settings). Its keys are not checked yet
    /// (`from_table` does that); what is not TOML at all is an error naming
    /// the line.
    pub fn read_file(path: &Path) -> Result<toml::Table, SettingError> {
        let name = path.display().to_string();
        let text = if path == Path::new("-") {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(path)
        }
        .map_err(|e| error(&name, format!("cannot read the config file: {e}")))?;
        toml::from_str(&text).map_err(|e: toml::de::Error| {
            let line = e.span().map_or(0, |span| {
                text[..span.start.min(text.len())].matches('\n').count() + 1
            });
            error(&format!("{name}: line {line}"), first_line(e.message()))
        })
    }

    /// What no type can say: ranges, and settings that contradict.
    pub fn check(&self) -> Result<(), SettingError> {
        let positive = [
            ("num_threads_per_worker", self.num_threads_per_worker),
            ("max_connections", self.max_connections),
            ("write_buffer_size", self.write_buffer_size),
            ("accept_batch_size", self.accept_batch_size),
            ("pool_queue", self.pool_queue),
        ];
        for (key, value) in positive {
            if value == 0 {
                return Err(error(key, "must be at least 1"));
            }
        }
        if self.processes == 0 || self.processes > MAX_PROCESSES {
            return Err(error(
                "processes",
                format!("must be from 1 to {MAX_PROCESSES}"),
            ));
        }
        if !self.status_path.is_empty() && !self.status_path.starts_with('/') {
            return Err(error("status_path", "must start with /"));
        }
        if !self.root.is_empty() && !Path::new(&self.root).is_dir() {
            return Err(error("root", format!("{}: not a directory", self.root)));
        }
        if self.backlog < 1 {
            return Err(error("backlog", "must be at least 1"));
        }
        for (key, value) in self.timeouts_sec() {
            seconds(key, value)?;
        }
        if (self.model == Model::Inline || self.processes > 1) && !self.tcp_reuseport {
            return Err(error(
                "tcp_reuseport",
                "the inline model and several processes need it: they share the port through SO_REUSEPORT",
            ));
        }
        Ok(())
    }

    fn timeouts_sec(&self) -> [(&'static str, f64); 6] {
        [
            ("keepalive_timeout_sec", self.keepalive_timeout_sec),
            ("head_timeout_sec", self.head_timeout_sec),
            ("body_timeout_sec", self.body_timeout_sec),
            ("write_timeout_sec", self.write_timeout_sec),
            ("linger_timeout_sec", self.linger_timeout_sec),
            ("drain_timeout_sec", self.drain_timeout_sec),
        ]
    }

    /// The address to listen on.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }

    // ANCHOR: compose
    /// Chapter 7's `Config`, chapters 8 and 9's parts, and the drain's
    /// deadline, for these settings once [`check`](Settings::check) passes.
    pub fn compose(&self) -> Result<(Config, Timed, Duration), SettingError> {
        self.check()?;
        let [idle, head, body, write, linger, drain] =
            self.timeouts_sec().map(|(key, value)| seconds(key, value));
        let workers = match self.num_workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let config = Config {
            addr: self.addr(),
            workers,
            model: self.model,
            pool_threads: self.num_threads_per_worker,
            pool_queue: self.pool_queue,
            accept_batch: self.accept_batch_size,
            backlog: self.backlog,
            high_water: self.write_buffer_size,
            limits: Limits {
                request_line: self.max_request_line,
                head: self.max_head_size,
                headers: self.max_headers,
                body: self.max_request_size,
            },
            // The pool keeps idle connections' memory (chapter 8).
            retain: Retain::Nothing,
            nodelay: self.tcp_nodelay,
            reuseaddr: self.tcp_reuseaddr,
            reuseport: self.tcp_reuseport,
        };
        let parts = Timed {
            pooling: Pooling {
                // The seed's two are for the whole server; ours per worker.
                slots: self.connection_pool_size.div_ceil(workers),
                max_connections: self.max_connections.div_ceil(workers),
                pool_bytes: self.pool_bytes,
                ..Pooling::default()
            },
            timeouts: Timeouts {
                idle: idle?,
                head: head?,
                body: body?,
                write: write?,
                linger: linger?,
            },
        };
        Ok((config, parts, drain?))
    }
    // ANCHOR_END: compose

    /// The settings as a TOML file would give them.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot show the settings: {e}\n"))
    }
}

/// More processes than this is a typo, not a plan.
const MAX_PROCESSES: usize = 1024;

/// A duration setting: more than 0 seconds and at most a century.
fn seconds(key: &str, value: f64) -> Result<Duration, SettingError> {
    const CENTURY: f64 = 100.0 * 365.25 * 86_400.0;
    if !(value > 0.0 && value <= CENTURY) {
        return Err(error(
            key,
            format!("{value} is not between 0 and 100 years of seconds (0 excluded)"),
        ));
    }
    Ok(Duration::from_secs_f64(value))
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("invalid")
        .trim()
        .to_string()
}

/// `Model` in a TOML file: `"inline"` or `"seed"`.
mod model_name {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(model: &Model, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(model)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Model, D::Error> {
        let name = String::deserialize(d)?;
        Model::from_str(&name).map_err(serde::de::Error::custom)
    }
}
