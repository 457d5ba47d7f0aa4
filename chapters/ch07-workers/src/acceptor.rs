//! Accepting connections: the seed's accept thread, and the listener that
//! each worker of the inline model watches itself.
//!
//! Both accept in batches from a listener that sits in a poller, so a
//! thread with nothing to accept sleeps in `epoll_wait` instead of the
//! seed's loop that sleeps 100 µs and tries again (10 000 wake-ups a
//! second on an idle server, and up to 100 µs added to every connect).
//!
//! Running out of file descriptors is the one accept error that doesn't go
//! away by itself: the connection stays in the listen queue, the listener
//! stays readable, and a level-triggered loop would spin at 100% CPU. The
//! [`Listening`] gate stops watching the listener for a moment instead, and
//! tries again after it; the clients wait in the listen queue and are
//! served as soon as descriptors come back.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use eventcore_poller::{Backend, Interest, Mode, Poller, Token, Waker};
use eventcore_sockets::{SockFlags, Socket};

use crate::worker::Shared;

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
}

impl Listening {
    pub(crate) fn new(
        sock: Socket,
        token: Token,
        batch: usize,
        poller: &mut Poller,
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
        })
    }

    /// How long the owner's `wait` may sleep: until the pause ends, if paused.
    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.paused_until
            .map(|until| until.saturating_duration_since(Instant::now()))
    }

    /// Watches the listener again if a pause is over; true if it was.
    /// Call it after every wait: it makes no syscall unless paused.
    pub(crate) fn resume(&mut self, poller: &mut Poller) -> bool {
        match self.paused_until {
            Some(until) if Instant::now() >= until => {
                self.paused_until = None;
                self.watch(poller, Interest::READABLE);
                true
            }
            _ => false,
        }
    }

    // ANCHOR: accept_batch
    /// Accepts up to a batch of connections and hands each to `deliver`.
    pub(crate) fn accept(&mut self, poller: &mut Poller, mut deliver: impl FnMut(Socket)) {
        if self.paused_until.is_some() {
            return;
        }
        for _ in 0..self.batch {
            // Non-blocking and close-on-exec from the start: accept4 sets
            // both in the same syscall (chapter 1).
            match self.sock.accept(SockFlags::NONBLOCKING) {
                Ok((sock, _peer)) => {
                    self.out_of_fds = false;
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
                    self.watch(poller, Interest::NONE);
                    self.paused_until = Some(Instant::now() + PAUSE);
                    break;
                }
            }
        }
    }
    // ANCHOR_END: accept_batch

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

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);

// ANCHOR: acceptor
/// The seed's accept thread: accepts in batches and deals the connections
/// to the workers in turn, until `stop` is set (and the waker woken).
pub(crate) fn run(
    listener: Socket,
    batch: usize,
    workers: Vec<Arc<Shared>>,
    stop: Arc<AtomicBool>,
    waker: Arc<Waker>,
) -> io::Result<()> {
    let mut poller = Poller::new(Backend::Epoll)?;
    poller.register(&*waker, WAKER, Interest::READABLE, Mode::LEVEL)?;
    let mut listening = Listening::new(listener, LISTENER, batch, &mut poller)?;
    let mut events = Vec::new();
    // Only this thread deals, so a plain counter does what the seed's
    // `atomic<size_t>` does.
    let mut next = 0;
    while !stop.load(Ordering::Acquire) {
        poller.wait(&mut events, listening.timeout())?;
        let resumed = listening.resume(&mut poller);
        if resumed || events.iter().any(|event| event.token == LISTENER) {
            listening.accept(&mut poller, |sock| {
                workers[next % workers.len()].deliver(sock);
                next += 1;
            });
        }
    }
    Ok(())
}
// ANCHOR_END: acceptor
