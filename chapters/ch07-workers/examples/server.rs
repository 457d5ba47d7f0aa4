//! The demo application on 127.0.0.1, as the server stands after chapter 7.
//!
//! ```text
//! cargo run --release -p ch07-workers --example server -- --port 8080 --workers 2 --model inline
//! curl -i http://127.0.0.1:8080/plaintext
//! ```
//!
//! Options: `--port N` (default 8080), `--workers N` (default: one per
//! core), `--model seed|inline` (default inline), `--threads N` (pool
//! threads per worker, default 4). Ctrl-C stops it.
//!
//! Warnings and errors (running out of file descriptors, a handler that
//! panicked, a worker that stopped) go to stderr through a small logger;
//! the final crate has the full one.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use eventcore_workers::{Config, Server, demo, signal};

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

fn parse_args(config: &mut Config) -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || value.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--port" => {
                let port = value.parse().map_err(|e| format!("--port: {e}"))?;
                config.addr = SocketAddr::from(([127, 0, 0, 1], port));
            }
            "--workers" => config.workers = number()?,
            "--threads" => config.pool_threads = number()?,
            "--model" => config.model = value.parse()?,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    // Fails only if a logger is already installed, which this is the first to do.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(log::LevelFilter::Info);
    // Before any thread starts, so that no thread but this one sees them.
    if let Err(e) = signal::block_termination() {
        eprintln!("server: blocking signals: {e}");
        return ExitCode::FAILURE;
    }
    let mut config = Config::default();
    if let Err(e) = parse_args(&mut config) {
        eprintln!("server: {e}");
        eprintln!("usage: server [--port N] [--workers N] [--model seed|inline] [--threads N]");
        return ExitCode::from(2);
    }
    // Every connection is an fd: take all the kernel allows (chapter 1).
    if let Err(e) = eventcore_sockets::sys::raise_fd_limit(u64::MAX) {
        eprintln!("server: raising the fd limit: {e}");
    }
    let server = match Server::start(config, demo::app()) {
        Ok(server) => server,
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
    match signal::wait_for_termination() {
        Ok(_) => {}
        Err(e) => eprintln!("server: waiting for signals: {e}"),
    }
    match server.stop() {
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
