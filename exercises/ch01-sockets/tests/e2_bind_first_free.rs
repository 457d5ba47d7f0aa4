//! Tests for exercise 2.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr};

use ch01_sockets_exercises::e2_bind_first_free::bind_first_free;
use eventcore_sockets::Socket;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A port that is certainly taken: we hold a listener on it.
fn taken_port() -> (Socket, u16) {
    let socket = Socket::listen_on(&"127.0.0.1:0".parse().unwrap(), 16).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, port)
}

#[test]
fn skips_a_taken_port() {
    let (_holder, port) = taken_port();
    let socket = bind_first_free(LOCALHOST, port..port.saturating_add(50)).unwrap();
    let got = socket.local_addr().unwrap().port();
    assert_ne!(got, port);
    assert!(got > port && got < port.saturating_add(50), "port {got}");
}

#[test]
fn takes_the_first_port_when_it_is_free() {
    // Find a free port by binding and releasing it; then ask for it first.
    let (holder, port) = taken_port();
    drop(holder);
    let socket = bind_first_free(LOCALHOST, port..port.saturating_add(10)).unwrap();
    assert_eq!(socket.local_addr().unwrap().port(), port);
}

#[test]
fn every_port_taken_is_addr_in_use() {
    let (_holder, port) = taken_port();
    let err = bind_first_free(LOCALHOST, port..port + 1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
}

#[test]
fn other_errors_are_returned_at_once() {
    // 192.0.2.1 (TEST-NET-1) is not an address of this machine.
    let err = bind_first_free("192.0.2.1".parse().unwrap(), 8000..8010).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrNotAvailable);
}

#[test]
fn an_empty_range_is_addr_in_use() {
    let err = bind_first_free(LOCALHOST, 5000..5000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
}
