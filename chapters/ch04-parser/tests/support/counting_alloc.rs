//! A global allocator that counts the allocations of the thread that asks
//! it to, or of every thread, and the bytes live on the heap. Test binaries
//! that prove "no allocation per request" or "no copy of a large body"
//! include this file with `#[path]` (it lives here once, and the tests of
//! chapters 5 and 7 use it too); the `#[global_allocator]` it declares
//! applies to the whole test binary.

#![allow(dead_code)] // each test binary uses one of the two counters

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};

// ANCHOR: counter
/// Counts allocations made by the thread that switched counting on.
struct Counting;

thread_local! {
    /// This thread counts its allocations, and how many it counted. Per
    /// thread, so that tests running beside each other don't add to each
    /// other's counts.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static MINE: Cell<usize> = const { Cell::new(0) };
}

/// Every thread counts (see `allocations_anywhere_in`), into one total.
static EVERYWHERE: AtomicBool = AtomicBool::new(false);
static ALL: AtomicUsize = AtomicUsize::new(0);

/// Bytes allocated and not yet freed, by every thread, and the most there
/// were since `peak_growth_in` last reset it.
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grow(bytes: isize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

fn count() {
    if EVERYWHERE.load(Ordering::Relaxed) {
        ALL.fetch_add(1, Ordering::Relaxed);
    }
    // `try_with`: a thread being torn down has no thread-locals left.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = MINE.try_with(|mine| mine.set(mine.get() + 1));
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counter only reads thread-locals and an atomic flag, and bumps counters.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        grow(layout.size() as isize);
        // SAFETY: the caller upholds alloc's contract; we pass it on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        grow(-(layout.size() as isize));
        // SAFETY: ptr came from System.alloc with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        grow(new_size as isize - layout.size() as isize);
        // SAFETY: as for dealloc, and new_size is the caller's to uphold.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
pub fn allocations_in(f: impl FnOnce()) -> usize {
    let before = MINE.with(Cell::get);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    MINE.with(Cell::get) - before
}
// ANCHOR_END: counter

/// Allocations made by any thread of the process while `f` runs: for a
/// server whose threads the test does not control. `f` itself must not
/// allocate.
pub fn allocations_anywhere_in(f: impl FnOnce()) -> usize {
    let before = ALL.load(Ordering::Relaxed);
    EVERYWHERE.store(true, Ordering::SeqCst);
    f();
    EVERYWHERE.store(false, Ordering::SeqCst);
    ALL.load(Ordering::Relaxed) - before
}

/// Bytes live on the heap now, over all threads.
pub fn live_bytes() -> isize {
    LIVE.load(Ordering::SeqCst)
}

/// How far the bytes live on the heap (all threads) rose above where they
/// were when `f` started, at their highest while it ran.
pub fn peak_growth_in(f: impl FnOnce()) -> usize {
    let start = LIVE.load(Ordering::SeqCst);
    PEAK.store(start, Ordering::SeqCst);
    f();
    (PEAK.load(Ordering::SeqCst) - start).max(0) as usize
}
