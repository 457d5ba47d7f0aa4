//! The seed's accept thread: one listener, accepted in batches through a
//! [`Listening`] gate, each connection dealt to the next worker in turn.
//!
//! It knows nothing of workers: the server gives it a `deliver` function
//! that hands a socket to a worker's mailbox, and it only counts.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use eventcore_poller::{Backend, Interest, Mode, Poller, Token, Waker};
use eventcore_sockets::Socket;

use crate::listening::Listening;
use crate::stats::Counters;

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);

// ANCHOR: acceptor
/// Accepts in batches and passes each connection to `deliver` with the
/// number of the next worker in turn, until `stop` is set (and the waker
/// woken); calls `shed` when it runs out of descriptors, so that the
/// workers close idle connections. The listener closes when it returns.
pub(crate) fn run(
    listener: Socket,
    batch: usize,
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    waker: Arc<Waker>,
    mut deliver: impl FnMut(usize, Socket),
    mut shed: impl FnMut(),
) -> io::Result<()> {
    let mut poller = Poller::new(Backend::Epoll)?;
    poller.register(&*waker, WAKER, Interest::READABLE, Mode::LEVEL)?;
    let mut listening = Listening::new(listener, LISTENER, batch, &mut poller, counters)?;
    let mut events = Vec::new();
    // Only this thread deals, so a plain counter does what the seed's
    // `atomic<size_t>` does.
    let mut next = 0;
    while !stop.load(Ordering::Acquire) {
        poller.wait(&mut events, listening.timeout(Instant::now()))?;
        let resumed = listening.resume(&mut poller, Instant::now());
        if resumed || events.iter().any(|event| event.token == LISTENER) {
            let short = listening.accept(&mut poller, |sock| {
                deliver(next, sock);
                next = next.wrapping_add(1);
            });
            if short {
                // The workers hold the descriptors: ask them, and try
                // again when the pause ends.
                shed();
            }
        }
    }
    listening.close(&mut poller);
    Ok(())
}
// ANCHOR_END: acceptor
