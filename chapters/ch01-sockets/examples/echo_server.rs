//! A blocking echo server: one thread per connection.
//!
//! ```text
//! cargo run -p ch01-sockets --example echo_server -- 127.0.0.1:7878
//! ```
//!
//! This is the model the book leaves behind: every connection costs a thread
//! (and its stack) even while it sits idle. Chapter 3 serves many
//! connections from one thread instead.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::thread;
use std::time::Duration;

use eventcore_sockets::{Family, SockFlags, Socket};

// ANCHOR: main
fn main() -> io::Result<()> {
    let addr: SocketAddr = match std::env::args().nth(1) {
        Some(text) => text
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{text}: {e}")))?,
        None => "127.0.0.1:7878".parse().expect("a valid literal address"),
    };
    let listener = Socket::tcp(Family::of(&addr), SockFlags::BLOCKING)?;
    listener.set_reuseaddr(true)?;
    listener.bind(&addr)?;
    listener.listen(128)?;
    println!("echo server listening on {}", listener.local_addr()?);

    loop {
        // Blocks until a client connects.
        let (conn, peer) = match listener.accept(SockFlags::BLOCKING) {
            Ok(pair) => pair,
            // One client's trouble must not stop the server. ECONNABORTED (a
            // client that reset before we accepted it) is harmless; EMFILE
            // (out of descriptors) would repeat at once, so pause a moment.
            // Chapter 7 handles both properly.
            Err(e) => {
                eprintln!("accept failed: {e}");
                if e.raw_os_error() != Some(libc::ECONNABORTED) {
                    thread::sleep(Duration::from_millis(100));
                }
                continue;
            }
        };
        println!("{peer} connected");
        thread::spawn(move || match echo(&conn) {
            Ok(bytes) => println!("{peer} closed after {bytes} bytes"),
            Err(e) => println!("{peer} failed: {e}"),
        });
    }
}

/// Sends back everything it reads until the peer closes; returns the byte count.
fn echo(conn: &Socket) -> io::Result<u64> {
    let mut buf = [0u8; 4096];
    let mut total = 0;
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) => return Ok(total), // end of file: the client is done
            Ok(n) => n,
            // A signal interrupted the wait; nothing was read. (std's helpers
            // such as read_exact and write_all retry this on their own.)
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        // write_all loops over partial sends; `send` never raises SIGPIPE.
        (&*conn).write_all(&buf[..n])?;
        total += n as u64;
    }
}
// ANCHOR_END: main
