//! The connection limit (the seed's `max_connections`): at the limit a new
//! connection closes the worker's oldest idle one, or, if every connection
//! is busy, is answered `503` and closed. Either way at once: nobody waits
//! in the listen queue for a slot, and the connections already open are
//! served on.

#[path = "../../ch07-workers/tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::net::TcpStream;

use eventcore_pooling::Pooling;
use eventcore_workers::{Config, Model, Retain, Server, demo};
use support::{HANG, MODELS, wait_until};

const LIMIT: usize = 20;
const REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n";

fn start(model: Model, parts: Pooling) -> Server {
    let config = Config {
        retain: Retain::Nothing,
        ..support::config(model, 1, 2)
    };
    Server::start_with(config, demo::app(), parts).expect("server starts")
}

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(server.local_addr()).unwrap();
    stream.set_read_timeout(Some(HANG)).unwrap();
    stream
}

/// Everything the server sends until it closes, as text.
fn read_to_close(stream: &mut TcpStream) -> String {
    String::from_utf8_lossy(&support::read_to_close(stream)).into_owned()
}

/// One answer to `REQUEST` (its body, the last thing in it, is "Hello, World!").
fn read_answer(stream: &mut TcpStream) -> String {
    String::from_utf8_lossy(&support::read_until(stream, b"Hello, World!")).into_owned()
}

fn limited() -> Pooling {
    Pooling {
        max_connections: LIMIT,
        ..Pooling::default()
    }
}

// ANCHOR: busy
#[test]
fn beyond_the_limit_with_every_connection_busy_a_client_gets_503_and_the_others_are_served() {
    for model in MODELS {
        let parts = limited();
        let server = start(model, parts.clone());
        // LIMIT connections, each in the middle of a request head: busy.
        let mut busy: Vec<TcpStream> = (0..LIMIT)
            .map(|_| {
                let mut stream = connect(&server);
                stream.write_all(b"GET /plaintext HTTP/1.1\r\n").unwrap();
                stream
            })
            .collect();
        wait_until("every head has been read", || parts.stats().out == LIMIT);
        for i in 0..100 {
            let mut extra = connect(&server);
            // The answer may come before the request is sent: fine.
            let _ = extra.write_all(REQUEST);
            let answer = read_to_close(&mut extra);
            assert!(
                answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
                "{model}: extra client {i} got {answer:?}"
            );
        }
        assert_eq!(server.stats().over_limit, 100, "{model}");
        assert_eq!(server.stats().evicted, 0, "{model}");
        // The busy ones were never touched: each finishes its request.
        for stream in &mut busy {
            stream.write_all(b"Host: t\r\n\r\n").unwrap();
            let answer = read_answer(stream);
            assert!(
                answer.starts_with("HTTP/1.1 200 OK\r\n"),
                "{model}: {answer:?}"
            );
        }
    }
}
// ANCHOR_END: busy

// ANCHOR: idle
#[test]
fn at_the_limit_a_new_client_closes_the_oldest_idle_connection() {
    for model in MODELS {
        let parts = limited();
        let server = start(model, parts.clone());
        // LIMIT idle keep-alive connections, idle in the order 0, 1, 2...
        let mut idle: Vec<TcpStream> = (0..LIMIT)
            .map(|_| {
                let mut stream = connect(&server);
                stream.write_all(REQUEST).unwrap();
                assert!(read_answer(&mut stream).starts_with("HTTP/1.1 200 OK"));
                stream
            })
            .collect();
        wait_until("all idle", || parts.stats().out == 0);
        // Five newcomers, each served: each closes one idle connection.
        // They stay open, so that each finds the table full.
        let newcomers: Vec<TcpStream> = (0..5)
            .map(|_| {
                let mut newcomer = connect(&server);
                newcomer.write_all(REQUEST).unwrap();
                assert!(read_answer(&mut newcomer).starts_with("HTTP/1.1 200 OK"));
                newcomer
            })
            .collect();
        assert_eq!(server.stats().evicted, 5, "{model}");
        assert_eq!(server.stats().over_limit, 0, "{model}");
        // The five idle the longest were closed without a word...
        for stream in &mut idle[..5] {
            assert_eq!(read_to_close(stream), "", "{model}");
        }
        // ...and the others are still open.
        for stream in &mut idle[5..] {
            stream.write_all(REQUEST).unwrap();
            assert!(
                read_answer(stream).starts_with("HTTP/1.1 200 OK"),
                "{model}"
            );
        }
        drop(newcomers);
    }
}
// ANCHOR_END: idle

// ANCHOR: fresh
#[test]
fn new_connections_that_have_sent_nothing_are_not_evicted() {
    for model in MODELS {
        let server = start(model, limited());
        // LIMIT connections that have sent nothing yet: their requests may
        // be on the way, so closing them would cut those off.
        let mut fresh: Vec<TcpStream> = (0..LIMIT).map(|_| connect(&server)).collect();
        wait_until("all accepted", || server.connections() == LIMIT);
        for _ in 0..5 {
            let mut extra = connect(&server);
            let _ = extra.write_all(REQUEST);
            let answer = read_to_close(&mut extra);
            assert!(answer.starts_with("HTTP/1.1 503"), "{model}: {answer:?}");
        }
        assert_eq!(server.stats().evicted, 0, "{model}");
        for stream in &mut fresh {
            stream.write_all(REQUEST).unwrap();
            assert!(
                read_answer(stream).starts_with("HTTP/1.1 200 OK"),
                "{model}"
            );
        }
    }
}
// ANCHOR_END: fresh
