//! What `WouldBlock` looks like: accept on a non-blocking listener before and
//! after a client connects.
//!
//! ```text
//! cargo run -p ch01-sockets --example nonblocking_accept
//! ```

use std::io;
use std::net::TcpStream;

use eventcore_sockets::{SockFlags, Socket};

// ANCHOR: main
fn main() -> io::Result<()> {
    let listener = Socket::listen_on(&"127.0.0.1:0".parse().expect("literal"), 128)?;
    let addr = listener.local_addr()?;
    println!(
        "listening on {addr} (non-blocking: {})",
        listener.is_nonblocking()?
    );

    // Nobody has connected yet: the call returns at once instead of waiting.
    match listener.accept(SockFlags::NONBLOCKING) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
            println!("accept #1: WouldBlock ({e}): nothing pending, try again later")
        }
        other => println!("accept #1: unexpected {other:?}"),
    }

    // A client connects; the kernel completes the handshake and queues it.
    let _client = TcpStream::connect(addr)?;
    let mut attempts = 1;
    let (conn, peer) = loop {
        match listener.accept(SockFlags::NONBLOCKING) {
            Ok(pair) => break pair,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => attempts += 1,
            Err(e) => return Err(e),
        }
    };
    println!(
        "accept #2: connection from {peer} after {attempts} attempt(s); \
         non-blocking: {}, close-on-exec: {}",
        conn.is_nonblocking()?,
        conn.is_cloexec()?
    );

    // And the queue is empty again.
    let again = listener.accept(SockFlags::NONBLOCKING);
    println!(
        "accept #3: {}",
        match again {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => "WouldBlock again".to_string(),
            other => format!("unexpected {other:?}"),
        }
    );
    Ok(())
}
// ANCHOR_END: main
