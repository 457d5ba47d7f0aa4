//! Exercise 1: wait until a deadline (reference solution).

use std::io;
use std::time::{Duration, Instant};

use eventcore_poller::{Event, Poller};

/// The timeout to pass to `Poller::wait` at time `now` for a loop whose next
/// timer is due at `deadline`.
pub fn timeout_until(deadline: Option<Instant>, now: Instant) -> Option<Duration> {
    // saturating_duration_since gives zero for a deadline in the past.
    deadline.map(|d| d.saturating_duration_since(now))
}

/// Waits for events on `poller` until at least one arrives or `deadline` passes.
pub fn wait_until(
    poller: &mut Poller,
    events: &mut Vec<Event>,
    deadline: Instant,
) -> io::Result<usize> {
    loop {
        let timeout = timeout_until(Some(deadline), Instant::now());
        let n = poller.wait(events, timeout)?;
        // The poller rounds timeouts up to whole milliseconds, so a wait that
        // ran its course ends at or after the deadline; an early empty
        // return was a signal, and the loop waits for the rest.
        if n > 0 || Instant::now() >= deadline {
            return Ok(n);
        }
    }
}
