//! A global allocator that counts the allocations of the thread that asks
//! it to, or of every thread. Test binaries that prove "no allocation per
//! request" include this file with `#[path]` (it lives here once, and the
//! tests of chapters 5 and 7 use it too); the `#[global_allocator]` it
//! declares applies to the whole test binary.

#![allow(dead_code)] // each test binary uses one of the two counters

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

// ANCHOR: counter
/// Counts allocations made by the thread that switched counting on.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// Count on every thread, not just the one that asked.
static EVERYWHERE: AtomicBool = AtomicBool::new(false);

thread_local! {
    static COUNTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counter only reads a thread-local flag and bumps an atomic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller upholds alloc's contract; we pass it on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from System.alloc with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: as for dealloc, and new_size is the caller's to uphold.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn counting() -> bool {
    // `try_with`: a thread being torn down has no thread-locals left.
    EVERYWHERE.load(Ordering::Relaxed) || COUNTING.try_with(|c| c.get()).unwrap_or(false)
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
pub fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::Relaxed) - before
}
// ANCHOR_END: counter

/// Allocations made by any thread of the process while `f` runs: for a
/// server whose threads the test does not control. `f` itself must not
/// allocate.
pub fn allocations_anywhere_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    EVERYWHERE.store(true, Ordering::SeqCst);
    f();
    EVERYWHERE.store(false, Ordering::SeqCst);
    ALLOCATIONS.load(Ordering::Relaxed) - before
}
