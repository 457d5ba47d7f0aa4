//! Exercise 2: idle connections in a queue with lazy deletion.
//!
//! Chapter 8 keeps idle connections on a linked list threaded through an
//! array, so that taking one out is O(1). The other common way is a plain
//! queue that is never searched. A connection
//! going idle is pushed on the back with a stamp (a counter of pushes),
//! and its slot remembers the stamp; getting busy only forgets the stamp.
//! Entries whose stamp is no longer their slot's are skipped when they
//! reach the front, and dropped in one sweep when they outnumber the live
//! ones, so the queue stays within a constant factor of what is idle.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use eventcore_poller::Token;
use eventcore_workers::{Expiry, Phase, Report, Timers};

/// Idle connections, oldest first.
#[derive(Debug, Default)]
pub struct LazyIdle {
    /// (token, stamp), in the order they went idle; some are stale.
    queue: VecDeque<(Token, u64)>,
    /// Per slot: the token and stamp of its idle connection, if any.
    current: Vec<Option<(Token, u64)>>,
    /// The next stamp.
    next: u64,
    /// Connections idle now.
    live: usize,
}

impl LazyIdle {
    pub fn new() -> LazyIdle {
        LazyIdle::default()
    }

    /// Connections idle now.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Entries in the queue, stale ones included.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// `token` is idle from now on: the newest.
    pub fn push_back(&mut self, token: Token) {
        let slot = token.slot_and_generation().0;
        if slot >= self.current.len() {
            self.current.resize(slot + 1, None);
        }
        if self.current[slot].is_none() {
            self.live += 1;
        }
        let stamp = self.next;
        self.next += 1;
        self.current[slot] = Some((token, stamp));
        self.queue.push_back((token, stamp));
        // More stale entries than live ones: sweep them out.
        if self.queue.len() > 2 * self.live + 16 {
            let current = &self.current;
            self.queue
                .retain(|&(t, s)| current[t.slot_and_generation().0] == Some((t, s)));
        }
    }

    /// `token` is busy or gone.
    pub fn remove(&mut self, token: Token) {
        let slot = token.slot_and_generation().0;
        if let Some(entry) = self.current.get_mut(slot) {
            if entry.is_some_and(|(t, _)| t == token) {
                *entry = None;
                self.live -= 1;
            }
        }
    }

    /// The connection idle the longest, taken off.
    pub fn pop_front(&mut self) -> Option<Token> {
        while let Some((token, stamp)) = self.queue.pop_front() {
            let slot = token.slot_and_generation().0;
            if self.current[slot] == Some((token, stamp)) {
                self.current[slot] = None;
                self.live -= 1;
                return Some(token);
            }
        }
        None
    }
}

impl Timers for LazyIdle {
    fn update(&mut self, token: Token, report: &Report, _: Instant) {
        match report.phase {
            // Kept-alive connections only: a new one's request may be
            // on the way.
            Phase::Idle if report.moved > 0 => self.push_back(token),
            _ => self.remove(token),
        }
    }

    fn remove(&mut self, token: Token) {
        LazyIdle::remove(self, token);
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
