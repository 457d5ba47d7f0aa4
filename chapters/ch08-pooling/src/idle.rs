//! The idle keep-alive connections of one worker, in the order they went
//! idle: the ones to close first when the worker is at its connection
//! limit. A new connection that has sent nothing is not one of them.
//!
//! nginx keeps its idle keep-alive connections on a queue ("reusable
//! connections") and closes the oldest when it runs short of free
//! connections; we do the same, one per new connection at the limit. The
//! queue is one of [`SlotLists`]: a doubly linked list threaded through an
//! array indexed by the connection's slot (the same slot as in chapter 3's
//! [`Slots`]), so that moving a connection to the back, taking it out and
//! taking the oldest are each a few stores, with no allocation and no
//! search; a stale token cannot move the slot's next connection.
//!
//! It is chapter 7's [`Timers`] hook with no deadlines: the worker already
//! reports every change of a connection's [`Phase`], so the list learns
//! who is idle without a line of chapter 7 knowing about it. Chapter 9's
//! idle timeout needs the same order (the oldest idle connection is also
//! the first whose keep-alive deadline passes).
//!
//! [`Slots`]: eventcore_poller::Slots

use std::time::{Duration, Instant};

use eventcore_poller::Token;
use eventcore_workers::{Expiry, Phase, Report, Timers};

use crate::lists::SlotLists;

// ANCHOR: idle
/// Idle connections, oldest first.
#[derive(Debug, Clone, Default)]
pub struct IdleList(SlotLists<1>);

impl IdleList {
    /// An empty list with room for slots `0..slots`: within them it never
    /// allocates.
    pub fn with_capacity(slots: usize) -> IdleList {
        IdleList(SlotLists::with_capacity(slots))
    }

    /// Connections on the list.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `token` is idle from now on: to the back of the list (from wherever
    /// it was, if it was on it).
    pub fn push_back(&mut self, token: Token) {
        self.0.push_back(0, token);
    }

    /// `token` is busy or gone: off the list, if it is on it.
    pub fn remove(&mut self, token: Token) {
        self.0.remove(token);
    }

    /// The connection idle the longest, taken off the list.
    pub fn pop_front(&mut self) -> Option<Token> {
        self.0.pop_front(0)
    }
}
// ANCHOR_END: idle

// ANCHOR: timers
impl Timers for IdleList {
    fn update(&mut self, token: Token, report: &Report, _: Instant) {
        match report.phase {
            // Between requests: it has sent something (all of it answered),
            // and may be closed. A new connection that has sent nothing
            // yet is not on the list: its request may be on the way, and
            // closing it would cut that request off.
            Phase::Idle if report.moved > 0 => self.push_back(token),
            _ => self.remove(token),
        }
    }

    fn remove(&mut self, token: Token) {
        IdleList::remove(self, token);
    }

    fn timeout(&mut self, _: Instant) -> Option<Duration> {
        None
    }

    fn next_expired(&mut self, _: Instant) -> Option<(Token, Expiry)> {
        None
    }

    fn evict(&mut self) -> Option<Token> {
        self.pop_front()
    }
}
// ANCHOR_END: timers

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_idle_connection_comes_first() {
        let mut idle = IdleList::with_capacity(4);
        let [a, b, c] = [0, 1, 2].map(|slot| Token::slot(slot, 0));
        idle.push_back(a);
        idle.push_back(b);
        idle.push_back(c);
        // `a` served a request and went idle again: now the newest.
        idle.remove(a);
        idle.push_back(a);
        assert_eq!(idle.pop_front(), Some(b));
        assert_eq!(idle.pop_front(), Some(c));
        assert_eq!(idle.pop_front(), Some(a));
        assert_eq!(idle.pop_front(), None);
        assert!(idle.is_empty());
    }
}
