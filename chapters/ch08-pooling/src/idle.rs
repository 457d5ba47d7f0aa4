//! The idle connections of one worker, in the order they went idle: the
//! ones to close first when the worker is at its connection limit.
//!
//! nginx keeps its idle keep-alive connections on a queue ("reusable
//! connections") and closes the oldest when it runs short of free
//! connections; we do the same, one per new connection at the limit. The
//! queue is a doubly linked list threaded through an array indexed by
//! the connection's slot (the same slot as in chapter 3's [`Slots`]), so
//! that moving a connection to the back, taking it out and taking the
//! oldest are each a few stores, with no allocation and no search. A link
//! remembers its slot's generation, so a token of a closed connection
//! cannot reach the next one in the same slot.
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

/// No slot: the end of the list.
const NIL: u32 = u32::MAX;

// ANCHOR: idle
/// Idle connections, oldest first.
#[derive(Debug, Clone)]
pub struct IdleList {
    /// One link per slot number seen so far.
    links: Vec<Link>,
    /// The oldest idle connection's slot, and the newest's.
    head: u32,
    tail: u32,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
struct Link {
    prev: u32,
    next: u32,
    /// The generation of the connection on the list in this slot.
    generation: u32,
    on_list: bool,
}
// ANCHOR_END: idle

const UNLINKED: Link = Link {
    prev: NIL,
    next: NIL,
    generation: 0,
    on_list: false,
};

impl Default for IdleList {
    fn default() -> IdleList {
        IdleList::with_capacity(0)
    }
}

impl IdleList {
    /// An empty list with room for slots `0..slots`: within them it never
    /// allocates.
    pub fn with_capacity(slots: usize) -> IdleList {
        IdleList {
            links: vec![UNLINKED; slots],
            head: NIL,
            tail: NIL,
            len: 0,
        }
    }

    /// Connections on the list.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    // ANCHOR: moves
    /// `token` is idle from now on: to the back of the list (from wherever
    /// it was, if it was on it).
    pub fn push_back(&mut self, token: Token) {
        let (slot, generation) = token.slot_and_generation();
        if slot >= self.links.len() {
            self.links.resize(slot + 1, UNLINKED);
        }
        let slot = slot as u32;
        if self.tail == slot && self.links[slot as usize].generation == generation {
            return; // already the newest
        }
        self.unlink(slot);
        self.links[slot as usize] = Link {
            prev: self.tail,
            next: NIL,
            generation,
            on_list: true,
        };
        match self.tail {
            NIL => self.head = slot,
            tail => self.links[tail as usize].next = slot,
        }
        self.tail = slot;
        self.len += 1;
    }

    /// `token` is busy or gone: off the list, if it is on it.
    pub fn remove(&mut self, token: Token) {
        let (slot, generation) = token.slot_and_generation();
        match self.links.get(slot) {
            Some(link) if link.on_list && link.generation == generation => self.unlink(slot as u32),
            _ => {}
        }
    }

    /// The connection idle the longest, taken off the list.
    pub fn pop_front(&mut self) -> Option<Token> {
        let head = self.head;
        if head == NIL {
            return None;
        }
        let generation = self.links[head as usize].generation;
        self.unlink(head);
        Some(Token::slot(head as usize, generation))
    }

    fn unlink(&mut self, slot: u32) {
        let link = self.links[slot as usize];
        if !link.on_list {
            return;
        }
        match link.prev {
            NIL => self.head = link.next,
            prev => self.links[prev as usize].next = link.next,
        }
        match link.next {
            NIL => self.tail = link.prev,
            next => self.links[next as usize].prev = link.prev,
        }
        self.links[slot as usize] = UNLINKED;
        self.len -= 1;
    }
    // ANCHOR_END: moves
}

// ANCHOR: timers
impl Timers for IdleList {
    fn update(&mut self, token: Token, report: &Report, _: Instant) {
        match report.phase {
            Phase::Idle => self.push_back(token),
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

    #[test]
    fn a_stale_token_does_not_reach_the_slot_s_next_connection() {
        let mut idle = IdleList::default();
        let old = Token::slot(7, 0);
        let new = Token::slot(7, 1);
        idle.push_back(new);
        idle.remove(old);
        assert_eq!(idle.len(), 1);
        assert_eq!(idle.pop_front(), Some(new));
    }
}
