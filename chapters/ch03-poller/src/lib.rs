//! # Chapter 3: the poller and the event loop
//!
//! A server with ten thousand connections can't give each a thread that
//! blocks in `read`. It makes every socket non-blocking (chapter 1) and asks
//! the kernel one question in one place: *which of these are ready?* The
//! [`Poller`] asks it, with epoll on Linux or poll(2) anywhere, and answers
//! with [`Event`]s that carry the caller's [`Token`], not an fd. A [`Waker`]
//! lets another thread interrupt the wait. The [`echo`] module is the
//! single-threaded event loop built on them.
//!
//! ## Layout
//!
//! | idea | module |
//! |---|---|
//! | [`Token`], [`Interest`], [`Mode`] (level, edge, one-shot), [`Event`] | [`event`] |
//! | epoll: `epoll_create1`, `epoll_ctl`, `epoll_wait`, the growing events array | [`epoll`] |
//! | poll(2): the user-space interest list, one-shot and edge emulation | [`poll`] |
//! | [`Poller`]: one interface, backend chosen at run time | [`poller`] |
//! | [`Waker`]: eventfd, or a pipe | [`waker`] |
//! | [`Slots`]: a table whose tokens carry a generation, so they can't go stale | [`slots`] |
//! | the event loop: an echo server for many clients | [`echo`] |
//!
//! ## How it connects to the next layers
//!
//! Chapter 4 parses what the loop reads into a [`Buffer`](eventcore_buffer::Buffer).
//! Chapter 7 turns [`echo::EchoServer`] into the server's worker: the same
//! wait-read-write loop, with the parser, the router and the thread pool of
//! chapters 4 to 6 between reading and writing, and one-shot registrations
//! where a pool thread handles a connection.

pub mod echo;
pub mod epoll;
pub mod event;
pub mod poll;
pub mod poller;
pub mod slots;
pub mod waker;

pub use event::{Event, Interest, Mode, Token, Trigger};
pub use poller::{Backend, Poller};
pub use slots::Slots;
pub use waker::{Waker, WakerKind};

use std::time::Duration;

// ANCHOR: timeout
/// A wait's timeout in the milliseconds that `epoll_wait` and `poll` take:
/// `-1` (no limit) for `None`, rounded *up*, so that a wait for 0.3 ms does
/// not become a zero-timeout busy poll, and capped at `i32::MAX` ms (24 days).
pub(crate) fn timeout_ms(timeout: Option<Duration>) -> libc::c_int {
    match timeout {
        None => -1,
        Some(d) => {
            let ms = d.as_nanos().div_ceil(1_000_000);
            ms.min(libc::c_int::MAX as u128) as libc::c_int
        }
    }
}
// ANCHOR_END: timeout

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_round_up_to_whole_milliseconds() {
        assert_eq!(timeout_ms(None), -1);
        assert_eq!(timeout_ms(Some(Duration::ZERO)), 0);
        assert_eq!(timeout_ms(Some(Duration::from_micros(300))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_millis(100))), 100);
        assert_eq!(timeout_ms(Some(Duration::from_nanos(100_000_001))), 101);
        assert_eq!(timeout_ms(Some(Duration::from_secs(u64::MAX))), i32::MAX);
    }
}
