//! What an idle connection holds, and what the pool keeps: an idle
//! keep-alive connection holds no buffers, even after a 1 MiB request and
//! a 1 MiB response; after a burst of 5,000 connections the pool keeps no
//! more than its cap. Its own test binary: it counts the bytes live on the
//! heap of every thread.

#[path = "../../ch07-workers/tests/support/mod.rs"]
mod support;

#[path = "../../ch04-parser/tests/support/counting_alloc.rs"]
mod counting_alloc;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;

use counting_alloc::live_bytes;
use eventcore_pooling::Pooling;
use eventcore_workers::{Config, Model, Retain, Server};
use support::{MODELS, post, test_app, wait_for_connections, wait_until};

/// The two tests count the same heap: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n";

fn start(model: Model, parts: Pooling) -> Server {
    let config = Config {
        retain: Retain::Nothing,
        // One pool thread: a second one's first task would set up its
        // thread-locals in the middle of a measurement.
        ..support::config(model, 1, 1)
    };
    Server::start_with(config, test_app(), parts).expect("server starts")
}

/// Reads until `n` bytes have come, into a fixed buffer: the client
/// allocates nothing while the server's memory is watched.
fn read_n(stream: &mut TcpStream, mut n: usize) {
    let mut buf = [0u8; 16 * 1024];
    while n > 0 {
        let got = stream.read(&mut buf[..n.min(16 * 1024)]).unwrap();
        assert!(got > 0, "closed with {n} bytes to come");
        n -= got;
    }
}

/// The heap bytes of every thread have come back to within `slack` of
/// `base` (the server frees what it freed on its own thread, a moment
/// after the client has its answer).
fn wait_for_heap(what: &str, base: isize, slack: isize) {
    wait_until(what, || live_bytes() - base <= slack);
}

// ANCHOR: idle_holds_nothing
#[test]
fn an_idle_connection_holds_no_buffers_whatever_it_carried() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for model in MODELS {
        // A pool that keeps nothing: what is live is what connections hold.
        let parts = Pooling {
            slots: 16,
            pool_bytes: 0,
            ..Pooling::default()
        };
        let server = start(model, parts);
        // One connection first, so that the loop's own vectors have grown.
        let answer = support::Client::connect(&server).get("/plaintext");
        let answer_len = answer.head.len() + answer.body.len();
        drop(answer);
        wait_for_connections(&server, 0);
        let base = live_bytes();
        let mut stream = TcpStream::connect(server.local_addr()).unwrap();
        stream.write_all(REQUEST).unwrap();
        read_n(&mut stream, answer_len);
        // Chapter 7's Retain::Small keeps about 2.5 KB here.
        wait_for_heap("idle after a small request", base, 64);
        // A 1 MiB request, echoed: a 1 MiB response.
        let body = vec![b'x'; 1 << 20];
        stream.write_all(&post("/echo", &body)).unwrap();
        drop(body);
        let mut head = [0u8; 1];
        let mut seen = Vec::with_capacity(1024);
        while !seen.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut head).unwrap();
            seen.push(head[0]);
        }
        read_n(&mut stream, 1 << 20);
        drop(seen);
        wait_for_heap("idle after 1 MiB each way", base, 64);
    }
}
// ANCHOR_END: idle_holds_nothing

// ANCHOR: burst
#[test]
fn after_a_burst_of_5000_connections_the_pool_keeps_no_more_than_its_cap() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // 5,000 connections are 10,000 fds in this process, both ends.
    eventcore_sockets::sys::raise_fd_limit(u64::MAX).unwrap();
    const CAP: usize = 64 * 1024;
    for model in MODELS {
        let parts = Pooling {
            pool_bytes: CAP,
            ..Pooling::default()
        };
        let server = start(model, parts.clone());
        let base = live_bytes();
        // 5,000 connections, each in the middle of a request head: each
        // holds working memory at once.
        let clients: Vec<TcpStream> = (0..5000)
            .map(|_| {
                let mut stream = TcpStream::connect(server.local_addr()).unwrap();
                stream.write_all(b"GET /plaintext HTTP/1.1\r\n").unwrap();
                stream
            })
            .collect();
        wait_until("5,000 heads read", || parts.stats().out == 5000);
        drop(clients);
        wait_for_connections(&server, 0);
        let stats = parts.stats();
        assert!(stats.bytes <= CAP, "{model}: {stats:?}");
        assert!(stats.kept > 0, "{model}: {stats:?}");
        assert_eq!(stats.made, 5000, "{model}: {stats:?}");
        assert_eq!(
            stats.freed as usize,
            5000 - stats.kept,
            "{model}: {stats:?}"
        );
        // What is left on the heap: the pool, the grown table, the
        // clients' vector freed. Well under 5,000 `Work`s (12 MB).
        let left = live_bytes() - base;
        assert!(
            left < (CAP + 1_000_000) as isize,
            "{model}: {left} bytes left"
        );
    }
}
// ANCHOR_END: burst
