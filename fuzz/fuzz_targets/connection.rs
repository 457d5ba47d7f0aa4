//! A whole connection: arbitrary bytes from a client into chapter 7's
//! `Connection`, over a Unix socket pair, serving the demo application.
//! The bytes are sent twice, to two fresh connections: all at once, and cut
//! into up to eight pieces at points the fuzzer chooses, each piece
//! answered before the next is sent. Then the client's FIN.
//!
//! It must never panic, every connection must close once the client has,
//! and both runs must send the same bytes, apart from `100 Continue`
//! interim responses (which only a body that has not arrived yet earns).
//! The date is fixed, so that responses are comparable byte for byte.

#![no_main]

use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, UNIX_EPOCH};

use eventcore_http::{DateCache, Limits};
use eventcore_sockets::Socket;
use eventcore_workers::{App, Connection, Env, Heap, Outcome, demo};
use libfuzzer_sys::fuzz_target;

const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";
static NOT_DRAINING: AtomicBool = AtomicBool::new(false);

fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(demo::app)
}

/// Calls `on_ready` until the connection waits for the client, or closes
/// (true). Everything it sends is appended to `out`.
fn settle(conn: &mut Connection, env: &Env<'_>, fin: bool, client: &mut UnixStream, out: &mut Vec<u8>) -> bool {
    for _ in 0..10_000 {
        let outcome = conn.on_ready(env, &mut Heap, fin);
        receive(client, out);
        match outcome {
            Outcome::Close => return true,
            // The worker would call again at once (a yield), or run it on
            // the pool (`may_block` is true here, so this is the pool).
            Outcome::Yield(_) | Outcome::Blocking => {}
            // Output waiting for room: `receive` just made some.
            Outcome::Wait(interest) if interest.writable => {}
            Outcome::Wait(_) => return false,
        }
    }
    panic!("the connection never settled");
}

fn receive(client: &mut UnixStream, out: &mut Vec<u8>) {
    let mut buf = [0; 8192];
    loop {
        match client.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return,
            Err(e) => panic!("client read: {e}"),
        }
    }
}

/// Sends `pieces` to a fresh connection, then the FIN; every byte the
/// server sent, minus interim responses.
fn exchange(pieces: &[&[u8]]) -> Vec<u8> {
    // libFuzzer's own `main` runs instead of Rust's, which would have set
    // SIGPIPE to be ignored; a write to a closed socket must be an error.
    // SAFETY: signal() with SIG_IGN installs no handler code.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let (server, mut client) = UnixStream::pair().expect("socketpair");
    server.set_nonblocking(true).expect("nonblocking");
    client.set_nonblocking(true).expect("nonblocking");
    let mut conn = Connection::new(Socket::from(OwnedFd::from(server)));
    let mut date = DateCache::default();
    date.update(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let env = Env {
        app: app(),
        date: &date,
        // Small limits, so that the fuzzer reaches them.
        limits: Limits {
            request_line: 256,
            head: 1024,
            headers: 16,
            body: 2048,
        },
        high_water: 4096,
        may_block: true,
        draining: &NOT_DRAINING,
        linger: false,
        worker: 0,
        token: None,
    };
    let mut out = Vec::new();
    let mut closed = false;
    for piece in pieces {
        if client.write_all(piece).is_err() {
            break; // the server closed first, after an error or a close
        }
        closed = settle(&mut conn, &env, false, &mut client, &mut out);
        if closed {
            break;
        }
    }
    if !closed {
        let _ = client.shutdown(Shutdown::Write);
        assert!(settle(&mut conn, &env, true, &mut client, &mut out), "open after the client's FIN");
    }
    drop(conn);
    receive(&mut client, &mut out);
    without_interim(&out)
}

fn without_interim(out: &[u8]) -> Vec<u8> {
    let mut kept = Vec::with_capacity(out.len());
    let mut rest = out;
    while !rest.is_empty() {
        if rest.starts_with(CONTINUE) {
            rest = &rest[CONTINUE.len()..];
        } else {
            kept.push(rest[0]);
            rest = &rest[1..];
        }
    }
    kept
}

fuzz_target!(|data: &[u8]| {
    // The first byte: how many cuts (0 to 7); then one byte per cut, its
    // place as a fraction of the stream.
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let cuts = usize::from(n % 8).min(rest.len());
    let (places, stream) = rest.split_at(cuts);
    let mut points: Vec<usize> = places
        .iter()
        .map(|&p| usize::from(p) * stream.len() / 256)
        .collect();
    points.sort_unstable();
    let mut pieces = Vec::new();
    let mut from = 0;
    for p in points {
        pieces.push(&stream[from..p]);
        from = p;
    }
    pieces.push(&stream[from..]);
    let whole = exchange(&[stream]);
    let split = exchange(&pieces);
    assert!(
        whole == split,
        "whole:\n{}\nin {} pieces:\n{}",
        String::from_utf8_lossy(&whole),
        pieces.len(),
        String::from_utf8_lossy(&split)
    );
});
