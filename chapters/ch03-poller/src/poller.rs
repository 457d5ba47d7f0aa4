//! One interface over the two backends.
//!
//! The backend is chosen at run time (the echo example takes a flag), so
//! this is an enum, not a trait: two known implementations, one `match` per
//! call, nothing for a caller to implement.

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use crate::epoll::Epoll;
use crate::event::{Event, Interest, Mode, Token};
use crate::poll::PollSet;

/// Which kernel interface a [`Poller`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// epoll(7): Linux; O(ready fds) per wait.
    Epoll,
    /// poll(2): every Unix; O(registered fds) per wait.
    Poll,
}

impl std::str::FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Backend, String> {
        match s {
            "epoll" => Ok(Backend::Epoll),
            "poll" => Ok(Backend::Poll),
            other => Err(format!("unknown backend {other:?} (epoll or poll)")),
        }
    }
}

#[derive(Debug)]
enum Inner {
    Epoll(Epoll),
    Poll(PollSet),
}

// ANCHOR: poller
/// Tells which registered fds are ready, and for what.
///
/// ```text
/// register(fd, token, interest, mode)    start watching
/// reregister(fd, token, interest, mode)  change what to watch; re-arm a one-shot
/// deregister(fd)                         stop watching (before closing the fd)
/// wait(&mut events, timeout)             block until something is ready
/// drained(fd, interest)                  edge mode: "I got WouldBlock"
/// ```
#[derive(Debug)]
pub struct Poller {
    inner: Inner,
}

impl Poller {
    pub fn new(backend: Backend) -> io::Result<Poller> {
        let inner = match backend {
            Backend::Epoll => Inner::Epoll(Epoll::new()?),
            Backend::Poll => Inner::Poll(PollSet::new()),
        };
        Ok(Poller { inner })
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Epoll(_) => Backend::Epoll,
            Inner::Poll(_) => Backend::Poll,
        }
    }

    /// Starts watching `fd`. Fails with `AlreadyExists` if it is watched already.
    pub fn register(
        &mut self,
        fd: impl AsFd,
        token: Token,
        interest: Interest,
        mode: Mode,
    ) -> io::Result<()> {
        let fd = fd.as_fd().as_raw_fd();
        match &mut self.inner {
            Inner::Epoll(e) => e.add(fd, token, interest, mode),
            Inner::Poll(p) => p.add(fd, token, interest, mode),
        }
    }

    /// Replaces what `fd` is watched for, and re-arms a one-shot registration.
    pub fn reregister(
        &mut self,
        fd: impl AsFd,
        token: Token,
        interest: Interest,
        mode: Mode,
    ) -> io::Result<()> {
        let fd = fd.as_fd().as_raw_fd();
        match &mut self.inner {
            Inner::Epoll(e) => e.modify(fd, token, interest, mode),
            Inner::Poll(p) => p.modify(fd, token, interest, mode),
        }
    }

    /// Stops watching `fd`. Call it before closing the fd: epoll forgets a
    /// closed fd by itself only when no other copy of it (after `dup` or
    /// `fork`) is open, and poll(2) would report it as invalid.
    pub fn deregister(&mut self, fd: impl AsFd) -> io::Result<()> {
        let fd = fd.as_fd().as_raw_fd();
        match &mut self.inner {
            Inner::Epoll(e) => e.delete(fd),
            Inner::Poll(p) => p.delete(fd),
        }
    }

    /// For edge-triggered registrations: the caller read (or wrote) until
    /// `WouldBlock`, so the next event should come on the next change.
    ///
    /// With epoll the kernel already knows, and this does nothing (no
    /// syscall). The poll(2) backend needs it to emulate edges: see
    /// [`poll`](crate::poll). Calling it for level or one-shot registrations is harmless.
    pub fn drained(&mut self, fd: impl AsFd, interest: Interest) {
        if let Inner::Poll(p) = &mut self.inner {
            p.drained(fd.as_fd().as_raw_fd(), interest);
        }
    }

    /// Blocks until at least one registered fd is ready or `timeout` passes
    /// (`None`: no limit), then replaces the contents of `events` with what
    /// is ready and returns how many. Timeouts have millisecond resolution
    /// and are rounded up; a signal ends the wait early with 0 events.
    pub fn wait(
        &mut self,
        events: &mut Vec<Event>,
        timeout: Option<Duration>,
    ) -> io::Result<usize> {
        events.clear();
        match &mut self.inner {
            Inner::Epoll(e) => e.wait(events, timeout),
            Inner::Poll(p) => p.wait(events, timeout),
        }
    }
}
// ANCHOR_END: poller
