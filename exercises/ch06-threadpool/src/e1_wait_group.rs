//! Exercise 1: a wait group.
//!
//! A server that shuts down gracefully waits for its in-flight requests.
//! The tool for that is a counter that threads can wait on until it reaches
//! zero: a `Mutex` and a `Condvar`, the same two parts as the chapter's queue.

use std::time::Duration;

/// Counts outstanding work; `wait` blocks until the count is zero.
#[derive(Debug, Default)]
pub struct WaitGroup {
    // TODO: your fields here: a Mutex<usize> and a Condvar.
}

impl WaitGroup {
    pub fn new() -> WaitGroup {
        todo!("an empty wait group")
    }

    /// One more piece of outstanding work.
    pub fn add(&self) {
        todo!("increment")
    }

    /// One piece of work finished. Wakes every waiter when the count reaches zero.
    ///
    /// # Panics
    /// If the count is already zero (`done` without `add` is a bug), with a
    /// message that contains "without a matching add".
    pub fn done(&self) {
        todo!("decrement, and wake the waiters at zero")
    }

    /// Blocks until the count is zero, or until `timeout` has passed.
    /// Returns true if the count reached zero. Spurious wake-ups must not
    /// end the wait early.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let _ = timeout;
        todo!("wait on the condvar, in a loop")
    }
}
