//! The demo application on 127.0.0.1, as the server stands after chapter 9:
//! chapter 7's server with chapter 8's pooling and this chapter's
//! timeouts; SIGINT or SIGTERM drains it.
//!
//! ```text
//! cargo run --release -p ch09-timeouts --bin timed -- --port 8080 --head-timeout-ms 2000
//! curl -i http://127.0.0.1:8080/plaintext
//! ```
//!
//! Chapter 7's and chapter 8's options, the timeouts in milliseconds
//! (`--idle-timeout-ms`, `--head-timeout-ms`, `--body-timeout-ms`,
//! `--write-timeout-ms`, `--linger-timeout-ms`), and `--drain-ms N`: on the
//! first SIGINT or SIGTERM the server stops accepting, closes its idle
//! connections and lets the others finish their requests, for at most N
//! ms (default 10,000); a second signal ends it at once (exit code 1).
//! It is a binary, not an example, so that its tests can start it and send
//! it signals.

use std::process::ExitCode;
use std::time::Duration;

use eventcore_pooling::Pooling;
use eventcore_timeouts::deadlines::millis;
use eventcore_timeouts::{Timed, Timeouts};
use eventcore_workers::{Config, Retain, Server, demo, example};

// ANCHOR: main
/// The parts, and how long a drain may take.
struct Settings {
    parts: Timed,
    drain: Duration,
}

fn flag(settings: &mut Settings, flag: &str, value: &str) -> Option<Result<(), String>> {
    if flag == "--drain-ms" {
        return Some(millis(flag, value).map(|d| settings.drain = d));
    }
    let parts = &mut settings.parts;
    parts
        .pooling
        .flag(flag, value)
        .or_else(|| parts.timeouts.flag(flag, value))
}

fn main() -> ExitCode {
    let usage = format!("{}{} [--drain-ms N]", Pooling::USAGE, Timeouts::USAGE);
    let settings = Settings {
        parts: Timed::default(),
        drain: Duration::from_secs(10),
    };
    example::run(&usage, settings, flag, |config, settings| {
        let config = Config {
            retain: Retain::Nothing,
            ..config
        };
        let server = Server::start_with(config, demo::app(), settings.parts)?;
        Ok((server, settings.drain))
    })
}
// ANCHOR_END: main
