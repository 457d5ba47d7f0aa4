//! The `eventcore` binary: the demo application (`/plaintext`, `/json`,
//! `/echo`, `/users/{id}`) served with the settings of `--config FILE` and
//! the flags (`eventcore --help` lists them all, with their defaults).
//!
//! ```text
//! cargo run --release -p eventcore
//! curl -i http://127.0.0.1:8080/plaintext
//! ```
//!
//! Exit status: 0 after a drain on SIGINT or SIGTERM (and for `--help`,
//! `--version`, `--print-config`), 1 when a second signal cut the drain
//! short or the server failed, 2 for a bad command line or configuration.

use std::process::ExitCode;

use eventcore::cli::{self, Refused};
use eventcore::logger::Logger;
use eventcore::settings::Settings;
use eventcore::{Builder, Running, access, panic, supervisor};
use eventcore_workers::{demo, example, signal};

// ANCHOR: main
fn main() -> ExitCode {
    let cli = match cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        // Prints help or version (exit 0), or the usage error (exit 2).
        Err(Refused::Usage(e)) => e.exit(),
        Err(Refused::Setting(e)) => {
            eprintln!("eventcore: {e}");
            return ExitCode::from(2);
        }
    };
    let settings = cli.settings;
    if cli.print_config {
        print!("{}", settings.to_toml());
        return ExitCode::SUCCESS;
    }
    // The seed's order: signals, resource limits, logger, then sockets.
    // Signals first: blocked before any thread starts, none is interrupted.
    if let Err(e) = signal::block_termination() {
        eprintln!("eventcore: blocking SIGINT and SIGTERM: {e}");
        return ExitCode::FAILURE;
    }
    let limits = example::raise_fd_limit();
    let logger = match Logger::new(settings.log_level, &settings.log_file) {
        Ok(logger) => logger,
        Err(e) => {
            eprintln!("eventcore: {e}");
            return ExitCode::from(2);
        }
    };
    // The access log's file too, before anything starts.
    if !matches!(settings.access_log.as_str(), "" | "-") {
        if let Err(e) = access::open_file(&settings.access_log) {
            eprintln!("eventcore: {e}");
            return ExitCode::from(2);
        }
    }
    // Fails only if a logger is installed already; this is the first.
    let _ = logger.install();
    panic::install();
    log::info!("eventcore {}", env!("CARGO_PKG_VERSION"));
    match limits {
        Ok(limits) => log::info!("{limits}"),
        Err(e) => log::warn!("{e}"),
    }
    if settings.read_buffer_size != Settings::default().read_buffer_size {
        log::warn!("read_buffer_size has no effect: buffers grow as requests need");
    }
    if settings.processes > 1 {
        return match supervisor::run(&settings) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                log::error!("supervisor: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Err(e) = supervisor::watch_supervisor() {
        log::error!("{e}");
        return ExitCode::FAILURE;
    }
    let served = Builder::with_router(demo::routes())
        .settings(settings)
        .start()
        .and_then(Running::run);
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e}");
            ExitCode::FAILURE
        }
    }
}
// ANCHOR_END: main
