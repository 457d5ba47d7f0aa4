//! Waking a thread that is blocked in `wait` from another thread.
//!
//! A loop that sleeps in `epoll_wait` hears only about its fds. To hand it
//! work (a new connection from an accept thread in chapter 7, a "stop" in
//! chapter 9) another thread makes one of those fds readable: the waker.
//! Linux has `eventfd(2)`, a kernel counter that is one fd; elsewhere a
//! pipe does the same with two.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use eventcore_sockets::sys::{cvt, cvt_len};

/// Which kernel object carries the wake-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WakerKind {
    /// `eventfd(2)`: one fd, an 8-byte counter. Linux only.
    EventFd,
    /// `pipe2(2)`: two fds, a byte per wake-up. Everywhere.
    Pipe,
}

// ANCHOR: waker
/// An fd that [`wake`](Waker::wake) makes readable. Register it with the
/// poller (readable, level-triggered) under a token of its own; when that
/// token comes back, call [`reset`](Waker::reset) and look for the work.
///
/// `Waker` is `Send + Sync`: share it with `Arc`.
#[derive(Debug)]
pub struct Waker {
    kind: WakerKind,
    /// The end the poller watches (the eventfd itself, or the pipe's read end).
    read: OwnedFd,
    /// The pipe's write end; `None` for an eventfd.
    write: Option<OwnedFd>,
}

impl Waker {
    /// An eventfd waker, or a pipe where the kernel has no eventfd.
    pub fn new() -> io::Result<Waker> {
        match Waker::with_kind(WakerKind::EventFd) {
            Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => Waker::with_kind(WakerKind::Pipe),
            other => other,
        }
    }

    pub fn with_kind(kind: WakerKind) -> io::Result<Waker> {
        // Both ends non-blocking: wake() must never block the waking
        // thread, and reset() must stop when the counter is empty.
        match kind {
            WakerKind::EventFd => {
                // SAFETY: eventfd takes an initial value and flags only.
                let fd = cvt(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
                Ok(Waker {
                    kind,
                    // SAFETY: fd is a new eventfd that nothing else owns.
                    read: unsafe { OwnedFd::from_raw_fd(fd) },
                    write: None,
                })
            }
            WakerKind::Pipe => {
                let mut fds = [0; 2];
                // SAFETY: fds has room for the two descriptors pipe2 writes.
                cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) })?;
                Ok(Waker {
                    kind,
                    // SAFETY: pipe2 returned two new fds that nothing else owns.
                    read: unsafe { OwnedFd::from_raw_fd(fds[0]) },
                    // SAFETY: as above, the write end.
                    write: Some(unsafe { OwnedFd::from_raw_fd(fds[1]) }),
                })
            }
        }
    }

    pub fn kind(&self) -> WakerKind {
        self.kind
    }

    /// Makes the waker readable. Cheap to call many times: wake-ups that
    /// arrive before the loop resets are merged into one.
    pub fn wake(&self) -> io::Result<()> {
        let one = 1u64.to_ne_bytes();
        let (fd, bytes) = match &self.write {
            None => (self.read.as_raw_fd(), &one[..]),
            Some(write) => (write.as_raw_fd(), &one[..1]),
        };
        // SAFETY: `bytes` is a valid buffer of the given length for the call.
        match cvt_len(unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) }) {
            Ok(_) => Ok(()),
            // A full pipe or a counter at its maximum is already readable:
            // the wake-up is pending, which is all we wanted.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Consumes the pending wake-ups so the fd stops being readable.
    pub fn reset(&self) -> io::Result<()> {
        let mut sink = [0u8; 64];
        loop {
            // SAFETY: `sink` is writable for its length; an eventfd read needs
            // at least 8 bytes, and 64 is enough to drain a pipe in few calls.
            match cvt_len(unsafe {
                libc::read(self.read.as_raw_fd(), sink.as_mut_ptr().cast(), sink.len())
            }) {
                // An eventfd read returns the whole counter at once; a pipe
                // can't reach end of file while we hold its write end.
                Ok(0) => return Ok(()),
                Ok(_) if self.kind == WakerKind::EventFd => return Ok(()),
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}
// ANCHOR_END: waker

impl AsFd for Waker {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }
}
