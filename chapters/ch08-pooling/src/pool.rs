//! A per-worker pool of working memory: chapter 7's [`Store`], with reuse.
//!
//! A connection needs its [`Work`] (two buffers and a parser) only while
//! it reads or answers a request. With [`Retain::Nothing`] it hands the
//! `Work` back as soon as it is idle, and takes one again when bytes
//! arrive. Chapter 7's store, the heap, makes that four allocations per
//! request; this pool keeps the `Work`s it is given, storage and all, and
//! hands them out again, so a warm server allocates nothing for a request
//! or a connection, and an idle connection holds no buffer at all.
//!
//! The pool is a stack: the `Work` given back last is taken first, its
//! memory the most likely to still be in the cache. It keeps at most
//! [`Pool::cap`] bytes (a burst of connections must not pin its memory
//! forever, and HAProxy found a small pool faster than a large one), and a
//! `Work` that grew for a large request shrinks to a small one's size
//! before it is kept. One pool per worker thread, used by that thread
//! alone: no lock, and the seed's "no shared state" holds (its
//! `ConnectionPool` is one vector behind one mutex for all threads).
//!
//! [`Retain::Nothing`]: eventcore_workers::Retain::Nothing

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use eventcore_http::Limits;
use eventcore_workers::{Store, Work};

// ANCHOR: pool
/// One worker's pool of working memory.
#[derive(Debug)]
pub struct Pool {
    /// What the pool holds, the last given on top.
    // Boxes, not `Work`s: the store hands a connection a `Box<Work>`, and
    // keeping the box is what spares an allocation per take.
    #[allow(clippy::vec_box)]
    free: Vec<Box<Work>>,
    /// Heap bytes `free` holds, the boxes included.
    bytes: usize,
    cap: usize,
    counters: Arc<PoolCounters>,
}

impl Store for Pool {
    fn take(&mut self, limits: Limits) -> Box<Work> {
        bump(&self.counters.out, 1);
        bump64(&self.counters.taken);
        match self.free.pop() {
            Some(work) => {
                self.bytes -= work.heap_bytes();
                self.publish();
                work
            }
            None => {
                bump64(&self.counters.made);
                Box::new(Work::new(limits))
            }
        }
    }

    fn give(&mut self, mut work: Box<Work>) {
        bump(&self.counters.out, -1);
        // What a large request or response grew goes back to the heap now:
        // the pool keeps small `Work`s, each good for any next request.
        work.shrink();
        let size = work.heap_bytes();
        if self.bytes + size > self.cap {
            bump64(&self.counters.freed);
            return drop(work);
        }
        self.bytes += size;
        self.free.push(work);
        self.publish();
    }
}
// ANCHOR_END: pool

impl Pool {
    /// An empty pool that keeps up to `cap` bytes, and reports to
    /// `counters`.
    pub fn new(cap: usize, counters: Arc<PoolCounters>) -> Pool {
        Pool {
            free: Vec::new(),
            bytes: 0,
            cap,
            counters,
        }
    }

    /// The most heap bytes the pool keeps.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// `Work`s in the pool now.
    pub fn len(&self) -> usize {
        self.free.len()
    }

    pub fn is_empty(&self) -> bool {
        self.free.is_empty()
    }

    /// Heap bytes in the pool now.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn publish(&self) {
        self.counters.kept.store(self.free.len(), Ordering::Relaxed);
        self.counters.bytes.store(self.bytes, Ordering::Relaxed);
    }
}

// The counters are written by the worker alone, so a load and a store do
// (no locked read-modify-write on the hot path); others only read them.
fn bump(counter: &AtomicUsize, by: isize) {
    let now = counter.load(Ordering::Relaxed);
    counter.store(now.wrapping_add_signed(by), Ordering::Relaxed);
}

fn bump64(counter: &AtomicU64) {
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

/// What one worker's pool does, for [`PoolStats`]: written by the worker
/// alone, read by anyone.
#[derive(Debug, Default)]
pub struct PoolCounters {
    kept: AtomicUsize,
    bytes: AtomicUsize,
    out: AtomicUsize,
    taken: AtomicU64,
    made: AtomicU64,
    freed: AtomicU64,
}

// ANCHOR: stats
/// The pools of all workers, added up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// `Work`s waiting in the pools.
    pub kept: usize,
    /// Heap bytes they hold.
    pub bytes: usize,
    /// `Work`s handed out and not given back: held by connections now.
    pub out: usize,
    /// `Work`s handed out since the start.
    pub taken: u64,
    /// `Work`s made new, because the pool was empty.
    pub made: u64,
    /// `Work`s given back and freed, because the pool was full.
    pub freed: u64,
}
// ANCHOR_END: stats

impl PoolStats {
    pub(crate) fn add(self, counters: &PoolCounters) -> PoolStats {
        PoolStats {
            kept: self.kept + counters.kept.load(Ordering::Relaxed),
            bytes: self.bytes + counters.bytes.load(Ordering::Relaxed),
            out: self.out + counters.out.load(Ordering::Relaxed),
            taken: self.taken + counters.taken.load(Ordering::Relaxed),
            made: self.made + counters.made.load(Ordering::Relaxed),
            freed: self.freed + counters.freed.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(cap: usize) -> (Pool, Arc<PoolCounters>) {
        let counters = Arc::new(PoolCounters::default());
        (Pool::new(cap, Arc::clone(&counters)), counters)
    }

    #[test]
    fn the_work_given_last_is_taken_first() {
        let (mut pool, _) = pool(1 << 20);
        let a = pool.take(Limits::default());
        let b = pool.take(Limits::default());
        let b_at: *const Work = &*b;
        pool.give(a);
        pool.give(b);
        assert_eq!(pool.len(), 2);
        assert!(std::ptr::eq(&*pool.take(Limits::default()), b_at));
    }

    #[test]
    fn a_full_pool_frees_what_it_is_given() {
        let one = Work::new(Limits::default()).heap_bytes();
        let (mut pool, counters) = pool(2 * one);
        let works: Vec<_> = (0..3).map(|_| pool.take(Limits::default())).collect();
        for work in works {
            pool.give(work);
        }
        assert_eq!(pool.len(), 2);
        assert_eq!(pool.bytes(), 2 * one);
        let stats = PoolStats::default().add(&counters);
        assert_eq!(
            stats,
            PoolStats {
                kept: 2,
                bytes: 2 * one,
                out: 0,
                taken: 3,
                made: 3,
                freed: 1
            }
        );
    }

    #[test]
    fn a_pool_of_no_bytes_keeps_nothing() {
        let (mut pool, _) = pool(0);
        let work = pool.take(Limits::default());
        pool.give(work);
        assert!(pool.is_empty());
        assert_eq!(pool.bytes(), 0);
    }
}
