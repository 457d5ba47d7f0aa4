//! Tests for exercise 2. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ch07_workers_exercises::e2_blocking_route::app_with_reports;
use eventcore_workers::{Config, Model, Server};

/// One worker, so that a handler stuck on its loop would stall everyone.
fn server() -> Server {
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        workers: 1,
        model: Model::Inline,
        pool_threads: 4,
        ..Config::default()
    };
    Server::start(config, app_with_reports()).unwrap()
}

/// Sends `GET path` on a new connection that asks to be closed, and
/// returns the whole answer.
fn get(server: &Server, path: &str) -> String {
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn reports_answer_after_their_time() {
    let server = server();
    let start = Instant::now();
    let answer = get(&server, "/report/50");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nreport 50"), "{answer}");
    assert!(start.elapsed() >= Duration::from_millis(50));
    assert!(get(&server, "/report/soon").starts_with("HTTP/1.1 404 "));
}

#[test]
fn plaintext_stays_fast_while_reports_are_made() {
    let server = server();
    let addr = server.local_addr();
    let reports: Vec<_> = (0..3)
        .map(|_| {
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                stream
                    .write_all(b"GET /report/600 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    .unwrap();
                let mut answer = String::new();
                stream.read_to_string(&mut answer).unwrap();
                answer
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let start = Instant::now();
    let answer = get(&server, "/plaintext");
    let waited = start.elapsed();
    assert!(answer.ends_with("Hello, World!"), "{answer}");
    assert!(
        waited < Duration::from_millis(300),
        "/plaintext waited {waited:?} behind the reports"
    );
    for report in reports {
        assert!(report.join().unwrap().ends_with("report 600"));
    }
}
