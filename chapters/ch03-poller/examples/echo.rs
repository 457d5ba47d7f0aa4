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
    let mut config = Config::default();
    let mut addr: SocketAddr = "127.0.0.1:7878".parse().expect("default address");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let parsed = match arg.as_str() {
            "--backend" => args
                .next()
                .ok_or("--backend needs a value".into())
                .and_then(|v| v.parse().map(|b| config.backend = b)),
            "--trigger" => match args.next().as_deref() {
                Some("edge") => Ok(config.trigger = Trigger::Edge),
                Some("level") => Ok(config.trigger = Trigger::Level),
                _ => Err("--trigger takes edge or level".to_string()),
            },
            other => other
                .parse()
                .map(|a| addr = a)
                .map_err(|e| format!("{other}: {e}")),
        };
        if let Err(message) = parsed {
            eprintln!("echo: {message}");
            return ExitCode::from(2);
        }
    }
    let result = Socket::listen_on(&addr, 4096).and_then(|listener| {
        let mut server = EchoServer::new(listener, config)?;
        let backend = match config.backend {
            Backend::Epoll => "epoll",
            Backend::Poll => "poll",
        };
        println!(
            "echo server on {} ({backend}, {:?}-triggered); Ctrl-C stops it",
            server.local_addr()?,
            config.trigger
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
