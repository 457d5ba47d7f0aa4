//! Writing to a vanished peer must return `EPIPE`, not kill the process.
//!
//! Rust's runtime sets `SIGPIPE` to "ignore" before `main`, which would hide
//! a missing `MSG_NOSIGNAL`. This test binary restores the default action
//! (terminate) first, so if `send` forgot the flag the whole binary would die
//! and the test would fail. It lives in a file of its own because signal
//! dispositions are per process, and the other tests should not share it.

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::thread;
use std::time::Duration;

use eventcore_sockets::{SockFlags, Socket};

// ANCHOR: epipe
#[test]
fn send_to_a_closed_peer_is_epipe_not_sigpipe() {
    // SAFETY: signal() with SIG_DFL installs no handler code; this test binary
    // has no other test that depends on SIGPIPE being ignored.
    let previous = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    assert_ne!(previous, libc::SIG_ERR);

    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listener = Socket::listen_on(&addr, 16).unwrap();
    let client = Socket::connect_to(&listener.local_addr().unwrap()).unwrap();
    let (conn, _) = loop {
        match listener.accept(SockFlags::BLOCKING) {
            Ok(pair) => break pair,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5))
            }
            Err(e) => panic!("{e}"),
        }
    };
    conn.shutdown(Shutdown::Both).unwrap();
    drop(conn);

    // The first send reaches the closed peer, which answers with a reset;
    // a later send then fails. Without MSG_NOSIGNAL that failure is SIGPIPE.
    let mut attempts = 0;
    let err = loop {
        match client.send(b"anyone there?") {
            Ok(_) if attempts < 1000 => thread::sleep(Duration::from_millis(5)),
            Ok(_) => panic!("send kept succeeding for 5 s after the peer closed"),
            Err(e) => break e,
        }
        attempts += 1;
    };
    assert!(
        matches!(err.raw_os_error(), Some(libc::EPIPE | libc::ECONNRESET)),
        "unexpected error {err}"
    );
    // Once the reset has been reported, the socket stays broken: EPIPE.
    assert_eq!(
        client.send(b"still?").unwrap_err().kind(),
        io::ErrorKind::BrokenPipe
    );
}
// ANCHOR_END: epipe
