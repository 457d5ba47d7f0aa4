//! What a large response costs the server beside its body: a slow reader
//! of a 64 MiB body must not make the server copy the body (the first
//! version of chapter 7 appended whatever the first send did not take to
//! the output buffer: a second 64 MiB). Its own test binary: it counts the
//! bytes live on the heap of every thread.

mod support;

#[path = "../../ch04-parser/tests/support/counting_alloc.rs"]
mod counting_alloc;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::OwnedFd;

use counting_alloc::peak_growth_in;
use eventcore_sockets::socket::Family;
use eventcore_sockets::{SockFlags, Socket};
use eventcore_workers::Model;
use support::{Gate, MODELS, big_body, get, start_with, test_app_with};

const BODY: usize = 64 << 20;

/// Sends `GET /big/{BODY}` and reads the answer through a small receive
/// window, in pieces, into one fixed buffer (the client allocates nothing),
/// checking every byte.
fn read_big_answer(stream: &mut TcpStream) {
    stream
        .write_all(get(&format!("/big/{BODY}")).as_bytes())
        .unwrap();
    let expected = big_body(BODY);
    let mut buf = [0u8; 16 * 1024];
    let mut head = [0u8; 512];
    let (mut head_len, mut body_seen) = (0, 0);
    while body_seen < BODY {
        let n = stream.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "the server closed after {body_seen} bytes of the body"
        );
        let mut piece = &buf[..n];
        if head_len < 4 || &head[head_len - 4..head_len] != b"\r\n\r\n" {
            // Still in the head: copy bytes until its empty line.
            while let Some((&byte, rest)) = piece.split_first() {
                head[head_len] = byte;
                head_len += 1;
                piece = rest;
                if head[..head_len].ends_with(b"\r\n\r\n") {
                    break;
                }
            }
        }
        assert!(piece == &expected[body_seen..body_seen + piece.len()]);
        body_seen += piece.len();
    }
    assert!(head.starts_with(b"HTTP/1.1 200 OK\r\n"));
}

fn growth_while_serving_a_large_body(model: Model) -> usize {
    let server = start_with(model, test_app_with(Gate::default()), 1, 1);
    // The body exists once, made before anything is counted.
    let _ = big_body(BODY);
    // A small receive buffer, set before connecting: the server's sends
    // are cut short again and again, and the body goes out in many pieces.
    let sock = Socket::tcp(Family::V4, SockFlags::BLOCKING).unwrap();
    sock.set_option_int(libc::SOL_SOCKET, libc::SO_RCVBUF, 16 * 1024)
        .unwrap();
    sock.connect(&server.local_addr()).unwrap();
    let mut stream = TcpStream::from(OwnedFd::from(sock));
    // A first answer warms the connection's buffers.
    read_big_answer(&mut stream);
    peak_growth_in(|| read_big_answer(&mut stream))
}

#[test]
fn a_large_body_is_sent_from_where_it_is() {
    for model in MODELS {
        let growth = growth_while_serving_a_large_body(model);
        // The output buffer up to the high-water mark and small change:
        // far below a second copy of the body.
        assert!(
            growth < 1 << 20,
            "{model}: the heap grew by {growth} bytes while a {BODY}-byte body went out"
        );
    }
}
