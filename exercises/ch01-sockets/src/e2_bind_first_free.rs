//! Exercise 2: find a free port.
//!
//! A development server often wants "8080, or the next free port". Write it,
//! and learn to tell one error from another by its kind.

use std::io;
use std::net::IpAddr;
use std::ops::Range;

use eventcore_sockets::Socket;

/// Returns a listening socket bound to `ip` on the first port in `ports`
/// that is free.
///
/// - A port that is taken (`AddrInUse`) is skipped.
/// - Any other error (say, `ip` is not an address of this machine) is
///   returned at once: trying more ports would not help.
/// - If every port is taken, or the range is empty, return an `AddrInUse`
///   error.
pub fn bind_first_free(ip: IpAddr, ports: Range<u16>) -> io::Result<Socket> {
    // TODO: your code here. `Socket::listen_on` binds and listens in one call;
    // an `io::Error` can be told apart by its `kind()`.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = (ip, ports);
    todo!("bind the first free port")
}
