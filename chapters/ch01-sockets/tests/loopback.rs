//! The socket layer against the real kernel, over loopback.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use eventcore_sockets::{Family, SockFlags, Socket};

fn v4_any_port() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// A blocking listener on `addr` (port 0: the kernel picks one).
fn blocking_listener(addr: SocketAddr) -> io::Result<Socket> {
    let socket = Socket::tcp(Family::of(&addr), SockFlags::BLOCKING)?;
    socket.set_reuseaddr(true)?;
    socket.bind(&addr)?;
    socket.listen(128)?;
    Ok(socket)
}

// ANCHOR: echo_round_trip
/// Connects to `listener`, sends `message`, and checks that an echoing peer
/// thread sends the same bytes back.
fn echo_round_trip(listener: Socket, message: &[u8]) {
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (conn, _peer) = listener.accept(SockFlags::BLOCKING).unwrap();
        let mut buf = [0u8; 1024];
        loop {
            let n = conn.read(&mut buf).unwrap();
            if n == 0 {
                break; // the client shut down its writing side
            }
            (&conn).write_all(&buf[..n]).unwrap();
        }
    });

    let client = Socket::connect_to(&addr).unwrap();
    (&client).write_all(message).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let mut echoed = Vec::new();
    (&client).read_to_end(&mut echoed).unwrap();
    assert_eq!(echoed, message);
    server.join().unwrap();
}

#[test]
fn echo_round_trip_over_ipv4() {
    let listener = blocking_listener(v4_any_port()).unwrap();
    echo_round_trip(listener, b"hello over IPv4");
}
// ANCHOR_END: echo_round_trip

#[test]
fn echo_round_trip_over_ipv6_when_the_machine_has_it() {
    match blocking_listener("[::1]:0".parse().unwrap()) {
        Ok(listener) => echo_round_trip(listener, b"hello over IPv6"),
        // No IPv6 on this machine (a container without ::1): nothing to test.
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EAFNOSUPPORT | libc::EADDRNOTAVAIL)
            ) =>
        {
            eprintln!("skipped: no IPv6 loopback ({e})");
        }
        Err(e) => panic!("unexpected error binding [::1]: {e}"),
    }
}

#[test]
fn addresses_agree_on_both_ends() {
    let listener = blocking_listener(v4_any_port()).unwrap();
    let addr = listener.local_addr().unwrap();
    assert_ne!(addr.port(), 0, "the kernel assigns a port at bind");
    let client = Socket::connect_to(&addr).unwrap();
    let (conn, peer) = listener.accept(SockFlags::BLOCKING).unwrap();
    assert_eq!(peer, client.local_addr().unwrap());
    assert_eq!(conn.peer_addr().unwrap(), client.local_addr().unwrap());
    assert_eq!(client.peer_addr().unwrap(), addr);
    assert_eq!(conn.local_addr().unwrap(), addr);
}

// ANCHOR: options_read_back
#[test]
fn options_read_back_after_set() {
    let socket = Socket::tcp(Family::V4, SockFlags::BLOCKING).unwrap();
    for on in [true, false, true] {
        socket.set_reuseaddr(on).unwrap();
        assert_eq!(socket.reuseaddr().unwrap(), on);
        socket.set_reuseport(on).unwrap();
        assert_eq!(socket.reuseport().unwrap(), on);
        socket.set_nodelay(on).unwrap();
        assert_eq!(socket.nodelay().unwrap(), on);
        socket.set_keepalive(on).unwrap();
        assert_eq!(socket.keepalive().unwrap(), on);
        socket.set_nonblocking(on).unwrap();
        assert_eq!(socket.is_nonblocking().unwrap(), on);
    }
}
// ANCHOR_END: options_read_back

#[test]
fn creation_flags_are_applied_atomically() {
    let plain = Socket::tcp(
        Family::V4,
        SockFlags {
            nonblocking: false,
            cloexec: false,
        },
    )
    .unwrap();
    assert!(!plain.is_nonblocking().unwrap());
    assert!(!plain.is_cloexec().unwrap());
    let event_loop = Socket::tcp(Family::V6, SockFlags::NONBLOCKING);
    // A machine without IPv6 support can't create AF_INET6 sockets at all.
    if let Ok(socket) = event_loop {
        assert!(socket.is_nonblocking().unwrap());
        assert!(socket.is_cloexec().unwrap());
    }
}

// ANCHOR: would_block
#[test]
fn nonblocking_accept_with_nothing_pending_is_would_block() {
    let listener = Socket::listen_on(&v4_any_port(), 128).unwrap();
    let err = listener.accept(SockFlags::NONBLOCKING).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
}
// ANCHOR_END: would_block

#[test]
fn nonblocking_read_with_no_data_is_would_block() {
    let listener = Socket::listen_on(&v4_any_port(), 128).unwrap();
    let _client = Socket::connect_to(&listener.local_addr().unwrap()).unwrap();
    let (conn, _) = accept_when_ready(&listener, SockFlags::NONBLOCKING);
    let err = conn.read(&mut [0u8; 16]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
}

/// Accepts from a non-blocking listener, waiting a little for the handshake.
fn accept_when_ready(listener: &Socket, flags: SockFlags) -> (Socket, SocketAddr) {
    for _ in 0..200 {
        match listener.accept(flags) {
            Ok(pair) => return pair,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5))
            }
            Err(e) => panic!("accept failed: {e}"),
        }
    }
    panic!("no connection arrived within a second");
}

// ANCHOR: accepted_flags
#[test]
fn accepted_sockets_carry_nonblock_and_cloexec() {
    let listener = Socket::listen_on(&v4_any_port(), 128).unwrap();
    let addr = listener.local_addr().unwrap();

    let _a = TcpStream::connect(addr).unwrap();
    let (conn, _) = accept_when_ready(&listener, SockFlags::NONBLOCKING);
    assert!(conn.is_nonblocking().unwrap());
    assert!(conn.is_cloexec().unwrap());

    // Without the flags, accept4 behaves like accept: the listener's
    // O_NONBLOCK is NOT inherited by the new socket on Linux.
    let _b = TcpStream::connect(addr).unwrap();
    let no_flags = SockFlags {
        nonblocking: false,
        cloexec: false,
    };
    let (conn, _) = accept_when_ready(&listener, no_flags);
    assert!(listener.is_nonblocking().unwrap());
    assert!(!conn.is_nonblocking().unwrap());
    assert!(!conn.is_cloexec().unwrap());
}
// ANCHOR_END: accepted_flags

// ANCHOR: reuseport
#[test]
fn two_reuseport_listeners_share_a_port_and_both_get_connections() {
    let first = reuseport_listener(v4_any_port()).unwrap();
    let addr = first.local_addr().unwrap();
    let second = reuseport_listener(addr).unwrap();
    assert_eq!(second.local_addr().unwrap(), addr);

    // The kernel picks a listener by hashing each connection's addresses;
    // with 64 connections, both get some (all on one: chance 2^-63).
    let clients: Vec<_> = (0..64).map(|_| TcpStream::connect(addr).unwrap()).collect();
    thread::sleep(Duration::from_millis(50));
    let drain = |listener: &Socket| {
        let mut n = 0;
        while listener.accept(SockFlags::NONBLOCKING).is_ok() {
            n += 1;
        }
        n
    };
    let (a, b) = (drain(&first), drain(&second));
    assert_eq!(a + b, clients.len());
    assert!(a > 0 && b > 0, "first got {a}, second got {b}");
}

#[test]
fn without_reuseport_the_second_bind_fails() {
    let first = Socket::listen_on(&v4_any_port(), 16).unwrap();
    let addr = first.local_addr().unwrap();
    let err = Socket::listen_on(&addr, 16).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
}

fn reuseport_listener(addr: SocketAddr) -> io::Result<Socket> {
    let socket = Socket::tcp(Family::of(&addr), SockFlags::NONBLOCKING)?;
    socket.set_reuseport(true)?; // before bind: it is checked at bind time
    socket.bind(&addr)?;
    socket.listen(128)?;
    Ok(socket)
}
// ANCHOR_END: reuseport

#[test]
fn shutdown_write_sends_eof_but_keeps_the_read_side_open() {
    let listener = blocking_listener(v4_any_port()).unwrap();
    let client = Socket::connect_to(&listener.local_addr().unwrap()).unwrap();
    let (conn, _) = listener.accept(SockFlags::BLOCKING).unwrap();

    client.shutdown(Shutdown::Write).unwrap();
    assert_eq!(conn.read(&mut [0u8; 8]).unwrap(), 0, "server reads EOF");
    // The half-closed client still receives the server's reply.
    conn.send(b"late reply").unwrap();
    let mut buf = [0u8; 32];
    let n = client.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"late reply");
}

#[test]
fn dropping_a_socket_closes_the_connection() {
    let listener = blocking_listener(v4_any_port()).unwrap();
    let client = Socket::connect_to(&listener.local_addr().unwrap()).unwrap();
    let (conn, _) = listener.accept(SockFlags::BLOCKING).unwrap();
    drop(conn);
    // The peer sees end of file: the descriptor was closed, not leaked.
    assert_eq!(client.read(&mut [0u8; 8]).unwrap(), 0);
}

#[test]
fn connecting_to_a_closed_port_is_refused() {
    // Bind a port, learn its number, and close it again: nobody listens there.
    let addr = Socket::listen_on(&v4_any_port(), 1)
        .unwrap()
        .local_addr()
        .unwrap();
    let err = Socket::connect_to(&addr).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
}

#[test]
fn nonblocking_connect_reports_its_outcome_through_so_error() {
    let listener = Socket::listen_on(&v4_any_port(), 16).unwrap();
    let addr = listener.local_addr().unwrap();
    let client = Socket::tcp(Family::V4, SockFlags::NONBLOCKING).unwrap();
    match client.connect(&addr) {
        Ok(()) => {} // loopback can finish the handshake at once
        Err(e) => assert_eq!(e.raw_os_error(), Some(libc::EINPROGRESS)),
    }
    let (_conn, peer) = accept_when_ready(&listener, SockFlags::NONBLOCKING);
    assert_eq!(peer, client.local_addr().unwrap());
    assert!(client.take_error().unwrap().is_none());
}
