//! Tests for exercise 2. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use ch07_workers_exercises::e2_blocking_route::app_with_reports;
use eventcore_workers::{App, Config, Model, Server};

/// One worker, so that a handler stuck on its loop would stall everyone.
fn server(app: App) -> Server {
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        workers: 1,
        model: Model::Inline,
        pool_threads: 4,
        ..Config::default()
    };
    Server::start(config, app).unwrap()
}

/// Sends `GET path` on a new connection that asks to be closed, and
/// returns the whole answer.
fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn reports_answer_what_the_query_made() {
    let server = server(app_with_reports(|n| format!("report {n}")));
    let answer = get(server.local_addr(), "/report/50");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nreport 50"), "{answer}");
    assert!(get(server.local_addr(), "/report/soon").starts_with("HTTP/1.1 404 "));
    assert!(get(server.local_addr(), "/plaintext").ends_with("\r\n\r\nHello, World!"));
}

/// Reports that wait until the test lets them finish, and count how many
/// are waiting.
#[derive(Default)]
struct Held {
    state: Mutex<(usize, bool)>,
    changed: Condvar,
}

#[test]
fn plaintext_is_answered_while_reports_are_being_made() {
    let held = Arc::new(Held::default());
    let in_report = Arc::clone(&held);
    let app = app_with_reports(move |n| {
        let mut state = in_report.state.lock().unwrap();
        state.0 += 1;
        in_report.changed.notify_all();
        // Let go after 20 s anyway: a report stuck on the loop must not
        // hang the test forever.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !state.1 && std::time::Instant::now() < deadline {
            state = in_report
                .changed
                .wait_timeout(state, Duration::from_secs(1))
                .unwrap()
                .0;
        }
        format!("report {n}")
    });
    let server = server(app);
    let addr = server.local_addr();
    let reports: Vec<_> = (0..3)
        .map(|i| std::thread::spawn(move || get(addr, &format!("/report/{i}"))))
        .collect();
    // All three reports are being made at once...
    {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let mut state = held.state.lock().unwrap();
        while state.0 < 3 {
            assert!(
                std::time::Instant::now() < deadline,
                "only {} of 3 reports started: do they run on the loop?",
                state.0
            );
            state = held
                .changed
                .wait_timeout(state, Duration::from_secs(1))
                .unwrap()
                .0;
        }
    }
    // ...and /plaintext is answered all the same. On the loop, a report
    // would hold the only worker, and this would never come back.
    assert!(get(addr, "/plaintext").ends_with("Hello, World!"));
    held.state.lock().unwrap().1 = true;
    held.changed.notify_all();
    for (i, report) in reports.into_iter().enumerate() {
        assert!(report.join().unwrap().ends_with(&format!("report {i}")));
    }
}
