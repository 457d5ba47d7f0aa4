//! Chapter 8's [`Parts`] for chapter 7's server: each worker gets a
//! [`Pool`] for its working memory, an [`IdleList`] for its timers, a
//! connection table allocated up front, and a connection limit.
//!
//! These are the settings chapter 8 adds (the seed's
//! `connection_pool_size` and `max_connections`, and the pool's cap); they
//! travel with the parts, so chapter 7's `Config` stays as it is.

use std::sync::{Arc, Mutex, PoisonError};

use eventcore_workers::Parts;

use crate::idle::IdleList;
use crate::pool::{Pool, PoolCounters, PoolStats};

// ANCHOR: pooling
/// Pooling for every worker of a server. Start the server with
/// `Retain::Nothing`, so that idle connections give their working memory
/// back.
#[derive(Debug, Clone)]
pub struct Pooling {
    /// Connection slots each worker allocates before the first connection
    /// (the seed's `connection_pool_size`); past them its table grows.
    pub slots: usize,
    /// Heap bytes of working memory each worker's pool keeps for reuse.
    pub pool_bytes: usize,
    /// Connections a worker holds at most (the seed's `max_connections`,
    /// divided among the workers). At the limit a new connection closes
    /// the worker's oldest idle one; if none is idle, it is answered `503`
    /// and closed.
    pub max_connections: usize,
    /// Where the workers' pools report ([`Pooling::stats`]); clones of
    /// these parts share it.
    pub reports: Reports,
}

/// The counters of every pool made by one [`Pooling`] and its clones.
#[derive(Debug, Clone, Default)]
pub struct Reports(Arc<Mutex<Vec<Arc<PoolCounters>>>>);

impl Default for Pooling {
    fn default() -> Pooling {
        Pooling {
            slots: 0,
            pool_bytes: 256 * 1024,
            max_connections: usize::MAX,
            reports: Reports::default(),
        }
    }
}
// ANCHOR_END: pooling

impl Pooling {
    /// The example servers' flags for these settings (`--slots N`,
    /// `--pool-bytes N`, `--max-connections N`): `None` if `flag` is not
    /// one of them (chapter 7's `example::run` takes it).
    pub fn flag(&mut self, flag: &str, value: &str) -> Option<Result<(), String>> {
        let setting = match flag {
            "--slots" => &mut self.slots,
            "--pool-bytes" => &mut self.pool_bytes,
            "--max-connections" => &mut self.max_connections,
            _ => return None,
        };
        Some(eventcore_workers::example::number(flag, value).map(|n| *setting = n))
    }

    /// The usage line of [`Pooling::flag`]'s flags.
    pub const USAGE: &str = " [--slots N] [--pool-bytes N] [--max-connections N]";

    /// What the pools of the workers started with these parts (or a clone
    /// of them) hold and have done.
    pub fn stats(&self) -> PoolStats {
        self.reports
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .fold(PoolStats::default(), |sum, counters| sum.add(counters))
    }
}

impl Parts for Pooling {
    type Store = Pool;
    type Timers = IdleList;

    fn store(&self, _worker: usize) -> Pool {
        let counters = Arc::new(PoolCounters::default());
        self.reports
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&counters));
        Pool::new(self.pool_bytes, counters)
    }

    fn timers(&self, _worker: usize) -> IdleList {
        IdleList::with_capacity(self.slots)
    }

    fn slots(&self) -> usize {
        self.slots
    }

    fn limit(&self) -> usize {
        self.max_connections
    }
}
