//! Exercise 2: the seed's timeout manager.
//!
//! The seed checks every 5 seconds: it walks every connection and closes
//! those idle for more than 60 (lines 1640-1690). Write it as chapter 7's
//! `Timers`, so that a server can run with it, and compare it with
//! chapter 9's lists: it wakes the loop every `period` whether or not any
//! connection is there, each check costs a walk of all of them, and an idle
//! connection is closed between `idle` and `idle + period` after it went
//! idle (the seed's "55-65s actual timeout", which its `>` makes 60-65).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use eventcore_poller::Token;
use eventcore_workers::{Expiry, Phase, Report, Timers};

#[derive(Debug)]
pub struct Scan {
    idle: Duration,
    period: Duration,
    /// Each connection's last report: when, and in which phase.
    last: HashMap<Token, (Instant, Phase)>,
    /// When the next walk is due.
    next_check: Option<Instant>,
    /// What the last walk found, not yet handed to the worker.
    due: Vec<Token>,
}

impl Scan {
    /// Closes connections idle for `idle`, looking every `period`.
    pub fn new(idle: Duration, period: Duration) -> Scan {
        Scan {
            idle,
            period,
            last: HashMap::new(),
            next_check: None,
            due: Vec::new(),
        }
    }
}

impl Timers for Scan {
    /// Remembers when `token` reported, and what.
    fn update(&mut self, token: Token, report: &Report, now: Instant) {
        let _ = (token, report, now, &mut self.last);
        // TODO: remember when it reported, and its phase.
        todo!("update")
    }

    fn remove(&mut self, token: Token) {
        self.last.remove(&token);
    }

    /// Until the next walk: every `period`, from the first call on.
    fn timeout(&mut self, now: Instant) -> Option<Duration> {
        let _ = (now, self.period, self.next_check);
        // TODO: the time until the next walk (set the first one now + period).
        todo!("timeout")
    }

    /// When a walk is due, walks every connection and takes those idle
    /// longer than `idle`; hands them out one at a time.
    fn next_expired(&mut self, now: Instant) -> Option<(Token, Expiry)> {
        let _ = (now, self.idle, &mut self.due);
        // TODO: if a walk is due, walk every connection, take the idle ones past
        // `idle`, set the next walk; then hand out one of them.
        todo!("next_expired")
    }
}
