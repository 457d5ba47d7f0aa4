//! Exercise 1: accept a batch.
//!
//! The seed's accept thread calls `accept()` up to 100 times per wakeup and
//! stops early at `EAGAIN`. Write that loop.

use std::io;
use std::net::SocketAddr;

use eventcore_sockets::{SockFlags, Socket};

/// Accepts up to `max` pending connections from the non-blocking `listener`.
///
/// - Each accepted socket must be non-blocking and close-on-exec.
/// - No pending connection is not an error: stop and return what you have
///   (possibly nothing).
/// - Any other error ends the batch and is returned.
pub fn accept_batch(listener: &Socket, max: usize) -> io::Result<Vec<(Socket, SocketAddr)>> {
    // TODO: call `listener.accept(...)` in a loop of at most `max` iterations.
    // TODO: tell "nothing more pending" apart from a real failure by the
    //       error's kind().
    let _ = (listener, max, SockFlags::NONBLOCKING);
    todo!("accept until max or WouldBlock")
}
