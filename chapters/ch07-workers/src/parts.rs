//! The parts of a worker that later chapters replace, chosen when the
//! server starts.
//!
//! Each is a type parameter of the worker, so the loop calls them directly
//! (static dispatch, inlined: chapter 7's do-nothing timers cost nothing).
//! [`Server::start`](crate::Server::start) uses [`Basic`];
//! [`Server::start_with`](crate::Server::start_with) takes any [`Parts`],
//! whose value carries the later chapter's own settings, so that chapter 7's
//! [`Config`](crate::Config) never has to learn them.

use crate::store::{Heap, Store};
use crate::timers::{NoTimers, Timers};

// ANCHOR: parts
/// Makes each worker's store and timers, and says how many connection
/// slots a worker allocates up front.
pub trait Parts: Send + 'static {
    type Store: Store + Send + 'static;
    type Timers: Timers + Send + 'static;
    /// The store of worker `worker` (numbered from 0).
    fn store(&self, worker: usize) -> Self::Store;
    fn timers(&self, worker: usize) -> Self::Timers;
    /// Connection slots per worker allocated before the first connection
    /// (the seed's `connection_pool_size`); beyond them the table grows.
    fn slots(&self) -> usize {
        0
    }
    /// Connections per worker at most. A connection beyond it closes the
    /// idle connection the timers name ([`Timers::evict`]), or is answered
    /// `503` and closed if they name none. No limit in chapter 7.
    fn limit(&self) -> usize {
        usize::MAX
    }
}

/// Chapter 7's parts: working memory from the heap, no deadlines, a table
/// that grows as connections come.
#[derive(Debug, Clone, Copy, Default)]
pub struct Basic;

impl Parts for Basic {
    type Store = Heap;
    type Timers = NoTimers;

    fn store(&self, _: usize) -> Heap {
        Heap
    }

    fn timers(&self, _: usize) -> NoTimers {
        NoTimers
    }
}
// ANCHOR_END: parts
