//! The Linux backend: epoll(7).
//!
//! The kernel keeps the interest list, so registering costs one
//! `epoll_ctl` and waiting costs O(ready fds), not O(registered fds): a
//! callback on each socket puts it on the epoll instance's ready list when
//! its state changes, and `epoll_wait` just copies that list out.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use eventcore_sockets::sys::cvt;

use crate::event::{Event, Interest, Mode, Token, Trigger};
use crate::timeout_ms;

/// The events array starts at the seed's 16 and doubles whenever a wait fills it.
pub const INITIAL_EVENTS: usize = 16;
/// ... up to this many per wait. More ready fds simply wait for the next call.
pub const MAX_EVENTS: usize = 4096;

/// An epoll instance and the array `epoll_wait` fills.
#[derive(Debug)]
pub struct Epoll {
    epfd: OwnedFd,
    events: Vec<libc::epoll_event>,
}

impl Epoll {
    pub fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes only flags; CLOEXEC keeps the fd out of
        // child processes, as the seed asks.
        let fd = cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        Ok(Epoll {
            // SAFETY: fd is a new epoll fd that nothing else owns.
            epfd: unsafe { OwnedFd::from_raw_fd(fd) },
            events: vec![libc::epoll_event { events: 0, u64: 0 }; INITIAL_EVENTS],
        })
    }

    /// The current length of the events array (it grows; the tests watch it).
    pub fn capacity(&self) -> usize {
        self.events.len()
    }

    pub fn add(
        &mut self,
        fd: RawFd,
        token: Token,
        interest: Interest,
        mode: Mode,
    ) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, token, interest, mode)
    }

    /// `EPOLL_CTL_MOD`: replaces interest, mode and token, and re-arms a
    /// one-shot registration. If the fd is ready at that moment, an event is
    /// queued at once, whatever the trigger.
    pub fn modify(
        &mut self,
        fd: RawFd,
        token: Token,
        interest: Interest,
        mode: Mode,
    ) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, token, interest, mode)
    }

    pub fn delete(&mut self, fd: RawFd) -> io::Result<()> {
        // SAFETY: since Linux 2.6.9 EPOLL_CTL_DEL ignores the event pointer, so null is allowed.
        cvt(unsafe {
            libc::epoll_ctl(
                self.epfd.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                fd,
                std::ptr::null_mut(),
            )
        })?;
        Ok(())
    }

    // ANCHOR: ctl
    fn ctl(
        &mut self,
        op: libc::c_int,
        fd: RawFd,
        token: Token,
        interest: Interest,
        mode: Mode,
    ) -> io::Result<()> {
        let mut flags = 0;
        if interest.readable {
            // RDHUP: learn that the peer shut down its side without a read returning 0 first.
            flags |= libc::EPOLLIN | libc::EPOLLRDHUP;
        }
        if interest.writable {
            flags |= libc::EPOLLOUT;
        }
        if mode.trigger == Trigger::Edge {
            flags |= libc::EPOLLET;
        }
        if mode.oneshot {
            flags |= libc::EPOLLONESHOT;
        }
        // EPOLLERR and EPOLLHUP are always reported; they need no flag.
        let mut event = libc::epoll_event {
            events: flags as u32,
            u64: token.0,
        };
        // SAFETY: `event` is a valid epoll_event that the kernel copies
        // during the call; epfd is our open epoll fd.
        cvt(unsafe { libc::epoll_ctl(self.epfd.as_raw_fd(), op, fd, &mut event) })?;
        Ok(())
    }
    // ANCHOR_END: ctl

    // ANCHOR: wait
    /// Waits for events and appends them to `out`; returns how many.
    /// A signal that interrupts the wait returns 0 events, so the caller's
    /// loop can look at whatever flag the signal handler set.
    pub fn wait(
        &mut self,
        out: &mut Vec<Event>,
        timeout: Option<std::time::Duration>,
    ) -> io::Result<usize> {
        let max = self.events.len() as libc::c_int;
        // SAFETY: the pointer and length describe our own array of
        // epoll_event, which the kernel fills with at most `max` entries.
        let n = match cvt(unsafe {
            libc::epoll_wait(
                self.epfd.as_raw_fd(),
                self.events.as_mut_ptr(),
                max,
                timeout_ms(timeout),
            )
        }) {
            Ok(n) => n as usize,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(0),
            Err(e) => return Err(e),
        };
        for raw in &self.events[..n] {
            // Copy out of the (packed on x86-64) struct before using the fields.
            let (bits, token) = (raw.events as libc::c_int, raw.u64);
            out.push(Event {
                token: Token(token),
                readable: bits
                    & (libc::EPOLLIN | libc::EPOLLPRI | libc::EPOLLRDHUP | libc::EPOLLHUP)
                    != 0,
                writable: bits & libc::EPOLLOUT != 0,
                read_closed: bits & (libc::EPOLLRDHUP | libc::EPOLLHUP) != 0,
                error: bits & libc::EPOLLERR != 0,
            });
        }
        // A full array may mean more fds were ready than it could hold: make
        // room for them next time (the seed's auto-resize).
        if n == self.events.len() && n < MAX_EVENTS {
            self.events
                .resize(2 * n, libc::epoll_event { events: 0, u64: 0 });
        }
        Ok(n)
    }
    // ANCHOR_END: wait
}
