//! The event loop under load: 1 000 concurrent clients on 127.0.0.1, each
//! sending 64 KiB and expecting exactly those bytes back, for each backend
//! and trigger; and the slow paths: half-close, and a client that sends
//! far more than the high-water mark before it reads anything.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use eventcore_poller::echo::{Config, EchoServer, Stats, StopHandle};
use eventcore_poller::{Backend, Trigger};
use eventcore_sockets::Socket;
use eventcore_sockets::sys::raise_fd_limit;

/// Every test here ends within this, or fails.
const DEADLINE: Duration = Duration::from_secs(60);

struct Running {
    addr: SocketAddr,
    stop: StopHandle,
    thread: thread::JoinHandle<io::Result<Stats>>,
}

fn start(config: Config) -> Running {
    let listener = Socket::listen_on(&"127.0.0.1:0".parse().unwrap(), 4096).unwrap();
    let mut server = EchoServer::new(listener, config).unwrap();
    let addr = server.local_addr().unwrap();
    let stop = server.stop_handle();
    let thread = thread::spawn(move || server.run());
    Running { addr, stop, thread }
}

impl Running {
    fn finish(self) -> Stats {
        self.stop.stop().unwrap();
        self.thread
            .join()
            .expect("server thread")
            .expect("server run")
    }
}

fn config(backend: Backend, trigger: Trigger) -> Config {
    Config {
        backend,
        trigger,
        ..Config::default()
    }
}

/// Edge-triggered, ending read bursts at a short read instead of `WouldBlock`.
fn short_reads(backend: Backend) -> Config {
    Config {
        stop_at_short_read: true,
        ..config(backend, Trigger::Edge)
    }
}

fn pattern(seed: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 7 + seed * 13) % 251) as u8)
        .collect()
}

// ANCHOR: thousand
fn thousand_clients_each_get_their_64k_back(config: Config) {
    const CLIENTS: usize = 1000;
    const SIZE: usize = 64 * 1024;
    let want = 2 * CLIENTS as u64 + 100;
    assert!(
        raise_fd_limit(want).unwrap() >= want,
        "not enough fds for the test"
    );
    let server = start(config);
    let addr = server.addr;
    // All clients connect first, then all send: 1 000 connections are open
    // and active at the same time.
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| {
            let barrier = Arc::clone(&barrier);
            thread::Builder::new()
                .stack_size(128 * 1024)
                .spawn(move || -> io::Result<bool> {
                    let mut stream = TcpStream::connect(addr)?;
                    stream.set_read_timeout(Some(DEADLINE))?;
                    stream.set_write_timeout(Some(DEADLINE))?;
                    barrier.wait();
                    let data = pattern(id, SIZE);
                    stream.write_all(&data)?;
                    let mut back = vec![0; SIZE];
                    stream.read_exact(&mut back)?;
                    Ok(back == data)
                })
                .expect("spawn client")
        })
        .collect();
    let start = Instant::now();
    for (id, client) in clients.into_iter().enumerate() {
        let exact = client.join().expect("client thread").expect("client I/O");
        assert!(exact, "client {id} got different bytes back");
    }
    assert!(start.elapsed() < DEADLINE);
    let stats = server.finish();
    assert_eq!(stats.accepted, CLIENTS as u64);
    assert_eq!(stats.bytes, (CLIENTS * SIZE) as u64);
}
// ANCHOR_END: thousand

#[test]
fn thousand_clients_epoll_edge() {
    thousand_clients_each_get_their_64k_back(config(Backend::Epoll, Trigger::Edge));
}

#[test]
fn thousand_clients_epoll_level() {
    thousand_clients_each_get_their_64k_back(config(Backend::Epoll, Trigger::Level));
}

#[test]
fn thousand_clients_poll_edge() {
    thousand_clients_each_get_their_64k_back(config(Backend::Poll, Trigger::Edge));
}

#[test]
fn thousand_clients_poll_level() {
    thousand_clients_each_get_their_64k_back(config(Backend::Poll, Trigger::Level));
}

#[test]
fn thousand_clients_epoll_edge_short_reads() {
    thousand_clients_each_get_their_64k_back(short_reads(Backend::Epoll));
}

#[test]
fn thousand_clients_poll_edge_short_reads() {
    thousand_clients_each_get_their_64k_back(short_reads(Backend::Poll));
}

/// A client that writes 4 MiB before reading a byte: the server must stop
/// reading at its high-water mark (or it would buffer all 4 MiB), resume
/// when the client drains, and still return every byte in order.
fn sender_that_does_not_read_gets_everything_back(config: Config) {
    const SIZE: usize = 4 << 20;
    let server = start(Config {
        high_water: 64 * 1024,
        ..config
    });
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let data = pattern(1, SIZE);
    let sent = data.clone();
    let sender = thread::spawn(move || {
        writer.write_all(&sent)?;
        // Half-close: "no more from me"; the server must still send the rest.
        writer.shutdown(Shutdown::Write)
    });
    // Let the sender run into the full socket buffers before reading.
    thread::sleep(Duration::from_millis(100));
    let mut back = Vec::with_capacity(SIZE);
    stream.read_to_end(&mut back).unwrap();
    sender.join().unwrap().unwrap();
    assert_eq!(back.len(), SIZE);
    assert!(back == data, "bytes changed or reordered");
    let stats = server.finish();
    assert_eq!(
        stats.closed, 1,
        "the server closed after echoing everything"
    );
}

#[test]
fn backpressure_and_half_close_epoll_edge() {
    sender_that_does_not_read_gets_everything_back(config(Backend::Epoll, Trigger::Edge));
}

#[test]
fn backpressure_and_half_close_epoll_level() {
    sender_that_does_not_read_gets_everything_back(config(Backend::Epoll, Trigger::Level));
}

#[test]
fn backpressure_and_half_close_poll_edge() {
    sender_that_does_not_read_gets_everything_back(config(Backend::Poll, Trigger::Edge));
}

#[test]
fn backpressure_and_half_close_poll_level() {
    sender_that_does_not_read_gets_everything_back(config(Backend::Poll, Trigger::Level));
}

#[test]
fn backpressure_and_half_close_epoll_edge_short_reads() {
    sender_that_does_not_read_gets_everything_back(short_reads(Backend::Epoll));
}

#[test]
fn backpressure_and_half_close_poll_edge_short_reads() {
    sender_that_does_not_read_gets_everything_back(short_reads(Backend::Poll));
}

/// Many small messages and a half-close right after the last one: the FIN
/// can arrive with the data, in the same edge, where a short read must not
/// end the burst or the close would go unnoticed.
fn request_then_half_close(config: Config) {
    let server = start(config);
    for round in 0..200 {
        let mut stream = TcpStream::connect(server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let data = pattern(round, 100);
        stream.write_all(&data).unwrap();
        stream.shutdown(Shutdown::Write).unwrap();
        let mut back = Vec::new();
        // read_to_end returns only when the server closes: a missed FIN
        // leaves it waiting until the timeout, and the test fails.
        stream.read_to_end(&mut back).unwrap();
        assert_eq!(back, data);
    }
    let stats = server.finish();
    assert_eq!(stats.closed, 200);
}

#[test]
fn half_close_after_data_is_seen_epoll_edge_short_reads() {
    request_then_half_close(short_reads(Backend::Epoll));
}

#[test]
fn half_close_after_data_is_seen_poll_edge_short_reads() {
    request_then_half_close(short_reads(Backend::Poll));
}

#[test]
fn stop_handle_ends_an_idle_loop_promptly() {
    let server = start(Config::default());
    let start = Instant::now();
    let stats = server.finish();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(stats.accepted, 0);
}
