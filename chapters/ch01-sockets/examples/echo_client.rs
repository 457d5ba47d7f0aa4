//! Sends each line of standard input to an echo server and prints the reply.
//!
//! ```text
//! echo hello | cargo run -p ch01-sockets --example echo_client -- 127.0.0.1:7878
//! ```

use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr};

use eventcore_sockets::Socket;

fn main() -> io::Result<()> {
    let addr: SocketAddr = match std::env::args().nth(1) {
        Some(text) => text
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{text}: {e}")))?,
        None => "127.0.0.1:7878".parse().expect("a valid literal address"),
    };
    let socket = Socket::connect_to(&addr)?;
    println!("connected from {} to {}", socket.local_addr()?, addr);

    for line in io::stdin().lock().lines() {
        let line = line? + "\n";
        (&socket).write_all(line.as_bytes())?;
        let mut reply = vec![0u8; line.len()];
        (&socket).read_exact(&mut reply)?;
        print!("echo: {}", String::from_utf8_lossy(&reply));
    }
    // Tell the server we are done; it sees end of file and closes its side.
    socket.shutdown(Shutdown::Write)?;
    let mut rest = Vec::new();
    (&socket).read_to_end(&mut rest)?;
    println!("server closed the connection");
    Ok(())
}
