//! Exercise 1: a timing wheel.
//!
//! Chapter 9's lists need one duration per list. A hashed timing wheel
//! (Varghese and Lauck, 1987; the Linux kernel and tokio use hierarchical
//! ones) takes any deadline: `slots` buckets, each covering one `tick`,
//! around and around. A deadline goes in the bucket of its tick, modulo the
//! number of buckets; `expired` looks only at the buckets of the ticks that
//! have passed, and leaves in them what is due only on a later turn.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use eventcore_poller::Token;

#[derive(Debug)]
pub struct Wheel {
    start: Instant,
    tick: Duration,
    buckets: Vec<Vec<(Token, Instant)>>,
    /// Each armed token's deadline: an entry in a bucket that does not
    /// match is stale (cancelled or armed again) and is dropped.
    armed: HashMap<Token, Instant>,
    /// The tick `expired` looked at last.
    cursor: u64,
}

impl Wheel {
    /// A wheel of `slots` buckets of `tick` each, starting at `start`.
    pub fn new(start: Instant, tick: Duration, slots: usize) -> Wheel {
        assert!(
            slots > 0 && !tick.is_zero(),
            "a wheel needs buckets and a tick"
        );
        Wheel {
            start,
            tick,
            buckets: vec![Vec::new(); slots],
            armed: HashMap::new(),
            cursor: 0,
        }
    }

    fn tick_of(&self, at: Instant) -> u64 {
        (at.saturating_duration_since(self.start).as_nanos() / self.tick.as_nanos()) as u64
    }

    /// Tokens armed now.
    pub fn len(&self) -> usize {
        self.armed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.armed.is_empty()
    }

    /// Sets `token`'s deadline to `at` (replacing any it had).
    pub fn arm(&mut self, token: Token, at: Instant) {
        // A deadline already behind the last look goes in the current
        // bucket, which the next look sees again.
        let tick = self.tick_of(at).max(self.cursor);
        let bucket = (tick % self.buckets.len() as u64) as usize;
        self.buckets[bucket].push((token, at));
        self.armed.insert(token, at);
    }

    /// `token` has no deadline any more.
    pub fn cancel(&mut self, token: Token) {
        self.armed.remove(&token);
    }

    /// The tokens whose deadline is at or before `now`, each once, taken
    /// off the wheel.
    pub fn expired(&mut self, now: Instant) -> Vec<Token> {
        let now_tick = self.tick_of(now);
        let slots = self.buckets.len() as u64;
        // The ticks since the last look, the current one included again
        // (it may hold deadlines later in it); a whole turn at most.
        let first = self.cursor.max(now_tick.saturating_sub(slots - 1));
        let mut due = Vec::new();
        for tick in first..=now_tick {
            let bucket = &mut self.buckets[(tick % slots) as usize];
            let armed = &mut self.armed;
            bucket.retain(|&(token, at)| {
                if armed.get(&token) != Some(&at) {
                    return false; // stale
                }
                if at <= now {
                    armed.remove(&token);
                    due.push(token);
                    return false;
                }
                true
            });
        }
        self.cursor = now_tick;
        due
    }
}
