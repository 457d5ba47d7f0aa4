//! The Buffer against real file descriptors: `readv` with the stack spill,
//! end of file versus "nothing yet", and gathered writes into a socket that
//! is full, so that the kernel takes only part of what is offered.

use std::io::{self, IoSlice, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::thread;

use eventcore_buffer::{Buffer, SPILL_SIZE, send_vectored};
use eventcore_sockets::Socket;

/// Bytes that differ at every position (mod 251), so a misplaced or
/// duplicated chunk can't compare equal.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

// ANCHOR: spill_test
#[test]
fn readv_spills_what_the_tail_cannot_hold_and_appends_it() {
    let (mut writer, reader) = UnixStream::pair().unwrap();
    let data = pattern(50_000);
    writer.write_all(&data).unwrap();

    let mut buf = Buffer::with_capacity(16);
    let mut total = 0;
    while total < data.len() {
        let writable = buf.writable_bytes();
        let n = buf.read_from_fd(&reader).unwrap();
        assert!(n > 0 && n <= writable + SPILL_SIZE);
        total += n;
    }
    // The tail took 16 bytes, the spill the rest: all in order, once.
    assert_eq!(buf.peek(), &data[..]);
}
// ANCHOR_END: spill_test

#[test]
fn reads_of_more_than_the_spill_take_several_calls_and_lose_nothing() {
    let (mut writer, reader) = UnixStream::pair().unwrap();
    let data = pattern(300_000);
    let sent = data.clone();
    let feeder = thread::spawn(move || writer.write_all(&sent));

    let mut buf = Buffer::with_capacity(100);
    let mut reads = 0;
    loop {
        let writable = buf.writable_bytes();
        match buf.read_from_fd(&reader).unwrap() {
            0 => break,
            n => assert!(
                n <= writable + SPILL_SIZE,
                "one readv can't exceed tail + spill"
            ),
        }
        reads += 1;
    }
    feeder.join().unwrap().unwrap();
    assert!(
        reads >= 2,
        "300 000 bytes can't fit tail + spill of one read"
    );
    assert_eq!(buf.readable_bytes(), data.len());
    assert_eq!(buf.peek(), &data[..]);
}

#[test]
fn would_block_and_end_of_file_are_different_outcomes() {
    let (writer, reader) = UnixStream::pair().unwrap();
    reader.set_nonblocking(true).unwrap();
    let mut buf = Buffer::new();
    let err = buf.read_from_fd(&reader).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert!(buf.is_empty());

    drop(writer);
    assert_eq!(buf.read_from_fd(&reader).unwrap(), 0, "EOF is Ok(0)");
}

// ANCHOR: storage_test
#[test]
fn a_buffer_without_storage_takes_some_only_when_bytes_arrive() {
    let (mut writer, reader) = UnixStream::pair().unwrap();
    reader.set_nonblocking(true).unwrap();
    let mut buf = Buffer::new();
    let mut asked = 0;
    let mut supply = || {
        asked += 1;
        vec![0; 512]
    };
    // Nothing to read: no storage taken.
    let e = buf.read_from_fd_with(&reader, &mut supply).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    assert_eq!(buf.allocated_bytes(), 0);
    // Bytes: they land in the spill, then in the storage supplied.
    writer.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(buf.read_from_fd_with(&reader, &mut supply).unwrap(), 18);
    assert_eq!(
        (buf.peek(), buf.allocated_bytes()),
        (&b"GET / HTTP/1.1\r\n\r\n"[..], 512)
    );
    // Emptied and handed back, the buffer is back to nothing; the peer's
    // FIN takes no storage either.
    buf.retrieve_all();
    assert!(buf.take_storage().is_some());
    drop(writer);
    assert_eq!(buf.read_from_fd_with(&reader, &mut supply).unwrap(), 0);
    assert_eq!((buf.allocated_bytes(), asked), (0, 1));
    // Without a supplier, the storage is the usual size.
    let (mut writer, reader) = UnixStream::pair().unwrap();
    writer.write_all(b"x").unwrap();
    let mut plain = Buffer::new();
    assert_eq!(plain.read_from_fd(&reader).unwrap(), 1);
    assert_eq!(
        plain.allocated_bytes(),
        eventcore_buffer::PREPEND + eventcore_buffer::INITIAL_SIZE
    );
}
// ANCHOR_END: storage_test

#[test]
fn reads_from_a_tcp_socket_of_chapter_one() {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listener = Socket::listen_on(&addr, 16).unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    listener.set_nonblocking(false).unwrap();
    let (conn, _) = listener
        .accept(eventcore_sockets::SockFlags::BLOCKING)
        .unwrap();

    client.write_all(b"hello, buffer").unwrap();
    let mut buf = Buffer::new();
    let mut n = 0;
    while n < 13 {
        n += buf.read_from_fd(&conn).unwrap();
    }
    assert_eq!(buf.take_all(), b"hello, buffer");
}

// ANCHOR: partial_test
#[test]
fn gathered_writes_into_a_full_socket_go_out_in_parts_and_in_order() {
    let (sender, mut receiver) = UnixStream::pair().unwrap();
    sender.set_nonblocking(true).unwrap();
    let mut head = Buffer::new();
    head.append(b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n");
    let head_len = head.readable_bytes();
    let body = pattern(1 << 20);

    let mut expected = head.peek().to_vec();
    expected.extend_from_slice(&body);
    let reader = thread::spawn(move || {
        let mut got = Vec::new();
        receiver.read_to_end(&mut got).map(|_| got)
    });

    // Send until everything is out; the socket's buffer is far smaller than
    // 1 MiB, so most calls are partial, and some hit a full socket.
    let (mut body_sent, mut head_sent, mut partial) = (0, 0, 0);
    while body_sent < body.len() {
        let offered = head.readable_bytes() + body.len() - body_sent;
        match head.send_with(&sender, &body[body_sent..]) {
            Ok(sent) => {
                // The head goes first: no body byte before the head is gone.
                assert!(sent.body == 0 || head.is_empty());
                head_sent += sent.head;
                body_sent += sent.body;
                if sent.head + sent.body < offered {
                    partial += 1;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::yield_now(),
            Err(e) => panic!("send failed: {e}"),
        }
    }
    drop(sender);
    assert_eq!(head_sent, head_len);
    assert!(
        partial > 0,
        "a 1 MiB write into a socket buffer must be partial"
    );
    let got = reader.join().unwrap().unwrap();
    assert_eq!(got.len(), expected.len());
    assert!(got == expected, "bytes arrived out of order or changed");
}
// ANCHOR_END: partial_test

#[test]
fn send_vectored_takes_at_most_iov_max_slices_per_call() {
    let (sender, mut receiver) = UnixStream::pair().unwrap();
    let parts: Vec<[u8; 1]> = (0..2000).map(|i| [(i % 256) as u8]).collect();
    let slices: Vec<IoSlice> = parts.iter().map(|p| IoSlice::new(p)).collect();
    let n = send_vectored(&sender, &slices).unwrap();
    assert_eq!(n, 1024, "IOV_MAX slices of one byte each");
    let mut got = vec![0; n];
    receiver.read_exact(&mut got).unwrap();
    assert!(got.iter().enumerate().all(|(i, &b)| b == (i % 256) as u8));
}
