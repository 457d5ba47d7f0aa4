//! The seed's six edge cases, one named test each, in both models. The
//! book's chapter 7 tells each one's timeline and links here.

mod support;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use eventcore_workers::Model;
use support::{Client, get, pattern, post, start, start_workers, test_app, wait_for_connections};

both_models!(
    edge_case_1_data_arriving_during_processing,
    edge_case_2_partial_writes,
    edge_case_3_client_closes_during_processing,
    edge_case_4_one_shot_race,
    edge_case_5_pipelining,
    edge_case_6_slow_client,
);

// ANCHOR: edge_case_1
/// A request arrives while the previous one on the same connection is
/// still being handled (on the pool, with its one-shot registration
/// disarmed): nothing reads it then, and nothing may lose it.
fn edge_case_1_data_arriving_during_processing(model: Model) {
    let server = start(model, test_app());
    let mut client = Client::connect(&server);
    client.send(get("/slow/100").as_bytes());
    std::thread::sleep(Duration::from_millis(30));
    client.send(get("/users/7").as_bytes());
    assert_eq!(client.answer().unwrap().text(), "slept 100");
    assert_eq!(client.answer().unwrap().text(), "user 7");
}
// ANCHOR_END: edge_case_1

/// Responses larger than the socket takes at once: the rest waits in the
/// output buffer for EPOLLOUT, across four pipelined 1 MiB echoes that the
/// client only starts reading after a while.
fn edge_case_2_partial_writes(model: Model) {
    let server = start(model, test_app());
    let mut client = Client::connect(&server);
    let bodies: Vec<Vec<u8>> = (0..4).map(|i| pattern((1 << 20) - i)).collect();
    let mut writer = client.stream.try_clone().unwrap();
    let requests: Vec<Vec<u8>> = bodies.iter().map(|b| post("/echo", b)).collect();
    let sending = std::thread::spawn(move || {
        for request in requests {
            writer.write_all(&request).unwrap();
        }
    });
    std::thread::sleep(Duration::from_millis(200));
    for body in &bodies {
        let answer = client.answer().unwrap();
        assert!(answer.body == *body, "an echo of {} bytes", body.len());
    }
    sending.join().unwrap();
}

/// The client leaves while its request is being handled: the handler's
/// answer meets a closed socket, the connection is released, and the
/// worker never stopped serving others.
fn edge_case_3_client_closes_during_processing(model: Model) {
    // One worker, so that the other client is that worker's too.
    let server = start_workers(model, test_app(), 1);
    let mut leaving = Client::connect(&server);
    leaving.send(get("/slow/500").as_bytes());
    std::thread::sleep(Duration::from_millis(20));
    drop(leaving);
    let started = Instant::now();
    assert_eq!(Client::connect(&server).get("/plaintext").status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "another client waited {:?} for the slow handler",
        started.elapsed()
    );
    wait_for_connections(&server, 0);
}

// ANCHOR: edge_case_4
/// More bytes arrive for a connection while a pool thread handles it.
/// Without one-shot registration (seed) or ownership (inline) a second
/// thread could get the connection too. `/track` counts the threads inside
/// it per client: it must always be 1, and the answers stay in order.
fn edge_case_4_one_shot_race(model: Model) {
    let server = start(model, test_app());
    let clients: Vec<_> = (0..6)
        .map(|c| {
            let mut client = Client::connect(&server);
            std::thread::spawn(move || {
                for i in 0..40 {
                    let request =
                        format!("GET /track?{i} HTTP/1.1\r\nHost: t\r\nX-Client: {c}\r\n\r\n");
                    client.send(request.as_bytes());
                    std::thread::sleep(Duration::from_micros(300));
                }
                for i in 0..40 {
                    assert_eq!(client.answer().unwrap().text(), format!("1 {i}"));
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
}
// ANCHOR_END: edge_case_4

/// 100 requests in one write, one of them handled on the pool: answered
/// in order, as RFC 9112 section 9.3.2 requires. The answers before the
/// slow one leave before it starts, not after it.
fn edge_case_5_pipelining(model: Model) {
    let server = start(model, test_app());
    let mut client = Client::connect(&server);
    let mut batch = String::new();
    for i in 0..100 {
        batch += &get(&if i == 50 {
            "/slow/500".into()
        } else {
            format!("/users/{i}")
        });
    }
    let started = Instant::now();
    client.send(batch.as_bytes());
    for i in 0..100 {
        let expected = if i == 50 {
            "slept 500".into()
        } else {
            format!("user {i}")
        };
        assert_eq!(client.answer().unwrap().text(), expected);
        if i == 49 {
            let waited = started.elapsed();
            assert!(
                waited < Duration::from_millis(400),
                "{model}: waited {waited:?}"
            );
        }
    }
}

// ANCHOR: edge_case_6
/// A client that sends and never reads. Once its pending output passes
/// the high-water mark the server stops reading it, so what the client
/// manages to send stalls at what the kernel's socket buffers hold (about
/// 10 to 20 MiB with Linux's default limits on loopback), instead of
/// growing the server's memory without end.
fn edge_case_6_slow_client(model: Model) {
    const REQUESTS: usize = 3000; // 16 KiB each: 48 MiB in all
    let server = start(model, test_app());
    let mut client = Client::connect(&server);
    let request = post("/echo", &pattern(16 * 1024));
    let sent = Arc::new(AtomicUsize::new(0));
    let mut writer = client.stream.try_clone().unwrap();
    let counter = Arc::clone(&sent);
    let sending = std::thread::spawn(move || {
        for _ in 0..REQUESTS {
            writer.write_all(&request).unwrap();
            counter.fetch_add(request.len(), Ordering::Relaxed);
        }
    });
    // Wait until the sender has been stuck for two looks 300 ms apart.
    let (mut last, mut still) = (0, 0);
    while still < 2 {
        std::thread::sleep(Duration::from_millis(300));
        let now = sent.load(Ordering::Relaxed);
        still = if now == last { still + 1 } else { 0 };
        last = now;
    }
    assert!(
        !sending.is_finished() && last < 32 << 20,
        "the server took {last} bytes from a client that never reads"
    );
    // Now read: everything is answered, and the rest gets through.
    for _ in 0..REQUESTS {
        assert_eq!(client.answer().unwrap().body.len(), 16 * 1024);
    }
    sending.join().unwrap();
    assert_eq!(server.connections(), 1);
}
// ANCHOR_END: edge_case_6
