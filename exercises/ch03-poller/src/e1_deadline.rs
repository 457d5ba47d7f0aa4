//! Exercise 1: wait until a deadline.
//!
//! An event loop with timers (chapter 9) does not wait "100 ms" as the seed
//! does; it waits until its next timer is due, and not a moment less.
//! `Poller::wait` takes a relative timeout and may return early with no
//! events (a signal interrupted it). Build the absolute-deadline wait on top.

use std::io;
use std::time::{Duration, Instant};

use eventcore_poller::{Event, Poller};

/// The timeout to pass to `Poller::wait` at time `now` for a loop whose next
/// timer is due at `deadline`: `None` (wait without limit) when there is no
/// timer, zero when it is already due, the time left otherwise.
pub fn timeout_until(deadline: Option<Instant>, now: Instant) -> Option<Duration> {
    // TODO: your code here.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = (deadline, now);
    todo!("the time left until the deadline")
}

/// Waits for events on `poller` until at least one arrives or `deadline`
/// passes, and returns how many arrived (0 only if the deadline passed).
///
/// A wait that comes back with no events before the deadline (a signal
/// arrived) must wait again for the time that is left.
pub fn wait_until(
    poller: &mut Poller,
    events: &mut Vec<Event>,
    deadline: Instant,
) -> io::Result<usize> {
    // TODO: your code here: a loop around `poller.wait(events, ...)`.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = (poller, events, deadline);
    todo!("wait until an event or the deadline")
}
