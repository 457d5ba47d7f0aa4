//! Measures what the seed's socket tuning does on this machine: the kernel
//! settings that cap `listen(4096)` and delay `SO_KEEPALIVE`, the accept
//! queue limit `listen` really gets, and which options and flags an accepted
//! socket inherits from its listener.
//!
//! ```text
//! cargo run -p ch01-sockets --example socket_facts
//! ```

use std::fs;
use std::io;
use std::net::TcpStream;

use eventcore_sockets::{Family, SockFlags, Socket};

fn kernel_setting(path: &str) -> String {
    fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|e| format!("unreadable ({e})"))
}

fn main() -> io::Result<()> {
    println!("kernel: {}", kernel_setting("/proc/sys/kernel/osrelease"));
    println!(
        "net.core.somaxconn = {} (listen(4096) is capped at this)",
        kernel_setting("/proc/sys/net/core/somaxconn")
    );
    println!(
        "net.ipv4.tcp_keepalive_time = {} s (first SO_KEEPALIVE probe after this much idle)",
        kernel_setting("/proc/sys/net/ipv4/tcp_keepalive_time")
    );
    println!(
        "net.ipv4.tcp_keepalive_intvl = {} s, tcp_keepalive_probes = {} (then probes this far apart, this many)",
        kernel_setting("/proc/sys/net/ipv4/tcp_keepalive_intvl"),
        kernel_setting("/proc/sys/net/ipv4/tcp_keepalive_probes")
    );

    // A listener with every option of the seed switched on, and the seed's
    // backlog and ten times more...
    let listener = Socket::tcp(Family::V4, SockFlags::NONBLOCKING)?;
    listener.set_reuseaddr(true)?;
    listener.set_reuseport(true)?;
    listener.set_nodelay(true)?;
    listener.set_keepalive(true)?;
    listener.bind(&"127.0.0.1:0".parse().expect("literal"))?;
    for backlog in [4096, 40960] {
        listener.listen(backlog)?; // a second listen() just changes the backlog
        println!(
            "listen({backlog}): accept queue limit {}",
            listener.listen_queue()?.limit
        );
    }
    let _client = TcpStream::connect(listener.local_addr()?)?;
    // ...and a connection accepted with plain accept semantics (no flags).
    let plain = SockFlags {
        nonblocking: false,
        cloexec: false,
    };
    let (conn, _) = loop {
        match listener.accept(plain) {
            Ok(pair) => break pair,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::yield_now(),
            Err(e) => return Err(e),
        }
    };

    println!("{:<14} {:>9} {:>9}", "option", "listener", "accepted");
    type Getter = fn(&Socket) -> io::Result<bool>;
    let rows: [(&str, Getter); 6] = [
        ("O_NONBLOCK", Socket::is_nonblocking),
        ("SO_REUSEADDR", Socket::reuseaddr),
        ("SO_REUSEPORT", Socket::reuseport),
        ("TCP_NODELAY", Socket::nodelay),
        ("SO_KEEPALIVE", Socket::keepalive),
        ("FD_CLOEXEC", Socket::is_cloexec),
    ];
    for (name, get) in rows {
        println!("{name:<14} {:>9} {:>9}", get(&listener)?, get(&conn)?);
    }
    Ok(())
}
