//! Socket options and descriptor flags: the seed's network tuning.
//!
//! Each option this chapter uses is an `int`: one `setsockopt` to set it and
//! one `getsockopt` to read it back. Reading back is not a formality: the kernel may adjust a value (it
//! doubles `SO_RCVBUF`, for one), and a test that reads the option back
//! proves the call reached the socket it meant to.

use std::io;
use std::mem;
use std::os::fd::AsRawFd;

use crate::socket::Socket;
use crate::sys::cvt;

// ANCHOR: sockopt
impl Socket {
    /// Sets an `int`-valued socket option.
    pub fn set_option_int(
        &self,
        level: libc::c_int,
        name: libc::c_int,
        value: libc::c_int,
    ) -> io::Result<()> {
        // SAFETY: the pointer and length describe `value`, a live c_int that the
        // kernel only reads.
        cvt(unsafe {
            libc::setsockopt(
                self.as_raw_fd(),
                level,
                name,
                (&raw const value).cast(),
                mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        })?;
        Ok(())
    }

    /// Reads an `int`-valued socket option.
    pub fn option_int(&self, level: libc::c_int, name: libc::c_int) -> io::Result<libc::c_int> {
        let mut value: libc::c_int = 0;
        let mut len = mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: the pointers refer to `value` and `len`, live locals; len says
        // how much room value has, and the kernel writes no more than that.
        cvt(unsafe {
            libc::getsockopt(
                self.as_raw_fd(),
                level,
                name,
                (&raw mut value).cast(),
                &raw mut len,
            )
        })?;
        Ok(value)
    }
    // ANCHOR_END: sockopt

    // ANCHOR: options
    /// `SO_REUSEADDR`: bind to a port that still has connections in
    /// `TIME_WAIT`, so a restarted server does not fail with `EADDRINUSE`.
    pub fn set_reuseaddr(&self, on: bool) -> io::Result<()> {
        self.set_option_int(libc::SOL_SOCKET, libc::SO_REUSEADDR, on.into())
    }

    /// Whether `SO_REUSEADDR` is set.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        Ok(self.option_int(libc::SOL_SOCKET, libc::SO_REUSEADDR)? != 0)
    }

    /// `SO_REUSEPORT`: several sockets (of the same user, all with the option
    /// set before `bind`) may bind the same address and port; the kernel
    /// spreads incoming connections across their accept queues by a hash of
    /// each connection's addresses and ports.
    pub fn set_reuseport(&self, on: bool) -> io::Result<()> {
        self.set_option_int(libc::SOL_SOCKET, libc::SO_REUSEPORT, on.into())
    }

    /// Whether `SO_REUSEPORT` is set.
    pub fn reuseport(&self) -> io::Result<bool> {
        Ok(self.option_int(libc::SOL_SOCKET, libc::SO_REUSEPORT)? != 0)
    }

    /// `TCP_NODELAY`: send small segments at once instead of holding them
    /// back while earlier data is unacknowledged (Nagle's algorithm).
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.set_option_int(libc::IPPROTO_TCP, libc::TCP_NODELAY, on.into())
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        Ok(self.option_int(libc::IPPROTO_TCP, libc::TCP_NODELAY)? != 0)
    }

    /// `TCP_CORK` (tcp(7)): hold back partial segments until the option is
    /// cleared (at most 200 ms, as Linux implements it), so that data
    /// written in pieces leaves in full ones. Clearing it sends what was
    /// held at once.
    pub fn set_cork(&self, on: bool) -> io::Result<()> {
        self.set_option_int(libc::IPPROTO_TCP, libc::TCP_CORK, on.into())
    }

    /// Whether `TCP_CORK` is set.
    pub fn cork(&self) -> io::Result<bool> {
        Ok(self.option_int(libc::IPPROTO_TCP, libc::TCP_CORK)? != 0)
    }

    /// `SO_KEEPALIVE`: probe an idle connection to find out whether the peer
    /// is still there. With the kernel's defaults the first probe waits
    /// `net.ipv4.tcp_keepalive_time` (two hours), then nine probes 75 s apart
    /// must go unanswered: a dead peer is noticed after 2 h 11 min. The
    /// per-socket `TCP_KEEPIDLE`, `TCP_KEEPINTVL` and `TCP_KEEPCNT` shorten
    /// that; a server's own idle timeout (chapter 9) is simpler.
    pub fn set_keepalive(&self, on: bool) -> io::Result<()> {
        self.set_option_int(libc::SOL_SOCKET, libc::SO_KEEPALIVE, on.into())
    }

    /// Whether `SO_KEEPALIVE` is set.
    pub fn keepalive(&self) -> io::Result<bool> {
        Ok(self.option_int(libc::SOL_SOCKET, libc::SO_KEEPALIVE)? != 0)
    }

    /// `SO_ERROR`: takes (and clears) the socket's pending error, which is how
    /// a non-blocking `connect` reports its outcome.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        let code = self.option_int(libc::SOL_SOCKET, libc::SO_ERROR)?;
        Ok((code != 0).then(|| io::Error::from_raw_os_error(code)))
    }
    // ANCHOR_END: options

    // ANCHOR: listen_queue
    /// The accept queue of a listening socket: how many connections have
    /// finished the handshake and wait for `accept`, and how many the kernel
    /// will queue before it stops answering new handshakes.
    ///
    /// Linux reports both through `TCP_INFO`: for a socket in the LISTEN
    /// state, `tcpi_unacked` holds the queue's length and `tcpi_sacked` its
    /// limit, the backlog given to `listen` capped at `net.core.somaxconn`.
    pub fn listen_queue(&self) -> io::Result<ListenQueue> {
        // SAFETY: tcp_info is plain old data; all-zero bytes are a valid value.
        let mut info: libc::tcp_info = unsafe { mem::zeroed() };
        let mut len = mem::size_of::<libc::tcp_info>() as libc::socklen_t;
        // SAFETY: the pointers refer to `info` and `len`, live locals; len is
        // info's size, and the kernel writes at most that many bytes.
        cvt(unsafe {
            libc::getsockopt(
                self.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_INFO,
                (&raw mut info).cast(),
                &raw mut len,
            )
        })?;
        if info.tcpi_state != TCP_STATE_LISTEN {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "listen_queue: the socket is not listening",
            ));
        }
        Ok(ListenQueue {
            pending: info.tcpi_unacked,
            limit: info.tcpi_sacked,
        })
    }
    // ANCHOR_END: listen_queue

    // ANCHOR: fcntl
    /// Switches `O_NONBLOCK` on or off with `fcntl`, keeping the other file
    /// status flags.
    ///
    /// Prefer setting it at creation ([`crate::SockFlags`]); this is for a
    /// socket that came from elsewhere.
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        // SAFETY: F_GETFL takes no pointer argument.
        let flags = cvt(unsafe { libc::fcntl(self.as_raw_fd(), libc::F_GETFL) })?;
        let new = if on {
            flags | libc::O_NONBLOCK
        } else {
            flags & !libc::O_NONBLOCK
        };
        if new != flags {
            // SAFETY: F_SETFL takes an int argument, no pointer.
            cvt(unsafe { libc::fcntl(self.as_raw_fd(), libc::F_SETFL, new) })?;
        }
        Ok(())
    }

    /// Whether `O_NONBLOCK` is set (a file status flag, shared by all
    /// descriptors that refer to the same open socket).
    pub fn is_nonblocking(&self) -> io::Result<bool> {
        // SAFETY: F_GETFL takes no pointer argument.
        let flags = cvt(unsafe { libc::fcntl(self.as_raw_fd(), libc::F_GETFL) })?;
        Ok(flags & libc::O_NONBLOCK != 0)
    }

    /// Whether `FD_CLOEXEC` is set (a descriptor flag, private to this descriptor).
    pub fn is_cloexec(&self) -> io::Result<bool> {
        // SAFETY: F_GETFD takes no pointer argument.
        let flags = cvt(unsafe { libc::fcntl(self.as_raw_fd(), libc::F_GETFD) })?;
        Ok(flags & libc::FD_CLOEXEC != 0)
    }
    // ANCHOR_END: fcntl
}

/// `TCP_LISTEN` in the kernel's `include/net/tcp_states.h`; the libc crate
/// does not export the TCP state numbers.
const TCP_STATE_LISTEN: u8 = 10;

/// The state of a listening socket's accept queue, from [`Socket::listen_queue`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListenQueue {
    /// Connections that completed the handshake and wait for `accept`.
    pub pending: u32,
    /// The queue's limit: `listen`'s backlog, capped at `net.core.somaxconn`.
    pub limit: u32,
}
