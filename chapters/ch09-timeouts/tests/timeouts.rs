//! Each timeout, on real sockets, in both models, with timeouts of a few
//! hundred milliseconds: it fires (the connection is answered or closed,
//! waited for as a condition) and, where the test can tell when the clock
//! started, not before its deadline (the time from the connection's last
//! relevant byte to the close is at least the timeout: a lower bound,
//! which a busy machine cannot break).

#[path = "../../ch07-workers/tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use eventcore_sockets::socket::Family;
use eventcore_sockets::{SockFlags, Socket};
use eventcore_timeouts::{Timed, Timeouts};
use eventcore_workers::{Config, Model, Retain, Server};
use support::{HANG, MODELS, read_to_close, test_app, wait_until};

const MS: Duration = Duration::from_millis(1);

fn start(model: Model, timeouts: Timeouts) -> Server {
    let config = Config {
        retain: Retain::Nothing,
        ..support::config(model, 1, 2)
    };
    let parts = Timed {
        timeouts,
        ..Timed::default()
    };
    Server::start_with(config, test_app(), parts).expect("server starts")
}

/// Long timeouts for every kind but the one a test sets short.
fn long() -> Timeouts {
    Timeouts {
        idle: HANG,
        head: HANG,
        body: HANG,
        write: HANG,
        linger: HANG,
    }
}

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(server.local_addr()).unwrap();
    stream.set_read_timeout(Some(HANG)).unwrap();
    stream
}

// ANCHOR: head
#[test]
fn a_head_trickled_a_byte_at_a_time_gets_408_at_its_deadline() {
    for model in MODELS {
        let head = 400 * MS;
        let server = start(model, Timeouts { head, ..long() });
        let mut stream = connect(&server);
        let started = Instant::now();
        stream.write_all(b"GET /plaintext HTTP/1.1\r\n").unwrap();
        // A byte every 20 ms, each long before any read deadline, and no
        // end to the head: the head's deadline counts from its first byte.
        // (The pacing is the slowloris under test; no assertion depends
        // on how regular it is.)
        let mut trickle = stream.try_clone().unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&done);
        let trickler = std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) && trickle.write_all(b"X").is_ok() {
                std::thread::sleep(20 * MS);
            }
        });
        let answer = String::from_utf8_lossy(&read_to_close(&mut stream)).into_owned();
        let took = started.elapsed();
        done.store(true, Ordering::Relaxed);
        assert!(
            answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{model}: {answer:?}"
        );
        assert!(answer.contains("Connection: close"), "{model}");
        assert!(took >= head, "{model}: closed after {took:?}");
        drop(stream);
        trickler.join().unwrap();
    }
}
// ANCHOR_END: head

#[test]
fn an_idle_connection_is_closed_without_a_byte() {
    for model in MODELS {
        let idle = 300 * MS;
        let server = start(model, Timeouts { idle, ..long() });
        let mut client = support::Client::connect(&server);
        // Before the request: the server starts the idle deadline after
        // it, at a moment no earlier than this.
        let asked = Instant::now();
        assert_eq!(client.get("/plaintext").body, b"Hello, World!");
        // Nothing more is sent: EOF, with no bytes before it.
        assert!(client.closed(), "{model}: the server said something");
        assert!(asked.elapsed() >= idle, "{model}");
        wait_until("the server closed it", || server.connections() == 0);
    }
}

#[test]
fn a_body_that_stops_gets_408_and_one_that_keeps_coming_is_served() {
    for model in MODELS {
        // Long enough that the paced bytes below leave a wide margin: a
        // gap of 100 ms against it fails only if the test thread stalls
        // for 900 ms.
        let body = 1000 * MS;
        let server = start(model, Timeouts { body, ..long() });
        // Stops after 10 of 100 bytes.
        let mut stream = connect(&server);
        stream
            .write_all(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789")
            .unwrap();
        let last_byte = Instant::now();
        let answer = String::from_utf8_lossy(&read_to_close(&mut stream)).into_owned();
        assert!(answer.starts_with("HTTP/1.1 408"), "{model}: {answer:?}");
        assert!(last_byte.elapsed() >= body, "{model}");
        // 20 bytes, one every 100 ms (the pacing is the client under
        // test, not a wait for the server): 2 s in all, twice the timeout,
        // but never 1 s without a byte.
        let mut stream = connect(&server);
        stream
            .write_all(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 20\r\n\r\n")
            .unwrap();
        for byte in b"0123456789abcdefghij" {
            std::thread::sleep(100 * MS);
            stream.write_all(&[*byte]).unwrap();
        }
        let mut answer = vec![0u8; 1024];
        let n = stream.read(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{model}: {answer:?}");
    }
}

#[test]
fn a_client_that_stops_reading_is_closed_at_the_write_deadline() {
    for model in MODELS {
        let write = 300 * MS;
        let server = start(model, Timeouts { write, ..long() });
        // The body exists before the request: its first making is slow.
        let _ = support::big_body(64 << 20);
        // A small receive buffer, and no reading: the 64 MiB body stops
        // going out once the kernel's buffers (up to 32 MiB for the client's
        // receive side here) are full.
        let sock = Socket::tcp(Family::V4, SockFlags::BLOCKING).unwrap();
        sock.set_option_int(libc::SOL_SOCKET, libc::SO_RCVBUF, 16 * 1024)
            .unwrap();
        sock.connect(&server.local_addr()).unwrap();
        let mut stream = TcpStream::from(OwnedFd::from(sock));
        stream.set_read_timeout(Some(HANG)).unwrap();
        // `accepted` counts before a worker takes the connection, and
        // `connections` after: until then, no connections does not mean
        // this one was closed. (Waiting for "accepted and none open" let
        // the test read the whole body once, and the close came 20 s later,
        // at the idle deadline.)
        wait_until("a worker took the connection", || server.connections() == 1);
        stream
            .write_all(b"GET /big/67108864 HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        let asked = Instant::now();
        wait_until("the server closed the stalled connection", || {
            server.connections() == 0
        });
        // What arrived is a part of the answer, then the close.
        let got = read_to_close(&mut stream);
        assert!(got.starts_with(b"HTTP/1.1 200 OK"), "{model}");
        assert!(
            got.len() < 64 << 20,
            "{model}: the whole body came ({} bytes, closed after {:?})",
            got.len(),
            asked.elapsed()
        );
    }
}

#[test]
fn a_lingering_close_is_bounded() {
    for model in MODELS {
        let linger = 300 * MS;
        let server = start(model, Timeouts { linger, ..long() });
        // A bad request: 400, then the server lingers for our close,
        // which never comes; the linger deadline closes it.
        let mut stream = connect(&server);
        stream.write_all(b"BAD\r\n\r\n").unwrap();
        let sent = Instant::now();
        let answer = String::from_utf8_lossy(&read_to_close(&mut stream)).into_owned();
        assert!(answer.starts_with("HTTP/1.1 400"), "{model}: {answer:?}");
        wait_until("the lingering connection closed", || {
            server.stats().accepted == 1 && server.connections() == 0
        });
        assert!(sent.elapsed() >= linger, "{model}");
    }
}
