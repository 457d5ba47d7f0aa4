//! Moving bytes between a `Buffer` and a file descriptor in as few syscalls as possible.
//!
//! Reading: one `readv(2)` into the buffer's writable tail and a 64 KiB
//! spill area on the stack, so one call drains up to 64 KiB more than the
//! buffer has room for, and the buffer grows only by what actually arrived.
//!
//! Writing: `sendmsg(2)` with several slices (a gathered write), so a
//! response head in the buffer and a body held elsewhere leave in one call
//! without first being copied together. `sendmsg` rather than `writev`
//! because only `sendmsg` takes `MSG_NOSIGNAL`: a write to a socket whose
//! peer has gone must fail with `EPIPE`, not kill the process with
//! `SIGPIPE` (chapter 1).

use std::io::{self, IoSlice};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd};

use eventcore_sockets::sys::{cvt_len, retry_on_eintr};

use crate::Buffer;

/// Size of the stack spill area of [`Buffer::read_from_fd`].
pub const SPILL_SIZE: usize = 64 * 1024;

/// The most slices one `sendmsg` accepts (`IOV_MAX` on Linux); more are sent by later calls.
const IOV_MAX: usize = 1024;

impl Buffer {
    // ANCHOR: read_from_fd
    /// Reads once from `fd` into the buffer and returns how many bytes arrived.
    ///
    /// `Ok(0)` is end of file (the peer closed its side); a non-blocking fd
    /// with nothing to read gives `Err` of kind `WouldBlock`. One call reads
    /// at most `writable_bytes() + SPILL_SIZE` bytes; an edge-triggered
    /// caller calls again until `WouldBlock` (chapter 3).
    pub fn read_from_fd(&mut self, fd: impl AsFd) -> io::Result<usize> {
        self.read_from_fd_with(fd, || vec![0; crate::PREPEND + crate::INITIAL_SIZE])
    }

    /// [`read_from_fd`](Self::read_from_fd), with `storage` to call if the
    /// buffer has none: the bytes land in the stack spill first, and the
    /// buffer takes storage only if some arrived. A connection that wakes
    /// up to find nothing, or the peer's FIN, takes no memory (chapter 8
    /// passes its pool here).
    pub fn read_from_fd_with(
        &mut self,
        fd: impl AsFd,
        storage: impl FnOnce() -> Vec<u8>,
    ) -> io::Result<usize> {
        // Uninitialized on purpose: zeroing 64 KiB on every read would cost
        // more than the read. Only the bytes the kernel wrote are looked at.
        let mut spill = MaybeUninit::<[u8; SPILL_SIZE]>::uninit();
        let writable = self.writable_bytes();
        let tail = self.writable_slice();
        let iov = [
            libc::iovec {
                iov_base: tail.as_mut_ptr().cast(),
                iov_len: writable,
            },
            libc::iovec {
                iov_base: spill.as_mut_ptr().cast(),
                iov_len: SPILL_SIZE,
            },
        ];
        // With 64 KiB or more of room, the tail is enough; with no room
        // (no storage yet), the spill is.
        let iov = match writable {
            0 => &iov[1..],
            w if w >= SPILL_SIZE => &iov[..1],
            _ => &iov[..],
        };
        let fd = fd.as_fd().as_raw_fd();
        let n = retry_on_eintr(|| {
            // SAFETY: each iovec points to writable memory of the stated
            // length (the buffer's tail, the spill array) that outlives the
            // call, and nothing else touches either during it.
            cvt_len(unsafe { libc::readv(fd, iov.as_ptr(), iov.len() as libc::c_int) })
        })?;
        if n <= writable {
            self.commit(n);
        } else {
            self.commit(writable);
            if self.allocated_bytes() == 0 {
                // Too short a storage is refused, and `append` allocates.
                let _ = self.give_storage(storage());
            }
            // SAFETY: readv filled the tail first and then wrote the
            // remaining `n - writable` bytes to the start of the spill
            // array, so those bytes are initialized.
            let spilled =
                unsafe { std::slice::from_raw_parts(spill.as_ptr().cast::<u8>(), n - writable) };
            self.append(spilled);
        }
        Ok(n)
    }
    // ANCHOR_END: read_from_fd

    // ANCHOR: send_to
    /// Sends as much of the content as the socket takes and consumes what was sent.
    ///
    /// A full socket gives `Err` of kind `WouldBlock`; the content stays, and
    /// the caller waits to be told the socket is writable (chapter 3).
    pub fn send_to(&mut self, sock: impl AsFd) -> io::Result<usize> {
        let n = send_vectored(sock, &[IoSlice::new(self.peek())])?;
        self.retrieve(n);
        Ok(n)
    }

    /// A gathered write: the content followed by `body`, in one `sendmsg`.
    ///
    /// What was sent from the content is consumed; the caller keeps `body`
    /// and resumes it at `Sent::body` if the socket took less than everything.
    pub fn send_with(&mut self, sock: impl AsFd, body: &[u8]) -> io::Result<Sent> {
        let n = send_vectored(sock, &[IoSlice::new(self.peek()), IoSlice::new(body)])?;
        let head = n.min(self.readable_bytes());
        self.retrieve(head);
        Ok(Sent {
            head,
            body: n - head,
        })
    }
    // ANCHOR_END: send_to
}

// ANCHOR: sent
/// How a gathered write of a buffer's content and a body went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// Bytes of the buffer's content sent (and consumed from it).
    pub head: usize,
    /// Bytes of the body sent.
    pub body: usize,
}
// ANCHOR_END: sent

// ANCHOR: send_vectored
/// Sends the slices in order with one `sendmsg(MSG_NOSIGNAL)` and returns
/// how many bytes the socket took, which may be fewer than all.
///
/// Only sockets: `sendmsg` on a pipe fails with `ENOTSOCK`. More than
/// `IOV_MAX` slices are cut to the first `IOV_MAX`; the short count tells
/// the caller to go on. Use [`IoSlice::advance_slices`] to skip what was sent.
pub fn send_vectored(sock: impl AsFd, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    let bufs = &bufs[..bufs.len().min(IOV_MAX)];
    // SAFETY: msghdr is a plain C struct for which all zeroes is valid
    // (no address, no control data, no flags).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    // IoSlice is guaranteed to be ABI-compatible with iovec on Unix.
    msg.msg_iov = bufs.as_ptr().cast_mut().cast();
    msg.msg_iovlen = bufs.len();
    let fd = sock.as_fd().as_raw_fd();
    retry_on_eintr(|| {
        // SAFETY: msg points to `bufs`, a live array of valid slices that
        // sendmsg only reads; the call does not keep any pointer.
        cvt_len(unsafe { libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL) })
    })
}
// ANCHOR_END: send_vectored
