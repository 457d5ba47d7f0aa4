//! Counters a running server keeps for the people who operate it, and for
//! tests that wait for a condition instead of sleeping.
//!
//! Only events that cost a syscall or more are counted (a connection
//! accepted, evicted or closed, a pause in accepting, a request refused),
//! so the atomic increments never show beside them; requests themselves
//! are not.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

// ANCHOR: stats
/// A snapshot of [`Server::stats`](crate::Server::stats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections open now, over all workers.
    pub connections: usize,
    /// Connections accepted since the start.
    pub accepted: u64,
    /// Times accepting paused because the process or the system ran out
    /// of file descriptors (or memory for sockets).
    pub accept_pauses: u64,
    /// Requests answered `503 Service Unavailable` because the worker's
    /// pool queue was full.
    pub refused: u64,
    /// Idle connections closed to make room for a new one at the
    /// connection limit ([`Parts::limit`](crate::Parts::limit)).
    pub evicted: u64,
    /// New connections answered `503` and closed at the connection limit,
    /// because none was idle.
    pub over_limit: u64,
}
// ANCHOR_END: stats

/// The live counters, shared by every thread of one server.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub connections: AtomicUsize,
    pub accepted: AtomicU64,
    pub accept_pauses: AtomicU64,
    pub refused: AtomicU64,
    pub evicted: AtomicU64,
    pub over_limit: AtomicU64,
}

impl Counters {
    pub fn snapshot(&self) -> Stats {
        Stats {
            connections: self.connections.load(Ordering::Relaxed),
            accepted: self.accepted.load(Ordering::Relaxed),
            accept_pauses: self.accept_pauses.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            evicted: self.evicted.load(Ordering::Relaxed),
            over_limit: self.over_limit.load(Ordering::Relaxed),
        }
    }

    pub fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
