//! The seed's six edge cases, one named test each, in both models. The
//! book's chapter 7 tells each one's timeline and links here.
//!
//! None of them sleeps to set its case up: a handler that must be running
//! waits at a [`Gate`] the test opens, and a connection that must have
//! stopped reading says so through the timers hook ([`Recording`]).

mod support;

use std::io::Write;
use std::net::TcpStream;

use eventcore_workers::{Model, Phase, Server};
use support::{
    Client, Gate, Recording, config, get, pattern, post, start_with, test_app_with,
    wait_for_connections, wait_until,
};

both_models!(
    edge_case_1_data_arriving_during_processing,
    edge_case_2_partial_writes,
    edge_case_3_client_closes_during_processing,
    edge_case_4_one_shot_race,
    edge_case_5_pipelining,
    edge_case_6_slow_client,
);

/// The kernel's largest send buffer for a TCP socket (`tcp_wmem`'s third
/// value): no single `send` can take more than that.
fn largest_send_buffer() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| s.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(4 << 20)
}

/// The largest TCP receive buffer plus the largest send buffer: what the
/// kernel can hold of one direction of a connection, at most.
fn largest_kernel_buffers() -> usize {
    let rmem = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_rmem")
        .ok()
        .and_then(|s| s.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(32 << 20);
    rmem + largest_send_buffer()
}

// ANCHOR: edge_case_1
/// A request arrives while the previous one on the same connection is
/// still being handled (on the pool, with its one-shot registration
/// disarmed): nothing reads it then, and nothing may lose it.
fn edge_case_1_data_arriving_during_processing(model: Model) {
    let gate = Gate::default();
    let server = start_with(model, test_app_with(gate.clone()), 2, 2);
    let mut client = Client::connect(&server);
    client.send(get("/gate").as_bytes());
    gate.wait_entered(1);
    // The first request is in its handler: the second arrives now.
    client.send(get("/users/7").as_bytes());
    gate.open();
    assert_eq!(client.answer().unwrap().text(), "through the gate");
    assert_eq!(client.answer().unwrap().text(), "user 7");
}
// ANCHOR_END: edge_case_1

/// Responses larger than the socket takes at once: each is twice the
/// kernel's largest send buffer, so its first `send` cannot take it all,
/// and the rest goes out on EPOLLOUT, from the handler's own body (not a
/// copy), across four pipelined requests.
fn edge_case_2_partial_writes(model: Model) {
    let server = start_with(model, test_app_with(Gate::default()), 2, 2);
    let mut client = Client::connect(&server);
    let sizes: Vec<usize> = (0..4).map(|i| 2 * largest_send_buffer() + i).collect();
    let batch: String = sizes.iter().map(|n| get(&format!("/big/{n}"))).collect();
    client.send(batch.as_bytes());
    for &n in &sizes {
        let answer = client.answer().unwrap();
        assert!(
            answer.body == support::big_body(n)[..],
            "a body of {n} bytes"
        );
    }
}

/// The client leaves while its request is being handled: the handler's
/// answer meets a closed socket, the connection is released, and the
/// worker serves others all along.
fn edge_case_3_client_closes_during_processing(model: Model) {
    let gate = Gate::default();
    // One worker, so that the other client is that worker's too.
    let server = start_with(model, test_app_with(gate.clone()), 1, 2);
    let mut leaving = Client::connect(&server);
    leaving.send(get("/gate").as_bytes());
    gate.wait_entered(1);
    drop(leaving);
    // The handler is still inside, and another client is answered.
    assert_eq!(Client::connect(&server).get("/plaintext").status, 200);
    assert_eq!(gate.entered(), 1);
    gate.open();
    wait_for_connections(&server, 0);
}

// ANCHOR: edge_case_4
/// More bytes arrive for a connection while a pool thread handles it.
/// Without one-shot registration (seed) or ownership (inline) a second
/// thread could get the connection too. `/track` counts the threads
/// inside it per client, and its first request (`?0`) waits at the gate
/// until every client has sent all the rest: with free pool threads
/// about, the count must still always be 1, and the answers stay in order.
fn edge_case_4_one_shot_race(model: Model) {
    const CLIENTS: usize = 4;
    let gate = Gate::default();
    // One worker with twice as many pool threads as clients: while each
    // client's first request waits at the gate, four threads are free.
    let server = start_with(model, test_app_with(gate.clone()), 1, 2 * CLIENTS);
    let track =
        |c: usize, i: usize| format!("GET /track?{i} HTTP/1.1\r\nHost: t\r\nX-Client: {c}\r\n\r\n");
    let mut clients: Vec<Client> = (0..CLIENTS).map(|_| Client::connect(&server)).collect();
    for (c, client) in clients.iter_mut().enumerate() {
        client.send(track(c, 0).as_bytes());
    }
    gate.wait_entered(CLIENTS);
    for (c, client) in clients.iter_mut().enumerate() {
        let rest: String = (1..40).map(|i| track(c, i)).collect();
        client.send(rest.as_bytes());
    }
    gate.open();
    for client in &mut clients {
        for i in 0..40 {
            assert_eq!(client.answer().unwrap().text(), format!("1 {i}"));
        }
    }
}
// ANCHOR_END: edge_case_4

/// 100 requests in one write, one of them handled on the pool: answered
/// in order, as RFC 9112 section 9.3.2 requires. The answers before the
/// slow one don't wait for it: the client reads all 50 while the gate
/// still holds the 51st.
fn edge_case_5_pipelining(model: Model) {
    let gate = Gate::default();
    let server = start_with(model, test_app_with(gate.clone()), 2, 2);
    let mut client = Client::connect(&server);
    let path = |i: usize| {
        if i == 50 {
            "/gate".to_string()
        } else {
            format!("/users/{i}")
        }
    };
    let batch: String = (0..100).map(|i| get(&path(i))).collect();
    client.send(batch.as_bytes());
    for i in 0..50 {
        assert_eq!(client.answer().unwrap().text(), format!("user {i}"));
    }
    gate.wait_entered(1);
    gate.open();
    assert_eq!(client.answer().unwrap().text(), "through the gate");
    for i in 51..100 {
        assert_eq!(client.answer().unwrap().text(), format!("user {i}"));
    }
}

// ANCHOR: edge_case_6
/// A client that sends and never reads. Once its pending output passes
/// the high-water mark the server stops reading it (the connection
/// reports `reading: false`), so what the client can send stalls at what
/// the kernel's socket buffers hold instead of growing the server's
/// memory without end: the client has more to send than those buffers
/// could ever take, and it is still sending when the server stops.
fn edge_case_6_slow_client(model: Model) {
    let recording = Recording::default();
    let server = Server::start_with(
        config(model, 2, 2),
        test_app_with(Gate::default()),
        recording.clone(),
    )
    .expect("server starts");
    let request = post("/echo", &pattern(16 * 1024));
    let requests = 2 * largest_kernel_buffers() / request.len();
    let mut client = Client::connect(&server);
    let mut writer: TcpStream = client.stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        for _ in 0..requests {
            writer.write_all(&request).unwrap();
        }
    });
    wait_until("the server stops reading the client", || {
        recording.any(|r| r.phase == Phase::Writing && !r.reading)
    });
    assert!(!sending.is_finished(), "{model}: all of it was taken");
    // Now read: everything is answered, and the rest gets through.
    for _ in 0..requests {
        assert_eq!(client.answer().unwrap().body.len(), 16 * 1024);
    }
    sending.join().unwrap();
    assert_eq!(server.connections(), 1);
}
// ANCHOR_END: edge_case_6
