//! Exercise 1: drain a socket (reference solution).

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
pub fn drain(buf: &mut Buffer, fd: impl AsFd) -> io::Result<Drained> {
    let mut bytes = 0;
    loop {
        match buf.read_from_fd(&fd) {
            Ok(0) => return Ok(Drained { bytes, eof: true }),
            Ok(n) => bytes += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return Ok(Drained { bytes, eof: false });
            }
            // read_from_fd already retries EINTR; anything else is real.
            Err(e) => return Err(e),
        }
    }
}
