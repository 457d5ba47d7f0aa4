//! The socket layer against the real kernel, over loopback.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

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
        socket.set_cork(on).unwrap();
        assert_eq!(socket.cork().unwrap(), on);
        socket.set_keepalive(on).unwrap();
        assert_eq!(socket.keepalive().unwrap(), on);
        socket.set_nonblocking(on).unwrap();
        assert_eq!(socket.is_nonblocking().unwrap(), on);
    }
}
// ANCHOR_END: options_read_back

#[test]
fn creation_flags_are_set_by_socket_itself() {
    let plain = SockFlags {
        nonblocking: false,
        cloexec: false,
    };
    for (flags, nonblocking, cloexec) in [
        (plain, false, false),
        (SockFlags::BLOCKING, false, true),
        (SockFlags::NONBLOCKING, true, true),
    ] {
        let socket = Socket::tcp(Family::V4, flags).unwrap();
        assert_eq!(socket.is_nonblocking().unwrap(), nonblocking, "{flags:?}");
        assert_eq!(socket.is_cloexec().unwrap(), cloexec, "{flags:?}");
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

/// Polls `done` until it holds, for at most 5 s: the client's `connect` can
/// return a moment before the server's kernel has queued the connection.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

/// Accepts from a non-blocking listener, waiting a little for the handshake.
fn accept_when_ready(listener: &Socket, flags: SockFlags) -> (Socket, SocketAddr) {
    for _ in 0..1000 {
        match listener.accept(flags) {
            Ok(pair) => return pair,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5))
            }
            Err(e) => panic!("accept failed: {e}"),
        }
    }
    panic!("no connection arrived within 5 s");
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

    // The kernel picks a listener by hashing each connection's addresses
    // and ports; with 64 connections, both get some (all on one: 2^-63).
    let clients: Vec<_> = (0..64).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let queued = || {
        let (a, b) = (
            first.listen_queue().unwrap(),
            second.listen_queue().unwrap(),
        );
        (a.pending, b.pending)
    };
    wait_until("64 connections queued", || queued().0 + queued().1 >= 64);
    let (a, b) = queued();
    assert_eq!((a + b) as usize, clients.len());
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

// ANCHOR: listen_queue
#[test]
fn the_accept_queue_fills_until_accept_and_its_limit_is_capped() {
    let listener = Socket::tcp(Family::V4, SockFlags::NONBLOCKING).unwrap();
    listener.bind(&v4_any_port()).unwrap();
    listener.listen(1_000_000).unwrap();
    let somaxconn: u32 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let queue = listener.listen_queue().unwrap();
    assert_eq!(queue.limit, somaxconn.min(1_000_000), "backlog is capped");
    assert_eq!(queue.pending, 0);

    // Handshakes complete without any accept: the kernel queues them.
    let addr = listener.local_addr().unwrap();
    let _clients: Vec<_> = (0..3).map(|_| TcpStream::connect(addr).unwrap()).collect();
    wait_until("3 connections queued", || {
        listener.listen_queue().unwrap().pending >= 3
    });
    assert_eq!(listener.listen_queue().unwrap().pending, 3);
    listener.accept(SockFlags::NONBLOCKING).unwrap();
    assert_eq!(listener.listen_queue().unwrap().pending, 2);
}
// ANCHOR_END: listen_queue

#[test]
fn listen_queue_of_a_socket_that_is_not_listening_is_an_error() {
    let socket = Socket::tcp(Family::V4, SockFlags::BLOCKING).unwrap();
    let err = socket.listen_queue().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

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

/// Starts a non-blocking connect to `addr` and waits (polling `SO_ERROR`
/// and the peer address, since chapter 3's poller doesn't exist yet) until
/// it has either connected or failed.
fn nonblocking_connect(addr: &SocketAddr) -> (Socket, Option<io::Error>) {
    let client = Socket::tcp(Family::V4, SockFlags::NONBLOCKING).unwrap();
    match client.connect(addr) {
        Ok(()) => return (client, None), // loopback may finish at once
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return (client, Some(e)), // or fail at once
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Some(err) = client.take_error().unwrap() {
            return (client, Some(err));
        }
        if client.peer_addr().is_ok() {
            return (client, None);
        }
        thread::sleep(Duration::from_millis(1));
    }
    panic!("non-blocking connect to {addr} neither finished nor failed in 5 s");
}

#[test]
fn nonblocking_connect_reports_success_and_failure() {
    let listener = Socket::listen_on(&v4_any_port(), 16).unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, err) = nonblocking_connect(&addr);
    assert!(err.is_none(), "{err:?}");
    let (_conn, peer) = accept_when_ready(&listener, SockFlags::NONBLOCKING);
    assert_eq!(peer, client.local_addr().unwrap());

    drop(listener); // nobody listens on addr any more
    let (_client, err) = nonblocking_connect(&addr);
    assert_eq!(
        err.map(|e| e.kind()),
        Some(io::ErrorKind::ConnectionRefused)
    );
}

#[test]
fn send_file_sends_a_slice_of_a_file_and_zero_past_its_end() {
    let path = std::env::temp_dir().join(format!("ch01-send-file-{}", std::process::id()));
    let contents: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &contents).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    std::fs::remove_file(&path).unwrap();

    let listener = blocking_listener(v4_any_port()).unwrap();
    let client = Socket::connect_to(&listener.local_addr().unwrap()).unwrap();
    let (conn, _) = listener.accept(SockFlags::BLOCKING).unwrap();
    use std::os::fd::AsFd;
    let (offset, count) = (1_000, 50_000);
    let mut sent = 0;
    while sent < count {
        let n = conn
            .send_file(file.as_fd(), (offset + sent) as u64, count - sent)
            .unwrap();
        assert!(n > 0, "the file is long enough");
        sent += n;
    }
    // Past the end there is nothing to send: what a shrunk file looks like.
    assert_eq!(conn.send_file(file.as_fd(), 100_000, 10).unwrap(), 0);
    drop(conn);
    let mut received = Vec::new();
    (&client).read_to_end(&mut received).unwrap();
    assert_eq!(received, &contents[offset..offset + count]);
}
