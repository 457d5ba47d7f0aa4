//! What operators see, in both models: the observer told of every response
//! (for a request, a bad request, a deadline's 408) with the client's
//! address, and the gauges of idle, reading and writing connections.

mod support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use eventcore_workers::{Exchange, Expiry, Model, Observer, Phase, Server, Stats, Token};
use support::{Client, Deadlines, Gate, config, test_app_with, wait_until};

both_models!(
    every_response_is_observed_with_its_request_and_client,
    the_gauges_count_what_connections_wait_for,
);

/// What the recorder keeps of an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    /// The worker and the token: a connection's name in the server.
    connection: (usize, Option<Token>),
    peer: Option<SocketAddr>,
    request: Option<String>,
    status: u16,
    body_bytes: usize,
}

#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<Seen>>);

impl Observer for Recorder {
    fn answered(&self, exchange: &Exchange<'_>) {
        let request = exchange.request.map(|r| {
            format!(
                "{} {}",
                String::from_utf8_lossy(r.method().as_bytes()),
                String::from_utf8_lossy(r.target())
            )
        });
        self.0.lock().unwrap().push(Seen {
            connection: (exchange.worker, exchange.connection),
            peer: exchange.socket.peer_addr().ok(),
            request,
            status: exchange.status,
            body_bytes: exchange.body_bytes,
        });
    }
}

fn every_response_is_observed_with_its_request_and_client(model: Model) {
    let recorder = Arc::new(Recorder::default());
    let deadlines = Deadlines::new(vec![(
        Phase::Head,
        Duration::from_millis(30),
        Expiry::Answer(408),
    )]);
    let app = test_app_with(Gate::default()).observe(recorder.clone());
    let server = Server::start_with(config(model, 2, 2), app, deadlines).expect("starts");

    let mut client = Client::connect(&server);
    let peer = client.stream.local_addr().ok();
    assert_eq!(client.get("/plaintext").status, 200);
    client.send(b"HEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.answer_without_body().unwrap().status, 200);
    assert_eq!(client.get("/nothing-here").status, 404);
    // The /slow route runs on the pool in both models.
    assert_eq!(client.get("/slow/0").status, 200);
    client.send(b"GET /\x01 HTTP/1.1\r\n\r\n");
    assert_eq!(client.answer().unwrap().status, 400);

    let mut cut_off = Client::connect(&server);
    let cut_off_peer = cut_off.stream.local_addr().ok();
    cut_off.send(b"GET /plaintext HTTP/1.1\r\nHost: t");
    assert_eq!(cut_off.answer().unwrap().status, 408);

    let seen = recorder.0.lock().unwrap().clone();
    // One token for every response on a connection, another for the next.
    let (first, second) = (seen[0].connection, seen[5].connection);
    assert!(
        first.1.is_some() && second.1.is_some() && first != second,
        "{seen:?}"
    );
    let row = |request: Option<&str>, status, body_bytes| Seen {
        connection: first,
        peer,
        request: request.map(str::to_string),
        status,
        body_bytes,
    };
    let not_found = seen[2].body_bytes;
    assert!(not_found > 0, "{seen:?}");
    assert_eq!(
        seen,
        [
            row(Some("GET /plaintext"), 200, 13),
            row(Some("HEAD /plaintext"), 200, 0),
            row(Some("GET /nothing-here"), 404, not_found),
            row(Some("GET /slow/0"), 200, "slept 0".len()),
            Seen {
                body_bytes: seen[4].body_bytes,
                ..row(None, 400, 0)
            },
            Seen {
                connection: second,
                peer: cut_off_peer,
                body_bytes: seen[5].body_bytes,
                ..row(None, 408, 0)
            },
        ]
    );
}

fn gauges(stats: Stats) -> [usize; 3] {
    [stats.idle, stats.reading, stats.writing]
}

fn the_gauges_count_what_connections_wait_for(model: Model) {
    let gate = Gate::default();
    let server = Server::start(config(model, 2, 2), test_app_with(gate.clone())).expect("starts");
    let _idle = Client::connect(&server);
    let mut kept = Client::connect(&server);
    assert_eq!(kept.get("/plaintext").status, 200);
    let mut reading = Client::connect(&server);
    reading.send(b"GET /plaintext HTTP/1.1\r\nHost");
    let mut writing = Client::connect(&server);
    writing.send(b"GET /gate HTTP/1.1\r\nHost: t\r\n\r\n");
    gate.wait_entered(1);
    wait_until("idle 2, reading 1, writing 1", || {
        gauges(server.stats()) == [2, 1, 1]
    });
    assert_eq!(server.stats().connections, 4);

    gate.open();
    assert_eq!(writing.answer().unwrap().status, 200);
    reading.send(b": t\r\n\r\n");
    assert_eq!(reading.answer().unwrap().status, 200);
    wait_until("all four idle", || gauges(server.stats()) == [4, 0, 0]);
    drop((reading, writing));
    wait_until("two left", || gauges(server.stats()) == [2, 0, 0]);
    server.stop().unwrap();
}
