//! The portable backend: poll(2).
//!
//! The interest list lives here, in user space, and is passed to the kernel
//! whole on every wait, which then checks every fd in it: O(registered fds)
//! per wait, against epoll's O(ready fds). It is the fallback because
//! poll(2) is POSIX and, unlike the seed's `select(2)`, has no `FD_SETSIZE`
//! ceiling: `select` can't watch an fd numbered 1024 or above, and a busy
//! server passes that number in its first second. (This crate, like the
//! book, targets Linux: it also asks for `POLLRDHUP`, a Linux extension, so
//! both backends report a peer's half-close the same way.)
//!
//! poll(2) knows only level-triggering. One-shot is emulated exactly (a
//! fired entry is skipped until re-armed). Edge-triggering can't be emulated
//! by watching alone, since "new data arrived" and "data is still there" look
//! the same to poll; it is emulated with the caller's help: a fired interest
//! is parked until the caller reports `WouldBlock` through
//! [`Poller::drained`](crate::Poller::drained), which is exactly the moment
//! edge-triggered epoll would start waiting for the next edge.

use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

use eventcore_sockets::sys::cvt;

use crate::event::{Event, Interest, Mode, Token, Trigger};
use crate::timeout_ms;

/// Where an fd sits in the arrays, indexed by fd number.
const ABSENT: usize = usize::MAX;

#[derive(Debug, Clone, Copy)]
struct Entry {
    fd: RawFd,
    token: Token,
    interest: Interest,
    mode: Mode,
    /// Edge mode: interests that fired and wait for `drained`.
    parked: Interest,
    /// One-shot mode: fired, silent until re-armed.
    disarmed: bool,
}

/// The interest list and the `pollfd` array handed to the kernel.
#[derive(Debug, Default)]
pub struct PollSet {
    pollfds: Vec<libc::pollfd>,
    entries: Vec<Entry>,
    /// fd number -> index in `pollfds` and `entries`.
    index: Vec<usize>,
}

impl PollSet {
    pub fn new() -> PollSet {
        PollSet::default()
    }

    fn position(&self, fd: RawFd) -> Option<usize> {
        let i = *self.index.get(usize::try_from(fd).ok()?)?;
        (i != ABSENT).then_some(i)
    }

    pub fn add(
        &mut self,
        fd: RawFd,
        token: Token,
        interest: Interest,
        mode: Mode,
    ) -> io::Result<()> {
        let slot = usize::try_from(fd).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
        if self.position(fd).is_some() {
            // What epoll_ctl(ADD) says for an fd it already watches.
            return Err(io::Error::from_raw_os_error(libc::EEXIST));
        }
        if self.index.len() <= slot {
            self.index.resize(slot + 1, ABSENT);
        }
        self.index[slot] = self.entries.len();
        self.entries.push(Entry {
            fd,
            token,
            interest,
            mode,
            parked: Interest::NONE,
            disarmed: false,
        });
        self.pollfds.push(libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        self.sync(self.entries.len() - 1);
        Ok(())
    }

    /// Replaces interest, mode and token; re-arms and un-parks.
    pub fn modify(
        &mut self,
        fd: RawFd,
        token: Token,
        interest: Interest,
        mode: Mode,
    ) -> io::Result<()> {
        let i = self
            .position(fd)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOENT))?;
        self.entries[i] = Entry {
            fd,
            token,
            interest,
            mode,
            parked: Interest::NONE,
            disarmed: false,
        };
        self.sync(i);
        Ok(())
    }

    pub fn delete(&mut self, fd: RawFd) -> io::Result<()> {
        let i = self
            .position(fd)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOENT))?;
        self.entries.swap_remove(i);
        self.pollfds.swap_remove(i);
        self.index[fd as usize] = ABSENT;
        if let Some(moved) = self.entries.get(i) {
            self.index[moved.fd as usize] = i;
        }
        Ok(())
    }

    /// Edge mode: the caller saw `WouldBlock` for `interest`; watch it again.
    pub fn drained(&mut self, fd: RawFd, interest: Interest) {
        if let Some(i) = self.position(fd) {
            let entry = &mut self.entries[i];
            entry.parked = entry.parked.without(interest);
            self.sync(i);
        }
    }

    // ANCHOR: sync
    /// Writes entry `i`'s current wishes into its `pollfd`.
    fn sync(&mut self, i: usize) {
        let entry = &self.entries[i];
        let wanted = entry.interest.without(entry.parked);
        let pollfd = &mut self.pollfds[i];
        if entry.disarmed || (wanted == Interest::NONE && entry.parked != Interest::NONE) {
            // A negative fd makes poll skip the entry entirely; with
            // `events = 0` it would still report errors and hang-ups.
            pollfd.fd = -1;
        } else {
            pollfd.fd = entry.fd;
            pollfd.events = 0;
            if wanted.readable {
                pollfd.events |= libc::POLLIN | libc::POLLRDHUP;
            }
            if wanted.writable {
                pollfd.events |= libc::POLLOUT;
            }
        }
    }
    // ANCHOR_END: sync

    // ANCHOR: wait
    pub fn wait(&mut self, out: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<usize> {
        // SAFETY: the pointer and length describe our own pollfd array,
        // which the kernel reads and whose `revents` it writes.
        let ready = match cvt(unsafe {
            libc::poll(
                self.pollfds.as_mut_ptr(),
                self.pollfds.len() as libc::nfds_t,
                timeout_ms(timeout),
            )
        }) {
            Ok(n) => n as usize,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut found = 0;
        // The O(n) part: the kernel marked some entries; finding them means
        // looking at all of them.
        for i in 0..self.pollfds.len() {
            if found == ready {
                break;
            }
            let bits = std::mem::replace(&mut self.pollfds[i].revents, 0);
            if bits == 0 || self.pollfds[i].fd < 0 {
                continue;
            }
            found += 1;
            let event = Event {
                token: self.entries[i].token,
                readable: bits & (libc::POLLIN | libc::POLLPRI | libc::POLLRDHUP | libc::POLLHUP)
                    != 0,
                writable: bits & libc::POLLOUT != 0,
                read_closed: bits & (libc::POLLRDHUP | libc::POLLHUP) != 0,
                // POLLNVAL: the fd was closed while still registered.
                error: bits & (libc::POLLERR | libc::POLLNVAL) != 0,
            };
            out.push(event);
            let entry = &mut self.entries[i];
            if entry.mode.oneshot {
                entry.disarmed = true;
            } else if entry.mode.trigger == Trigger::Edge {
                let fired = Interest {
                    readable: event.readable,
                    writable: event.writable,
                };
                // An error or hang-up alone fires no interest: park them
                // all, or poll would report it again on every wait.
                let fired = if fired == Interest::NONE {
                    Interest::BOTH
                } else {
                    fired
                };
                entry.parked = entry.parked.union(fired);
            }
            self.sync(i);
        }
        Ok(found)
    }
    // ANCHOR_END: wait
}
