//! Heap allocations per request in the steady state of a static handler:
//! none, in either model. In the seed's, every request travels to the pool
//! and back as a plain `Visit` value in the pool's queue, not as a boxed
//! closure. Counted on every thread of the process, server and client,
//! while a client that allocates nothing makes 1,000 requests.

mod support;

#[path = "../../ch04-parser/tests/support/counting_alloc.rs"]
mod counting_alloc;

use std::io::{Read, Write};
use std::net::TcpStream;

use counting_alloc::allocations_anywhere_in;
use eventcore_workers::{Config, Model, Retain, Server, demo};

const REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n";

// ANCHOR: alloc
/// Allocations during 1,000 keep-alive requests for `/plaintext`.
fn allocations_per_1000_requests(model: Model, retain: Retain) -> usize {
    let config = Config {
        retain,
        ..support::config(model, 1, 2)
    };
    let server = Server::start(config, demo::app()).expect("server starts");
    // Every answer has the same length (the Date field's format is fixed):
    // learn it from a first one.
    let first = support::Client::connect(&server).get("/plaintext");
    let mut answer = vec![0u8; first.head.len() + first.body.len()];
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    let mut round_trip = || {
        stream.write_all(REQUEST).unwrap();
        stream.read_exact(&mut answer).unwrap();
    };
    // Warm up: buffers, the parser's table, the events array and the
    // queues grow once.
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

/// One test for both models: the count covers every thread of the
/// process, so nothing else may run beside it.
#[test]
fn no_allocation_per_request_in_either_model() {
    assert_eq!(
        allocations_per_1000_requests(Model::Inline, Retain::Small),
        0,
        "inline"
    );
    assert_eq!(
        allocations_per_1000_requests(Model::Seed, Retain::Small),
        0,
        "seed"
    );
    // Giving the working memory back between requests, to chapter 7's
    // store (the heap): a `Work`, two buffers and a field table each time.
    // Chapter 8's pool takes the heap's place.
    assert_eq!(
        allocations_per_1000_requests(Model::Inline, Retain::Nothing),
        4000
    );
}
// ANCHOR_END: alloc
