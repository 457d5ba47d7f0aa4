//! Exercise 1: a pool bounded by count.
//!
//! Chapter 8's pool keeps working memory up to a number of bytes. Write
//! the simpler policy many servers use: keep at most `max` `Work`s,
//! whatever their size, the last given back on top.

use eventcore_http::Limits;
use eventcore_workers::{Store, Work};

/// A store that keeps up to `max` `Work`s for reuse.
#[derive(Debug)]
pub struct CountedPool {
    max: usize,
    // Boxes, not `Work`s: the store hands a connection a `Box<Work>`, and
    // keeping the box is what spares an allocation per take.
    #[allow(clippy::vec_box)]
    free: Vec<Box<Work>>,
}

impl CountedPool {
    /// An empty pool that keeps at most `max`, with room for them made
    /// now: giving back never allocates.
    pub fn new(max: usize) -> CountedPool {
        // TODO: reserve room for `max`.
        CountedPool {
            max,
            free: Vec::new(),
        }
    }

    /// `Work`s in the pool.
    pub fn len(&self) -> usize {
        self.free.len()
    }

    pub fn is_empty(&self) -> bool {
        self.free.is_empty()
    }
}

impl Store for CountedPool {
    /// The `Work` given back last, or a new one if the pool is empty.
    fn take(&mut self, limits: Limits) -> Box<Work> {
        let _ = limits;
        // TODO: the top of `free`, or a new `Work`.
        todo!("take from the pool")
    }

    /// Keeps `work` if fewer than `max` are kept, frees it otherwise.
    /// What a large request grew is given back first (`Work::shrink`).
    fn give(&mut self, work: Box<Work>) {
        let _ = (work, self.max);
        // TODO: shrink and keep it, or drop it.
        todo!("give to the pool")
    }
}
