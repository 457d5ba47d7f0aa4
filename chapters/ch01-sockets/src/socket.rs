//! `Socket`: one TCP socket, owned.
//!
//! The type owns its file descriptor through [`OwnedFd`], so the descriptor
//! is closed exactly once, when the `Socket` is dropped, and can't be used
//! after that. This replaces the seed's `Socket::close()` and the question of
//! who calls it.

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};

use crate::addr::SockAddr;
use crate::sys::{cvt, cvt_len, retry_on_eintr};

/// The address family of a socket: which IP version it speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// IPv4 (`AF_INET`).
    V4,
    /// IPv6 (`AF_INET6`).
    V6,
}

impl Family {
    /// The family a socket needs in order to bind or connect to `addr`.
    pub fn of(addr: &SocketAddr) -> Family {
        match addr {
            SocketAddr::V4(_) => Family::V4,
            SocketAddr::V6(_) => Family::V6,
        }
    }

    fn as_raw(self) -> libc::c_int {
        match self {
            Family::V4 => libc::AF_INET,
            Family::V6 => libc::AF_INET6,
        }
    }
}

// ANCHOR: flags
/// Flags a new descriptor gets in the same syscall that creates it (`socket`
/// or `accept4`), instead of with `fcntl` calls afterwards: one syscall
/// instead of three, and no moment in which the descriptor lacks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockFlags {
    /// `O_NONBLOCK`: calls that would wait return `WouldBlock` instead.
    pub nonblocking: bool,
    /// `FD_CLOEXEC`: the descriptor is closed in a child after `exec`.
    pub cloexec: bool,
}

impl SockFlags {
    /// Blocking, closed on exec: what a thread-per-connection program wants.
    pub const BLOCKING: SockFlags = SockFlags {
        nonblocking: false,
        cloexec: true,
    };
    /// Non-blocking, closed on exec: what an event loop wants.
    pub const NONBLOCKING: SockFlags = SockFlags {
        nonblocking: true,
        cloexec: true,
    };

    fn as_raw(self) -> libc::c_int {
        let mut raw = 0;
        if self.nonblocking {
            raw |= libc::SOCK_NONBLOCK;
        }
        if self.cloexec {
            raw |= libc::SOCK_CLOEXEC;
        }
        raw
    }
}
// ANCHOR_END: flags

// ANCHOR: socket_struct
/// A TCP socket that closes its descriptor when dropped.
#[derive(Debug)]
pub struct Socket {
    fd: OwnedFd,
}
// ANCHOR_END: socket_struct

impl Socket {
    // ANCHOR: tcp
    /// Creates a TCP socket for `family` with `flags` set atomically.
    pub fn tcp(family: Family, flags: SockFlags) -> io::Result<Socket> {
        let ty = libc::SOCK_STREAM | flags.as_raw();
        // SAFETY: socket() takes no pointers; it returns a new descriptor or -1.
        let fd = cvt(unsafe { libc::socket(family.as_raw(), ty, libc::IPPROTO_TCP) })?;
        // SAFETY: fd was just returned by socket(), is open, and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Socket { fd })
    }
    // ANCHOR_END: tcp

    // ANCHOR: listen
    /// Binds to `addr`.
    pub fn bind(&self, addr: &SocketAddr) -> io::Result<()> {
        let raw = SockAddr::from_std(addr);
        // SAFETY: raw points to an initialized sockaddr of raw.len() bytes that
        // outlives the call; the kernel only reads it.
        cvt(unsafe { libc::bind(self.as_raw_fd(), raw.as_ptr(), raw.len()) })?;
        Ok(())
    }

    /// Makes this a listening socket. The kernel completes handshakes on its
    /// own and queues the new connections (the accept queue) until `accept`
    /// takes them; `backlog` limits that queue, silently capped at
    /// `net.core.somaxconn` (4096 by default since Linux 5.4).
    pub fn listen(&self, backlog: i32) -> io::Result<()> {
        // SAFETY: listen() takes no pointers.
        cvt(unsafe { libc::listen(self.as_raw_fd(), backlog) })?;
        Ok(())
    }
    // ANCHOR_END: listen

    // ANCHOR: accept
    /// Takes one connection off the accept queue.
    ///
    /// `accept4` gives the new socket its flags in the same call. Plain
    /// `accept` would not: on Linux an accepted socket does not inherit
    /// `O_NONBLOCK` from the listener, so an event loop would need a second
    /// syscall per connection to set it.
    ///
    /// On a non-blocking listener with nothing pending this returns an error
    /// of kind `WouldBlock`: an ordinary outcome that means "come back when
    /// the listener is readable", not a failure to log.
    pub fn accept(&self, flags: SockFlags) -> io::Result<(Socket, SocketAddr)> {
        let mut peer = SockAddr::empty();
        let (addr_ptr, len_ptr) = peer.as_mut_ptrs();
        let fd = retry_on_eintr(|| {
            // SAFETY: addr_ptr and len_ptr point into `peer`, which outlives the call;
            // *len_ptr holds the storage size, so the kernel writes within bounds.
            cvt(unsafe { libc::accept4(self.as_raw_fd(), addr_ptr, len_ptr, flags.as_raw()) })
        })?;
        // SAFETY: accept4 returned a new open descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok((Socket { fd }, peer.to_std()?))
    }
    // ANCHOR_END: accept

    // ANCHOR: connect
    /// Connects to `addr`.
    ///
    /// On a blocking socket this waits for the handshake. On a non-blocking
    /// socket it usually returns at once with `EINPROGRESS` (compare
    /// `raw_os_error()` with `libc::EINPROGRESS`: the matching `ErrorKind`
    /// is not stable yet); the socket becomes writable when the handshake
    /// ends, and [`Socket::take_error`] then tells whether it succeeded.
    ///
    /// Not retried on `EINTR`: the handshake goes on in the kernel, and a
    /// second `connect` would only report `EALREADY`. A caller that gets
    /// `Interrupted` from a blocking connect should drop the socket and start over.
    pub fn connect(&self, addr: &SocketAddr) -> io::Result<()> {
        let raw = SockAddr::from_std(addr);
        // SAFETY: raw points to an initialized sockaddr of raw.len() bytes; read only.
        cvt(unsafe { libc::connect(self.as_raw_fd(), raw.as_ptr(), raw.len()) })?;
        Ok(())
    }
    // ANCHOR_END: connect

    // ANCHOR: io
    /// Reads into `buf`. `Ok(0)` means the peer closed its side (end of file).
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: buf is valid for writes of buf.len() bytes for the whole call.
        cvt_len(unsafe { libc::read(self.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) })
    }

    /// Writes from `buf` with plain `write(2)`.
    ///
    /// Writing to a connection that the peer has reset, or whose writing side
    /// was shut down, makes the kernel raise `SIGPIPE`, whose default action
    /// kills the process. Rust programs start with `SIGPIPE` ignored, so in
    /// Rust this returns `EPIPE`, but a library can't count on its host
    /// program: prefer [`Socket::send`]. The name is not `write` so that it
    /// can't shadow `io::Write::write`, which goes through `send`.
    pub fn write_raw(&self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: buf is valid for reads of buf.len() bytes for the whole call.
        cvt_len(unsafe { libc::write(self.as_raw_fd(), buf.as_ptr().cast(), buf.len()) })
    }

    /// Writes from `buf` with `send(MSG_NOSIGNAL)`: a broken connection is
    /// reported as an `EPIPE` error (`ErrorKind::BrokenPipe`), never as a signal.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: buf is valid for reads of buf.len() bytes for the whole call.
        cvt_len(unsafe {
            libc::send(
                self.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                libc::MSG_NOSIGNAL,
            )
        })
    }

    /// Shuts down one or both directions. `Shutdown::Write` sends a FIN: the
    /// peer reads end of file, while this side can still read what the peer sends.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let how = match how {
            Shutdown::Read => libc::SHUT_RD,
            Shutdown::Write => libc::SHUT_WR,
            Shutdown::Both => libc::SHUT_RDWR,
        };
        // SAFETY: shutdown() takes no pointers.
        cvt(unsafe { libc::shutdown(self.as_raw_fd(), how) })?;
        Ok(())
    }
    // ANCHOR_END: io

    // ANCHOR: send_file
    /// Sends up to `count` bytes of `file`, from `offset` on, with
    /// `sendfile(2)`: the kernel moves them from the page cache to the
    /// socket, and they never pass through user space. Returns the bytes
    /// sent; `Ok(0)` with `count > 0` means the file ends before `offset`
    /// (it shrank). A broken connection is `EPIPE`, as with [`Socket::send`]:
    /// `sendfile` raises no `SIGPIPE` only because Rust ignores it, so a
    /// library host that restores it must not call this (Linux has no
    /// `MSG_NOSIGNAL` for `sendfile`).
    pub fn send_file(&self, file: BorrowedFd<'_>, offset: u64, count: usize) -> io::Result<usize> {
        let mut off = libc::off_t::try_from(offset)
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        // SAFETY: both fds are open for the call (a borrow and self); `off`
        // is a valid off_t the kernel reads and updates, and nothing else.
        cvt_len(unsafe { libc::sendfile(self.as_raw_fd(), file.as_raw_fd(), &mut off, count) })
    }
    // ANCHOR_END: send_file

    /// The address this socket is bound to (with the port the kernel chose
    /// when it was bound to port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        let mut addr = SockAddr::empty();
        let (addr_ptr, len_ptr) = addr.as_mut_ptrs();
        // SAFETY: both pointers point into `addr`, which outlives the call, and
        // *len_ptr is the storage size.
        cvt(unsafe { libc::getsockname(self.as_raw_fd(), addr_ptr, len_ptr) })?;
        addr.to_std()
    }

    /// The address of the connected peer; `ENOTCONN` if there is none.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        let mut addr = SockAddr::empty();
        let (addr_ptr, len_ptr) = addr.as_mut_ptrs();
        // SAFETY: as in local_addr.
        cvt(unsafe { libc::getpeername(self.as_raw_fd(), addr_ptr, len_ptr) })?;
        addr.to_std()
    }

    // ANCHOR: helpers
    /// A *non-blocking* listener on `addr` (backlog `backlog`) with
    /// `SO_REUSEADDR` set, so that a restarted server can bind while its old
    /// connections linger in `TIME_WAIT`.
    pub fn listen_on(addr: &SocketAddr, backlog: i32) -> io::Result<Socket> {
        let socket = Socket::tcp(Family::of(addr), SockFlags::NONBLOCKING)?;
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(backlog)?;
        Ok(socket)
    }

    /// A blocking client socket connected to `addr`.
    pub fn connect_to(addr: &SocketAddr) -> io::Result<Socket> {
        let socket = Socket::tcp(Family::of(addr), SockFlags::BLOCKING)?;
        socket.connect(addr)?;
        Ok(socket)
    }
    // ANCHOR_END: helpers
}

// ANCHOR: std_io
/// `Read` and `Write` make a `Socket` usable with `BufReader`, `read_exact`,
/// `write_all` and the rest of `std::io`. `Write` goes through `send`, so it
/// never raises `SIGPIPE`.
///
/// They are implemented for `&Socket` as well as for `Socket`: reading and
/// writing only need the descriptor, not exclusive access, so one thread can
/// read while another writes (as `std::net::TcpStream` allows). Call them as
/// `(&socket).write_all(..)` when all you hold is a shared reference.
impl io::Read for &Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Socket::read(self, buf)
    }
}

impl io::Write for &Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Socket::send(self, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        // Nothing is buffered in user space.
        Ok(())
    }
}

// ANCHOR_END: std_io

impl io::Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Socket::read(self, buf)
    }
}

impl io::Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Socket::send(self, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl IntoRawFd for Socket {
    fn into_raw_fd(self) -> RawFd {
        self.fd.into_raw_fd()
    }
}

impl From<OwnedFd> for Socket {
    /// Adopts a descriptor, meant to be a TCP socket. This is safe even when
    /// it is not: every method goes through a syscall that checks, so the
    /// worst outcome is an error such as `ENOTSOCK`.
    fn from(fd: OwnedFd) -> Socket {
        Socket { fd }
    }
}

impl From<Socket> for OwnedFd {
    fn from(socket: Socket) -> OwnedFd {
        socket.fd
    }
}
