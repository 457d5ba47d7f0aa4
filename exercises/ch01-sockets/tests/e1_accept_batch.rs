//! Tests for exercise 1. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use std::io::ErrorKind;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use ch01_sockets_exercises::e1_accept_batch::accept_batch;
use eventcore_sockets::{Family, SockFlags, Socket};

fn listener() -> Socket {
    Socket::listen_on(&"127.0.0.1:0".parse().unwrap(), 128).unwrap()
}

/// Opens `n` client connections and waits until all of them sit in the
/// listener's accept queue (the client's `connect` can return a moment
/// before the server side has queued the connection).
fn connect_clients(listener: &Socket, n: usize) -> Vec<TcpStream> {
    let addr = listener.local_addr().unwrap();
    let clients = (0..n).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    while (listener.listen_queue().unwrap().pending as usize) < n {
        assert!(Instant::now() < deadline, "connections never queued");
        thread::sleep(Duration::from_millis(1));
    }
    clients
}

#[test]
fn takes_everything_pending_when_the_batch_is_large_enough() {
    let listener = listener();
    let clients = connect_clients(&listener, 5);
    let batch = accept_batch(&listener, 100).unwrap();
    assert_eq!(batch.len(), 5);
    // Each peer address is one of our clients' local addresses.
    for (_, peer) in &batch {
        assert!(clients.iter().any(|c| c.local_addr().unwrap() == *peer));
    }
}

#[test]
fn stops_at_the_batch_size_and_leaves_the_rest_queued() {
    let listener = listener();
    let _clients = connect_clients(&listener, 5);
    assert_eq!(accept_batch(&listener, 3).unwrap().len(), 3);
    assert_eq!(accept_batch(&listener, 3).unwrap().len(), 2);
}

#[test]
fn an_empty_queue_is_an_empty_batch_not_an_error() {
    let listener = listener();
    let batch = accept_batch(&listener, 100).unwrap();
    assert!(batch.is_empty());
}

#[test]
fn accepted_sockets_are_nonblocking_and_close_on_exec() {
    let listener = listener();
    let _clients = connect_clients(&listener, 2);
    let batch = accept_batch(&listener, 10).unwrap();
    assert_eq!(batch.len(), 2);
    for (socket, _) in &batch {
        assert!(socket.is_nonblocking().unwrap());
        assert!(socket.is_cloexec().unwrap());
    }
}

#[test]
fn a_real_error_with_nothing_accepted_is_returned() {
    // accept() on a socket that is not listening fails with EINVAL.
    let not_listening = Socket::tcp(Family::V4, SockFlags::NONBLOCKING).unwrap();
    let err = accept_batch(&not_listening, 10).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn a_batch_of_zero_accepts_nothing() {
    let listener = listener();
    let _clients = connect_clients(&listener, 1);
    assert!(accept_batch(&listener, 0).unwrap().is_empty());
    assert_eq!(listener.listen_queue().unwrap().pending, 1);
}
