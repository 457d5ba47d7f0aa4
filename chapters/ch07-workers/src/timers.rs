//! Deadlines: the hook a worker's loop offers for timers.
//!
//! After every event a connection handles, the worker tells its [`Timers`]
//! what the connection now waits for (its [`Report`]); before each wait it
//! asks them how long it may sleep; after each batch of events it asks them
//! which deadlines have passed, and closes those connections or answers
//! them with an error. Chapter 7 has no deadlines ([`NoTimers`]: a
//! connection may wait forever, and the loop sleeps until something
//! happens); chapter 9 plugs in real ones.
//!
//! Timers are keyed by a connection's [`Token`], slot and generation, so a
//! timer left over from a closed connection finds nothing when it fires,
//! like a stale event.

use std::time::{Duration, Instant};

use eventcore_poller::Token;

use crate::connection::Report;

// ANCHOR: timers
/// What to do with a connection whose deadline has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Close it without a word: an idle keep-alive connection, or one that
    /// stopped taking our output.
    Close,
    /// Answer with this status (such as `408`) and `Connection: close`,
    /// then close: a request cut off midway.
    Answer(u16),
}

/// A worker's deadlines, one set per worker thread.
pub trait Timers {
    /// The connection `token` handled an event, arrived, or went to or came
    /// back from the pool; `report` says what it waits for now.
    fn update(&mut self, token: Token, report: &Report, now: Instant);
    /// The connection closed.
    fn remove(&mut self, token: Token);
    /// How long the loop may sleep before the next deadline; `None` for as
    /// long as nothing happens.
    fn timeout(&mut self, now: Instant) -> Option<Duration>;
    /// A connection whose deadline is at or before `now`, taken off the
    /// timers, and what to do with it. The worker calls it until `None`,
    /// once per batch of events.
    fn next_expired(&mut self, now: Instant) -> Option<(Token, Expiry)>;
    /// Whether a closing connection may wait for the client to close too
    /// (a lingering close). Only timers that put a deadline on it may say
    /// yes: otherwise a client that never closes keeps it forever.
    fn lingers(&self) -> bool {
        false
    }
    /// The idle connection to close first when the worker is at its
    /// connection limit ([`Parts::limit`](crate::Parts::limit)): the one
    /// idle the longest, taken off the timers. `None` if no timer knows of
    /// one; the new connection is then answered `503`.
    fn evict(&mut self) -> Option<Token> {
        None
    }
}

/// No deadlines: chapter 7's timers.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTimers;

impl Timers for NoTimers {
    fn update(&mut self, _: Token, _: &Report, _: Instant) {}

    fn remove(&mut self, _: Token) {}

    fn timeout(&mut self, _: Instant) -> Option<Duration> {
        None
    }

    fn next_expired(&mut self, _: Instant) -> Option<(Token, Expiry)> {
        None
    }
}
// ANCHOR_END: timers
