//! The chapter's event loop as a program: an echo server for many clients
//! on one thread.
//!
//! ```text
//! cargo run -p ch03-poller --example echo -- [--backend epoll|poll] [--trigger edge|level] [ADDR]
//! ```
//!
//! Defaults: epoll, edge-triggered, 127.0.0.1:7878. Stop it with Ctrl-C.

use std::net::SocketAddr;
use std::process::ExitCode;

use eventcore_poller::echo::{Config, EchoServer};
use eventcore_poller::{Backend, Trigger};
use eventcore_sockets::Socket;

// ANCHOR: main
fn main() -> ExitCode {
    let (config, addr) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("echo: {message}");
            return ExitCode::from(2);
        }
    };
    let result = Socket::listen_on(&addr, 4096).and_then(|listener| {
        let mut server = EchoServer::new(listener, config)?;
        let backend = match config.backend {
            Backend::Epoll => "epoll",
            Backend::Poll => "poll",
        };
        let trigger = match config.trigger {
            Trigger::Edge => "edge",
            Trigger::Level => "level",
        };
        println!(
            "echo server on {} ({backend}, {trigger}-triggered); Ctrl-C stops it",
            server.local_addr()?
        );
        server.run()
    });
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo: {e}");
            ExitCode::FAILURE
        }
    }
}
// ANCHOR_END: main

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(Config, SocketAddr), String> {
    let mut config = Config::default();
    let mut addr: SocketAddr = "127.0.0.1:7878".parse().map_err(|e| format!("{e}"))?;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--backend" => {
                config.backend = args.next().ok_or("--backend needs a value")?.parse()?;
            }
            "--trigger" => {
                config.trigger = match args.next().as_deref() {
                    Some("edge") => Trigger::Edge,
                    Some("level") => Trigger::Level,
                    _ => return Err("--trigger takes edge or level".into()),
                };
            }
            other => addr = other.parse().map_err(|e| format!("{other}: {e}"))?,
        }
    }
    Ok((config, addr))
}
