//! Exercise 2: the seed's one-shot hand-off.
//!
//! The seed's worker has one thread waiting in `epoll_wait` and a pool of
//! threads doing the reading. If a socket stayed armed while a pool thread
//! worked on it, new bytes would wake the loop again and a second pool
//! thread could read the same socket at the same time. `EPOLLONESHOT`
//! prevents that: after one event the socket is silent until re-armed, and
//! only the thread that finished with it asks for the re-arm.

use std::io;
use std::os::unix::net::UnixStream;

/// Serves `socks` with `workers` threads until `total` bytes were handled.
///
/// - The calling thread owns a `Poller` and waits; every socket is
///   registered readable with `Mode::EDGE_ONESHOT`, its index as the token.
/// - A ready socket's index goes to one of `workers` threads, which calls
///   `handle(index)`; `handle` reads the socket until `WouldBlock` and
///   returns the bytes it read.
/// - Only after `handle` returned may the socket be re-armed
///   (`Poller::reregister`). `Poller` needs `&mut` for that, so the worker
///   tells the waiting thread, which does it; a `Waker` gets its attention.
/// - Return when the `handle` calls returned `total` bytes together, with
///   every worker thread stopped.
pub fn handoff(
    socks: &[UnixStream],
    workers: usize,
    total: usize,
    handle: &(dyn Fn(usize) -> usize + Sync),
) -> io::Result<()> {
    // TODO: your code here. `std::thread::scope` lets the workers borrow
    // `socks` and `handle`; `std::sync::mpsc` channels carry indexes.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = (socks, workers, total, handle);
    todo!("one-shot hand-off to worker threads")
}
