//! What the example servers share (chapter 7's, and each later chapter's
//! with its own parts): the flags, a logger on stderr, and a life from the
//! start to Ctrl-C. The final crate has the full command line and logger.
//!
//! Flags: `--port N` (default 8080), `--workers N` (default: one per
//! core), `--model seed|inline` (default inline), `--threads N` (pool
//! threads per worker, default 4); a later chapter's example adds its own.
//! Warnings and errors (running out of file descriptors, a handler that
//! panicked, a worker that stopped) go to stderr.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use crate::{Config, Server, signal};

// ANCHOR: logger
/// The `log` facade's records, one line each on stderr: `[WARN] message`.
struct Stderr;

impl log::Log for Stderr {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            // One write per line, so lines from several threads don't mix;
            // nothing to do if stderr is gone.
            let line = format!("[{}] {}\n", record.level(), record.args());
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
    }

    fn flush(&self) {}
}

static LOGGER: Stderr = Stderr;
// ANCHOR_END: logger

/// A later chapter's flags: `flag` is given `value`; `None` if the flag is
/// not one of its own.
pub type ExtraFlag<S> = fn(&mut S, flag: &str, value: &str) -> Option<Result<(), String>>;

/// A number, for a flag.
pub fn number(flag: &str, value: &str) -> Result<usize, String> {
    value.parse().map_err(|e| format!("{flag}: {e}"))
}

fn parse_args<S>(config: &mut Config, state: &mut S, extra: ExtraFlag<S>) -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--port" => {
                let port = value.parse().map_err(|e| format!("--port: {e}"))?;
                config.addr = SocketAddr::from(([127, 0, 0, 1], port));
            }
            "--workers" => config.workers = number(&flag, &value)?,
            "--threads" => config.pool_threads = number(&flag, &value)?,
            "--model" => config.model = value.parse()?,
            _ => match extra(state, &flag, &value) {
                Some(result) => result?,
                None => return Err(format!("unknown option {flag}")),
            },
        }
    }
    Ok(())
}

/// Parses the command line into a `Config` (and `state`, through
/// `extra`), starts the server with `start`, serves until SIGINT or
/// SIGTERM and stops: at once if `start` gave a drain time of zero, else
/// by draining for at most that long (a second signal ends the process at
/// once, exit code 1). Exit code 2 for a bad command line.
pub fn run<S>(
    usage: &str,
    mut state: S,
    extra: ExtraFlag<S>,
    start: impl FnOnce(Config, S) -> io::Result<(Server, Duration)>,
) -> ExitCode {
    // Fails only if a logger is already installed, which this is the first to do.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(log::LevelFilter::Info);
    // Before any thread starts, so that no thread but this one sees them.
    if let Err(e) = signal::block_termination() {
        eprintln!("server: blocking signals: {e}");
        return ExitCode::FAILURE;
    }
    let mut config = Config::default();
    if let Err(e) = parse_args(&mut config, &mut state, extra) {
        eprintln!("server: {e}");
        eprintln!(
            "usage: server [--port N] [--workers N] [--model seed|inline] [--threads N]{usage}"
        );
        return ExitCode::from(2);
    }
    match raise_fd_limit() {
        Ok(limits) => log::info!("{limits}"),
        Err(e) => eprintln!("server: {e}"),
    }
    let (server, drain) = match start(config, state) {
        Ok(started) => started,
        Err(e) => {
            eprintln!("server: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "listening on http://{} ({} workers, {} model); Ctrl-C stops",
        server.local_addr(),
        server.workers(),
        server.model()
    );
    if let Err(e) = signal::wait_for_termination() {
        eprintln!("server: waiting for signals: {e}");
    }
    let stopped = if drain.is_zero() {
        server.stop()
    } else {
        println!("draining, for at most {drain:?}; a second signal stops at once");
        match drain_or_second_signal(server, drain) {
            Some(result) => result,
            None => {
                eprintln!("server: a second signal: stopping at once");
                return ExitCode::from(1);
            }
        }
    };
    match stopped {
        Ok(()) => {
            println!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every connection is an fd: raises the soft limit to the hard one
/// (chapter 1's `raise_fd_limit`) and says what they are, for the log.
/// The final crate's binary does the same.
pub fn raise_fd_limit() -> Result<String, String> {
    use eventcore_sockets::sys;
    let (soft, hard) = sys::fd_limits().map_err(|e| format!("reading the fd limit: {e}"))?;
    let now = sys::raise_fd_limit(u64::MAX).map_err(|e| format!("raising the fd limit: {e}"))?;
    Ok(format!(
        "file descriptors: soft limit {now} (was {soft}), hard limit {hard}"
    ))
}

// ANCHOR: drain
/// Drains the server (for at most `drain`) on another thread, and watches
/// for a second SIGINT or SIGTERM meanwhile: `None` if one came first,
/// which ends the process without waiting for the drain. SIGINT and SIGTERM
/// must be blocked ([`signal::block_termination`]). The final crate's
/// server drains with it too.
pub fn drain_or_second_signal(server: Server, drain: Duration) -> Option<io::Result<()>> {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(server.drain(drain));
    });
    loop {
        match finished.recv_timeout(Duration::ZERO) {
            Ok(result) => return Some(result),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Some(Err(io::Error::other("the drain thread failed")));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        // Looks again at the drain 20 times a second, only while draining.
        match signal::wait_for_termination_for(Duration::from_millis(50)) {
            Ok(Some(_)) => return None,
            Ok(None) => {}
            Err(e) => {
                eprintln!("server: waiting for signals: {e}");
                return finished.recv().ok();
            }
        }
    }
}
// ANCHOR_END: drain
