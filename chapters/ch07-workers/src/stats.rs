//! Counters a running server keeps for the people who operate it, and for
//! tests that wait for a condition instead of sleeping.
//!
//! Only events that cost a syscall or more are counted (a connection
//! accepted, evicted or closed, a pause in accepting, a request refused,
//! a connection that starts or stops waiting for something), so the atomic
//! increments never show beside them; requests themselves are not (an
//! [`Observer`](crate::Observer) may count them). What connections wait
//! for is counted per worker, on a cache line of its own, so that workers
//! never write to each other's.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::connection::Phase;

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
    /// Open connections waiting for a request ([`Phase::Idle`]).
    pub idle: usize,
    /// Open connections reading a request's head or body.
    pub reading: usize,
    /// Open connections whose answer is being made (on the pool) or sent,
    /// or that linger after their last one.
    pub writing: usize,
}
// ANCHOR_END: stats

/// A running server's counters, to read from any thread, for as long as
/// wanted: what a status page holds ([`Server::stats_handle`](crate::Server::stats_handle)).
#[derive(Debug, Clone)]
pub struct StatsHandle(pub(crate) Arc<Counters>);

impl StatsHandle {
    pub fn get(&self) -> Stats {
        self.0.snapshot()
    }
}

/// The gauge a phase counts in: idle, reading or writing.
fn gauge(phase: Phase) -> usize {
    match phase {
        Phase::Idle => 0,
        Phase::Head | Phase::Body => 1,
        Phase::Writing | Phase::Away | Phase::Lingering => 2,
    }
}

/// One worker's connections by what they wait for; only that worker
/// writes them.
#[derive(Debug, Default)]
#[repr(align(128))] // two cache lines: the adjacent-line prefetcher pairs them
pub(crate) struct Phases([AtomicUsize; 3]);

impl Phases {
    /// A connection counted as `from` (`None`: not yet) now waits for `to`
    /// (`None`: it closed); `from` is updated.
    #[inline]
    pub fn shift(&self, from: &mut Option<Phase>, to: Option<Phase>) {
        let (old, new) = (from.map(gauge), to.map(gauge));
        if old != new {
            if let Some(old) = old {
                self.0[old].fetch_sub(1, Ordering::Relaxed);
            }
            if let Some(new) = new {
                self.0[new].fetch_add(1, Ordering::Relaxed);
            }
        }
        *from = to;
    }

    /// The worker's loop ended: its connections are gone.
    pub fn clear(&self) {
        self.0.iter().for_each(|g| g.store(0, Ordering::Relaxed));
    }
}

/// The live counters, shared by every thread of one server.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub connections: AtomicUsize,
    pub accepted: AtomicU64,
    pub accept_pauses: AtomicU64,
    pub refused: AtomicU64,
    pub evicted: AtomicU64,
    pub over_limit: AtomicU64,
    /// One per worker.
    pub phases: Box<[Phases]>,
}

impl Counters {
    pub fn new(workers: usize) -> Counters {
        Counters {
            phases: (0..workers).map(|_| Phases::default()).collect(),
            ..Counters::default()
        }
    }

    pub fn snapshot(&self) -> Stats {
        let [idle, reading, writing] = [0, 1, 2].map(|g| {
            self.phases
                .iter()
                .map(|p| p.0[g].load(Ordering::Relaxed))
                .sum()
        });
        Stats {
            idle,
            reading,
            writing,
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
