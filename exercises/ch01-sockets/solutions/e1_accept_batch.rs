//! Exercise 1: accept a batch (reference solution).

use std::io;
use std::net::SocketAddr;

use eventcore_sockets::{SockFlags, Socket};

/// Accepts up to `max` pending connections from the non-blocking `listener`.
pub fn accept_batch(listener: &Socket, max: usize) -> io::Result<Vec<(Socket, SocketAddr)>> {
    let mut accepted = Vec::new();
    while accepted.len() < max {
        match listener.accept(SockFlags::NONBLOCKING) {
            Ok(pair) => accepted.push(pair),
            // The accept queue is empty: the batch is done, not failed.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            // That client is gone; the next one may be fine.
            Err(e) if e.raw_os_error() == Some(libc::ECONNABORTED) => continue,
            // Keep what we have; a persistent error comes back next call.
            Err(_) if !accepted.is_empty() => break,
            Err(e) => return Err(e),
        }
    }
    Ok(accepted)
}
