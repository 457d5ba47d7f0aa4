//! What one connection costs in memory while it is idle, part by part:
//! the numbers behind chapter 7's per-connection memory.
//!
//! ```text
//! cargo run -p ch07-workers --example connection_facts
//! ```
//!
//! It sends one small request over loopback to a `Connection`, lets it
//! answer, and reports what the idle connection then holds, with each
//! [`Retain`] setting.

use std::io::{Read, Write};
use std::mem::size_of;
use std::net::TcpStream;
use std::time::Duration;

use eventcore_buffer::{Buffer, INITIAL_SIZE, PREPEND};
use eventcore_http::{DateCache, Limits, Parser};
use eventcore_poller::{Backend, Interest, Mode, Poller, Token};
use eventcore_sockets::{SockFlags, Socket};
use eventcore_workers::{Connection, Env, Heap, Outcome, Retain, Work, demo};

fn main() {
    println!(
        "Connection (in its table slot): {} bytes",
        size_of::<Connection>()
    );
    println!(
        "Work (boxed, the buffers and the parser): {} bytes",
        size_of::<Work>()
    );
    println!("  of which the Parser: {} bytes", size_of::<Parser>());
    println!(
        "  and each of its two Buffers: {} bytes",
        size_of::<Buffer>()
    );
    println!(
        "a Buffer's first storage: {} bytes ({PREPEND} + {INITIAL_SIZE})",
        PREPEND + INITIAL_SIZE
    );
    for retain in [Retain::Small, Retain::Nothing] {
        println!(
            "heap held by an idle connection after one /plaintext request, {retain:?}: {} bytes",
            idle_heap_after_one_request(retain)
        );
    }
}

/// One request through a real connection, then what it keeps while idle.
fn idle_heap_after_one_request(retain: Retain) -> usize {
    let listener = Socket::listen_on(&"127.0.0.1:0".parse().unwrap(), 1).expect("listen");
    listener.set_nonblocking(false).expect("blocking accept");
    let mut client = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
    let (sock, _) = listener.accept(SockFlags::NONBLOCKING).expect("accept");
    let mut conn = Connection::new(sock);
    client
        .write_all(b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("send");
    // Wait for the request to arrive, as the worker's poller would.
    let mut poller = Poller::new(Backend::Epoll).expect("poller");
    poller
        .register(conn.socket(), Token(0), Interest::READABLE, Mode::LEVEL)
        .expect("register");
    let mut events = Vec::new();
    poller
        .wait(&mut events, Some(Duration::from_secs(10)))
        .expect("wait");
    let app = demo::app();
    let date = DateCache::default();
    let env = Env {
        app: &app,
        date: &date,
        limits: Limits::default(),
        high_water: 64 * 1024,
        may_block: false,
        draining: &std::sync::atomic::AtomicBool::new(false),
        linger: false,
        worker: 0,
        token: None,
    };
    let outcome = conn.on_ready(&env, &mut Heap, false);
    assert_eq!(outcome, Outcome::Wait(Interest::READABLE));
    let mut answer = [0u8; 512];
    let n = client.read(&mut answer).expect("an answer");
    assert!(answer[..n].starts_with(b"HTTP/1.1 200 OK"));
    conn.park(&mut Heap, retain);
    conn.heap_bytes()
}
