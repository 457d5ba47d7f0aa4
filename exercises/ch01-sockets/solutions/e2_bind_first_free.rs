//! Exercise 2: find a free port (reference solution).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;

use eventcore_sockets::Socket;

/// Returns a listening socket bound to `ip` on the first free port in `ports`.
pub fn bind_first_free(ip: IpAddr, ports: Range<u16>) -> io::Result<Socket> {
    let first = ports.start;
    for port in ports.clone() {
        match Socket::listen_on(&SocketAddr::new(ip, port), 128) {
            Ok(socket) => return Ok(socket),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        format!("every port in {first}..{} is in use", ports.end),
    ))
}
