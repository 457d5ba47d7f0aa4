//! A listener in a poller that accepts in batches and pauses when the
//! process runs out of file descriptors: what both execution models accept
//! with (the seed's accept thread, and each worker of the inline model).
//!
//! A thread with nothing to accept sleeps in `epoll_wait`, instead of the
//! seed's loop that sleeps 100 µs and tries again (10 000 wake-ups a second
//! on an idle server, and up to 100 µs added to every connect).
//!
//! Running out of file descriptors is the one accept error that doesn't go
//! away by itself: the connection stays in the listen queue, the listener
//! stays readable, and a level-triggered loop would spin at 100% CPU. The
//! [`Listening`] gate stops watching the listener for a moment instead, and
//! tries again after it; the clients wait in the listen queue and are
//! served as soon as descriptors come back.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eventcore_poller::{Interest, Mode, Poller, Token};
use eventcore_sockets::{SockFlags, Socket};

use crate::stats::Counters;

/// How long accepting pauses after `EMFILE`/`ENFILE`.
pub const PAUSE: Duration = Duration::from_millis(100);

// ANCHOR: listening
/// A listener in a poller, level-triggered, that can pause.
#[derive(Debug)]
pub(crate) struct Listening {
    sock: Socket,
    token: Token,
    batch: usize,
    /// Set while paused: when to watch the listener again.
    paused_until: Option<Instant>,
    /// Logged the current run of accept errors already.
    out_of_fds: bool,
    counters: Arc<Counters>,
}

impl Listening {
    pub(crate) fn new(
        sock: Socket,
        token: Token,
        batch: usize,
        poller: &mut Poller,
        counters: Arc<Counters>,
    ) -> io::Result<Listening> {
        // Level-triggered: a batch that stops before the queue is empty is
        // reported again by the next wait, so no connection is forgotten.
        poller.register(&sock, token, Interest::READABLE, Mode::LEVEL)?;
        Ok(Listening {
            sock,
            token,
            batch: batch.max(1),
            paused_until: None,
            out_of_fds: false,
            counters,
        })
    }

    /// How long the owner's `wait` may sleep: until the pause ends, if paused.
    pub(crate) fn timeout(&self, now: Instant) -> Option<Duration> {
        self.paused_until
            .map(|until| until.saturating_duration_since(now))
    }

    /// Watches the listener again if a pause is over; true if it was.
    /// Call it after every wait: it makes no syscall unless paused.
    pub(crate) fn resume(&mut self, poller: &mut Poller, now: Instant) -> bool {
        match self.paused_until {
            Some(until) if now >= until => {
                self.paused_until = None;
                self.watch(poller, Interest::READABLE);
                true
            }
            _ => false,
        }
    }

    /// Stops watching the listener for good and closes it: new clients are
    /// refused from now on (those still in its queue are reset).
    pub(crate) fn close(self, poller: &mut Poller) {
        let _ = poller.deregister(&self.sock);
    }

    // ANCHOR: accept_batch
    /// Accepts up to a batch of connections and hands each to `deliver`.
    /// True if it ran out of descriptors and paused: the owner may free
    /// some (close idle connections) and [`resume_now`](Self::resume_now).
    pub(crate) fn accept(&mut self, poller: &mut Poller, mut deliver: impl FnMut(Socket)) -> bool {
        if self.paused_until.is_some() {
            return false;
        }
        for _ in 0..self.batch {
            // Non-blocking and close-on-exec from the start: accept4 sets
            // both in the same syscall (chapter 1).
            match self.sock.accept(SockFlags::NONBLOCKING) {
                Ok((sock, _peer)) => {
                    self.out_of_fds = false;
                    Counters::count(&self.counters.accepted);
                    deliver(sock);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // EMFILE, ENFILE, ENOBUFS, ENOMEM: the connection stays
                    // queued. Stop watching for a moment rather than spin.
                    if !self.out_of_fds {
                        log::warn!(
                            "accept: {e}; pausing accepts {PAUSE:?} at a time until it passes"
                        );
                        self.out_of_fds = true;
                    }
                    Counters::count(&self.counters.accept_pauses);
                    self.watch(poller, Interest::NONE);
                    self.paused_until = Some(Instant::now() + PAUSE);
                    return true;
                }
            }
        }
        false
    }
    // ANCHOR_END: accept_batch

    /// Ends a pause at once: the owner has freed descriptors.
    pub(crate) fn resume_now(&mut self, poller: &mut Poller) {
        if self.paused_until.take().is_some() {
            self.watch(poller, Interest::READABLE);
        }
    }

    fn watch(&mut self, poller: &mut Poller, interest: Interest) {
        if let Err(e) = poller.reregister(&self.sock, self.token, interest, Mode::LEVEL) {
            // Only ENOMEM could get here; the next pause or event tries again.
            log::error!("listener registration: {e}");
        }
    }
}

/// Errors that belong to one queued connection, not to the listener:
/// accept(2) says to treat them like `EAGAIN` and go on.
fn is_connection_error(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::ConnectionAborted
        || matches!(
            e.raw_os_error(),
            Some(
                libc::EPROTO
                    | libc::ENOPROTOOPT
                    | libc::EHOSTDOWN
                    | libc::ENONET
                    | libc::EHOSTUNREACH
                    | libc::EOPNOTSUPP
                    | libc::ENETUNREACH
                    | libc::ENETDOWN
                    | libc::EPERM
            )
        )
}
// ANCHOR_END: listening
