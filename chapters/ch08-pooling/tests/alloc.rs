//! With the pool, a warm server allocates nothing: not per request, in
//! either model, even though every idle connection gives its working
//! memory back between requests (chapter 7's heap needed four allocations
//! for that), and not per connection, from connect to close. Counted on
//! every thread of the process, server and client.

#[path = "../../ch07-workers/tests/support/mod.rs"]
mod support;

#[path = "../../ch04-parser/tests/support/counting_alloc.rs"]
mod counting_alloc;

use std::io::{Read, Write};
use std::net::TcpStream;

use counting_alloc::allocations_anywhere_in;
use eventcore_pooling::Pooling;
use eventcore_workers::{Config, Model, Retain, Server, demo};

const REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n";

fn start(model: Model) -> (Server, Pooling) {
    let config = Config {
        retain: Retain::Nothing,
        ..support::config(model, 1, 2)
    };
    // A table of 1,024 slots up front: a server slow to see one client's
    // close may hold a few connections at once, and must not grow for it.
    let parts = Pooling {
        slots: 1024,
        ..Pooling::default()
    };
    let server = Server::start_with(config, demo::app(), parts.clone()).expect("server starts");
    (server, parts)
}

/// Puts 16 warm `Work`s in the pool: 16 connections each have a request
/// answered (the output buffer and the field table grow) and hold their
/// `Work` with the start of a second, all at once; then they close. In the
/// seed's model a connection that has closed may still be on its way back
/// from the pool when the next one needs memory; a rare third or fourth at
/// once would otherwise find the pool empty, or take a `Work` that has
/// never answered.
fn fill_pool(server: &Server, parts: &Pooling) {
    let clients: Vec<TcpStream> = (0..16)
        .map(|_| {
            let mut stream = TcpStream::connect(server.local_addr()).unwrap();
            stream.write_all(REQUEST).unwrap();
            stream.write_all(b"GET /plaintext HTTP/1.1\r\n").unwrap();
            stream
        })
        .collect();
    support::wait_until("16 heads read", || parts.stats().out == 16);
    drop(clients);
    support::wait_for_connections(server, 0);
}

/// The length of every answer to `REQUEST` (the Date field's format is
/// fixed), learnt from a first one.
fn answer_len(server: &Server) -> usize {
    let first = support::Client::connect(server).get("/plaintext");
    first.head.len() + first.body.len()
}

// ANCHOR: per_request
fn allocations_per_1000_requests(model: Model) -> usize {
    let (server, parts) = start(model);
    fill_pool(&server, &parts);
    let mut answer = vec![0u8; answer_len(&server)];
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    let mut round_trip = || {
        stream.write_all(REQUEST).unwrap();
        stream.read_exact(&mut answer).unwrap();
    };
    for _ in 0..100 {
        round_trip();
    }
    let allocations = allocations_anywhere_in(|| {
        for _ in 0..1000 {
            round_trip();
        }
    });
    assert!(answer.ends_with(b"\r\n\r\nHello, World!"));
    allocations
}
// ANCHOR_END: per_request

// ANCHOR: per_connection
/// Connect, one request, close: `cycles` times, after 1,000 to warm up.
fn allocations_per_connections(model: Model, cycles: usize) -> usize {
    let (server, parts) = start(model);
    fill_pool(&server, &parts);
    let mut answer = vec![0u8; answer_len(&server)];
    let addr = server.local_addr();
    let mut cycle = || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(REQUEST).unwrap();
        stream.read_exact(&mut answer).unwrap();
        // The server sees the close and closes its end.
    };
    for _ in 0..1000 {
        cycle();
    }
    let allocations = allocations_anywhere_in(|| {
        for _ in 0..cycles {
            cycle();
        }
    });
    assert!(answer.ends_with(b"\r\n\r\nHello, World!"));
    allocations
}
// ANCHOR_END: per_connection

/// One test for everything: the count covers every thread of the
/// process, so nothing else may run beside it.
#[test]
fn a_warm_server_allocates_nothing_per_request_or_connection() {
    for model in support::MODELS {
        assert_eq!(allocations_per_1000_requests(model), 0, "{model}: requests");
        assert_eq!(
            allocations_per_connections(model, 10_000),
            0,
            "{model}: connections"
        );
    }
}
