//! Exercise 1: drain a socket.
//!
//! Edge-triggered readiness (chapter 3) tells you once that a socket has
//! data; you must then read until the kernel says `WouldBlock`, or the rest
//! waits forever. Write that loop on top of `Buffer::read_from_fd`.

use std::io;
use std::os::fd::AsFd;

use eventcore_buffer::Buffer;

/// What one drain found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    /// Bytes appended to the buffer by this call.
    pub bytes: usize,
    /// The peer closed its side: a read returned 0.
    pub eof: bool,
}

/// Reads from the non-blocking `fd` into `buf` until it would block or
/// reaches end of file, and reports what it read.
///
/// - `WouldBlock` ends the drain normally (it is not an error).
/// - End of file ends it too, with `eof: true`.
/// - Any other error is returned, even if some bytes were read first (they
///   stay in `buf`, where the caller can still see them).
pub fn drain(buf: &mut Buffer, fd: impl AsFd) -> io::Result<Drained> {
    // TODO: your code here: a loop around `buf.read_from_fd(&fd)`.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = (buf, fd.as_fd());
    todo!("read until WouldBlock or end of file")
}
