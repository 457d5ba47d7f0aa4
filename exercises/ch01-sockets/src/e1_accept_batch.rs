//! Exercise 1: accept a batch.
//!
//! The seed's accept thread calls `accept()` up to 100 times per wakeup and
//! stops early when nothing more is pending. Write that loop.

use std::io;
use std::net::SocketAddr;

use eventcore_sockets::Socket;

/// Accepts up to `max` pending connections from `listener`, which is
/// non-blocking (so an empty queue returns at once instead of waiting).
///
/// - Each accepted socket must be non-blocking and close-on-exec.
/// - An empty queue ends the batch: return what you have, possibly nothing.
///   It is not an error.
/// - `ECONNABORTED` means a client gave up between its handshake and our
///   `accept`: skip it and go on.
/// - Any other error ends the batch. If the batch already holds connections,
///   return them (dropping them would close connections that did nothing
///   wrong; the error will show up again on the next call). If it is empty,
///   return the error.
pub fn accept_batch(listener: &Socket, max: usize) -> io::Result<Vec<(Socket, SocketAddr)>> {
    // TODO: your code here. Chapter 1's "Listening and accepting" section and
    // the nonblocking_accept example show the calls you need.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = (listener, max);
    todo!("accept up to max connections")
}
