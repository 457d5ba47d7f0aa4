//! The server as clients see it, over real sockets on 127.0.0.1, in both
//! execution models. The seed's six edge cases have their own file,
//! `edge_cases.rs`; running out of file descriptors has `emfile.rs`.

mod support;

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use eventcore_workers::{Model, demo};
use support::{
    Client, HANG, get, pattern, post, post_chunked, start, start_with, test_app,
    wait_for_connections, wait_until,
};

both_models!(
    keep_alive_serves_1000_requests_on_one_connection,
    connection_close_is_answered_then_closed,
    http_1_0_closes_unless_it_asks_for_keep_alive,
    bodies_up_to_1_mib_go_in_and_out,
    a_client_vanishing_mid_request_leaves_nothing_behind,
    a_client_vanishing_mid_response_leaves_nothing_behind,
    a_panicking_handler_gets_500_and_the_server_goes_on,
    a_thousand_concurrent_clients_are_served,
    malformed_requests_get_their_status_and_a_close,
    the_demo_application_answers_as_documented,
    a_flooding_client_does_not_starve_the_others,
);

fn keep_alive_serves_1000_requests_on_one_connection(model: Model) {
    let server = start(model, demo::app());
    let mut client = Client::connect(&server);
    for i in 0..1000 {
        let answer = client.get(&format!("/users/{i}"));
        assert_eq!((answer.status, answer.text()), (200, format!("user {i}")));
        assert_eq!(answer.header("connection"), None);
    }
    assert_eq!(server.connections(), 1);
}

fn connection_close_is_answered_then_closed(model: Model) {
    let server = start(model, demo::app());
    let mut client = Client::connect(&server);
    client.send(b"GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let answer = client.answer().unwrap();
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (200, "Hello, World!")
    );
    assert_eq!(answer.header("connection"), Some("close"));
    assert!(client.closed());
    wait_for_connections(&server, 0);
}

fn http_1_0_closes_unless_it_asks_for_keep_alive(model: Model) {
    let server = start(model, demo::app());
    let mut plain = Client::connect(&server);
    plain.send(b"GET /plaintext HTTP/1.0\r\n\r\n");
    let answer = plain.answer().unwrap();
    assert_eq!(answer.status, 200);
    assert!(answer.head.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(plain.closed(), "1.0 without keep-alive closes");

    let mut kept = Client::connect(&server);
    for _ in 0..3 {
        kept.send(b"GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        let answer = kept.answer().unwrap();
        assert_eq!(answer.text(), "Hello, World!");
        assert_eq!(answer.header("connection"), Some("keep-alive"));
    }
    wait_for_connections(&server, 1);
}

fn bodies_up_to_1_mib_go_in_and_out(model: Model) {
    let server = start(model, demo::app());
    let mut client = Client::connect(&server);
    for len in [0, 1, 16 * 1024, 16 * 1024 + 1, 300_000, 1 << 20] {
        let body = pattern(len);
        client.send(&post("/echo", &body));
        let answer = client.answer().unwrap();
        assert_eq!(answer.status, 200, "{len} bytes with Content-Length");
        assert_eq!(answer.header("content-type"), Some("application/x-test"));
        assert!(answer.body == body, "{len} bytes echoed");

        client.send(&post_chunked("/echo", &body, 65_536));
        let answer = client.answer().unwrap();
        assert_eq!(answer.status, 200, "{len} bytes chunked");
        assert_eq!(
            answer.header("content-type"),
            Some("application/octet-stream")
        );
        assert!(answer.body == body, "{len} bytes chunked echoed");
    }
    // Small chunks: many framing lines, each parsed as it arrives.
    let body = pattern(50_000);
    client.send(&post_chunked("/echo", &body, 100));
    assert!(client.answer().unwrap().body == body);
    client.send(b"PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok");
    assert_eq!(client.answer().unwrap().text(), "ok");
}

fn a_client_vanishing_mid_request_leaves_nothing_behind(model: Model) {
    let server = start(model, demo::app());
    for partial in [
        &b"GET /plaint"[..],
        b"GET /plaintext HTTP/1.1\r\nHost: t\r\n",
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly some",
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
    ] {
        let mut client = Client::connect(&server);
        client.send(partial);
        drop(client);
    }
    wait_for_connections(&server, 0);
    assert_eq!(Client::connect(&server).get("/plaintext").status, 200);
}

fn a_client_vanishing_mid_response_leaves_nothing_behind(model: Model) {
    let server = start(model, demo::app());
    for _ in 0..4 {
        let mut client = Client::connect(&server);
        client.send(&post("/echo", &pattern(1 << 20)));
        // Read a little of the 1 MiB answer, then go: the rest of the
        // server's writes fail (EPIPE or ECONNRESET).
        let mut some = [0u8; 1000];
        client.stream.read_exact(&mut some).unwrap();
        drop(client);
    }
    wait_for_connections(&server, 0);
    assert_eq!(Client::connect(&server).get("/plaintext").status, 200);
}

fn a_panicking_handler_gets_500_and_the_server_goes_on(model: Model) {
    let server = start(model, test_app());
    let mut first = Client::connect(&server);
    let answer = first.get("/panic");
    assert_eq!(answer.status, 500);
    // The same connection and another one both go on.
    assert_eq!(first.get("/plaintext").status, 200);
    let mut second = Client::connect(&server);
    assert_eq!(second.get("/plaintext").text(), "Hello, World!");
}

fn a_thousand_concurrent_clients_are_served(model: Model) {
    // 1000 clients and their 1000 server-side sockets in one process.
    // Both models' tests may run at once: room for twice that, and more.
    eventcore_sockets::sys::raise_fd_limit(10_000).unwrap();
    let server = start(model, demo::app());
    let mut clients: Vec<Client> = (0..1000).map(|_| Client::connect(&server)).collect();
    for (i, client) in clients.iter_mut().enumerate() {
        client.send(get(&format!("/users/{i}")).as_bytes());
    }
    wait_for_connections(&server, 1000);
    for (i, client) in clients.iter_mut().enumerate() {
        assert_eq!(client.answer().unwrap().text(), format!("user {i}"));
    }
    drop(clients);
    wait_for_connections(&server, 0);
}

fn malformed_requests_get_their_status_and_a_close(model: Model) {
    let server = start(model, demo::app());
    let mut bystander = Client::connect(&server);
    assert_eq!(bystander.get("/plaintext").status, 200);
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(9000));
    let long_field = format!(
        "GET / HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n",
        "b".repeat(40_000)
    );
    let cases: Vec<(&[u8], u16)> = vec![
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n\r\n", 400), // no Host
        (b"GET / HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: t\r\nX : y\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
        (long_target.as_bytes(), 414),
        (long_field.as_bytes(), 431),
        (b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n", 413),
        (
            b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
        ),
        // RFC 9112 section 6.3: chunked not last in a request is 400; a
        // coding we don't know before it is 501.
        (b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
        (
            b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            501,
        ),
        (b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    ];
    for (raw, status) in cases {
        let mut client = Client::connect(&server);
        client.send(raw);
        let answer = client.answer().unwrap();
        let first_line = String::from_utf8_lossy(&raw[..raw.len().min(40)]).into_owned();
        assert_eq!(answer.status, status, "{first_line:?}");
        assert_eq!(answer.header("connection"), Some("close"), "{first_line:?}");
        assert!(client.closed(), "{first_line:?} closes");
        // Everyone else is unaffected.
        assert_eq!(bystander.get("/plaintext").status, 200);
    }
    wait_for_connections(&server, 1);
}

fn the_demo_application_answers_as_documented(model: Model) {
    let server = start(model, demo::app());
    let mut client = Client::connect(&server);
    let plaintext = client.get("/plaintext");
    assert_eq!(plaintext.text(), "Hello, World!");
    assert_eq!(
        plaintext.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    client.send(b"HEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    let head = client.answer_without_body().unwrap();
    assert_eq!(
        (head.status, head.header("content-length")),
        (200, Some("13"))
    );
    let json = client.get("/json");
    assert_eq!(json.text(), r#"{"message":"Hello, World!"}"#);
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert_eq!(client.get("/users/12").text(), "user 12");
    assert_eq!(client.get("/users/12a").status, 404);
    assert_eq!(client.get("/nothing").status, 404);
    assert_eq!(client.get("/echo").status, 405);
    // Nothing arrived beyond what was asked for (HEAD sent no body).
    client
        .stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    assert!(client.stream.read(&mut [0u8; 1]).is_err());
}

// ANCHOR: flood
/// One client pipelines requests as fast as it can and reads the answers
/// as fast as it can, so backpressure never stops it; another client on
/// the same worker (the only one, with one pool thread in the seed's
/// model) must still get its answers, while the flood goes on. A
/// connection gives up its turn after reading 1 MiB (`BYTES_PER_TURN`).
fn a_flooding_client_does_not_starve_the_others(model: Model) {
    let server = start_with(model, demo::app(), 1, 1);
    let flood = Client::connect(&server);
    let stop = Arc::new(AtomicBool::new(false));
    let mut writer = flood.stream.try_clone().unwrap();
    let writing = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let batch = get("/plaintext").repeat(1000);
            // Flood until told to stop; `false` if the hang guard ran out.
            let deadline = Instant::now() + HANG;
            while !stop.load(Ordering::Relaxed) {
                if Instant::now() > deadline {
                    return false;
                }
                writer.write_all(batch.as_bytes()).unwrap();
            }
            true
        })
    };
    let received = Arc::new(AtomicUsize::new(0));
    let mut reader = flood.stream.try_clone().unwrap();
    let reading = {
        let received = Arc::clone(&received);
        std::thread::spawn(move || {
            let mut sink = vec![0u8; 256 * 1024];
            while let Ok(n @ 1..) = reader.read(&mut sink) {
                received.fetch_add(n, Ordering::Relaxed);
            }
        })
    };
    wait_until("the flood is being answered", || {
        received.load(Ordering::Relaxed) > 1 << 20
    });
    let mut other = Client::connect(&server);
    for _ in 0..5 {
        assert_eq!(other.get("/plaintext").status, 200);
    }
    // Answered while the flood went on, not after it gave up.
    assert!(!writing.is_finished(), "{model}: the flood stopped first");
    stop.store(true, Ordering::Relaxed);
    assert!(
        writing.join().unwrap(),
        "{model}: the flood was never stopped"
    );
    flood.stream.shutdown(std::net::Shutdown::Both).unwrap();
    reading.join().unwrap();
}
// ANCHOR_END: flood
