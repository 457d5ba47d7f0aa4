//! A blocking queue: a `VecDeque` behind a `Mutex`, and two `Condvar`s for
//! "not empty" and "not full".
//!
//! This is what the seed draws as `BlockingQueue<Task>` (and elsewhere
//! calls "lock-free"): a lock and condition variables. Consumers sleep in
//! `pop` until there is an item; with a capacity, producers sleep in `push`
//! until there is room, which is how a full pool pushes back on whoever
//! submits work instead of growing without limit. `close` wakes everyone.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    closed: bool,
    /// Threads asleep in `pop` and in `push`. `Condvar::notify_one` is a
    /// futex syscall even when nobody waits; counting the sleepers lets a
    /// push or pop skip it, which under load is most of the time.
    sleeping_consumers: usize,
    sleeping_producers: usize,
}

// ANCHOR: queue
/// A multi-producer, multi-consumer FIFO queue that blocks, optionally bounded.
pub struct BlockingQueue<T> {
    state: Mutex<State<T>>,
    /// Signalled when an item arrives or the queue closes.
    not_empty: Condvar,
    /// Signalled when an item leaves or the queue closes.
    not_full: Condvar,
    capacity: Option<usize>,
}
// ANCHOR_END: queue

/// Why an item was not queued; the item comes back.
#[derive(PartialEq, Eq)]
pub enum PushError<T> {
    /// The queue is bounded and full (only from the `try_` and timed pushes).
    Full(T),
    /// The queue is closed: nothing will ever take the item.
    Closed(T),
}

impl<T> PushError<T> {
    pub fn into_inner(self) -> T {
        match self {
            PushError::Full(t) | PushError::Closed(t) => t,
        }
    }
}

impl<T> fmt::Debug for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Full(_) => f.write_str("Full(..)"),
            PushError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Debug for BlockingQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("BlockingQueue")
            .field("len", &state.items.len())
            .field("capacity", &self.capacity)
            .field("closed", &state.closed)
            .finish()
    }
}

impl<T> BlockingQueue<T> {
    /// An unbounded queue.
    pub fn unbounded() -> BlockingQueue<T> {
        BlockingQueue::with_capacity(None)
    }

    /// A queue that holds at most `capacity` items.
    ///
    /// # Panics
    /// If `capacity` is 0: a queue that can hold nothing would block every push forever.
    pub fn bounded(capacity: usize) -> BlockingQueue<T> {
        assert!(
            capacity > 0,
            "a bounded queue needs room for at least one item"
        );
        BlockingQueue::with_capacity(Some(capacity))
    }

    fn with_capacity(capacity: Option<usize>) -> BlockingQueue<T> {
        BlockingQueue {
            state: Mutex::new(State {
                items: VecDeque::new(),
                closed: false,
                sleeping_consumers: 0,
                sleeping_producers: 0,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity,
        }
    }

    /// The lock. A panic while it was held cannot leave the queue half
    /// changed (every change is one `VecDeque` call or one flag), so a
    /// poisoned lock is used as it is.
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_full(&self, state: &State<T>) -> bool {
        self.capacity.is_some_and(|c| state.items.len() >= c)
    }

    // ANCHOR: push
    /// Adds `item`, waiting while the queue is full. Fails only if the queue
    /// is (or becomes) closed.
    pub fn push(&self, item: T) -> Result<(), PushError<T>> {
        self.push_until(item, None)
    }

    /// Adds `item` if there is room now.
    pub fn try_push(&self, item: T) -> Result<(), PushError<T>> {
        self.push_until(item, Some(Instant::now()))
    }

    /// Adds `item`, waiting at most `timeout` for room.
    pub fn push_timeout(&self, item: T, timeout: Duration) -> Result<(), PushError<T>> {
        self.push_until(item, Some(Instant::now() + timeout))
    }

    fn push_until(&self, item: T, deadline: Option<Instant>) -> Result<(), PushError<T>> {
        let mut state = self.lock();
        loop {
            if state.closed {
                return Err(PushError::Closed(item));
            }
            if !self.is_full(&state) {
                break;
            }
            let left = match deadline.map(|d| d.saturating_duration_since(Instant::now())) {
                Some(left) if left.is_zero() => return Err(PushError::Full(item)),
                other => other,
            };
            // Condvar waits can wake spuriously, so the condition is
            // checked again in the loop, never assumed.
            state.sleeping_producers += 1;
            state = match left {
                None => self
                    .not_full
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(left) => {
                    self.not_full
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
            state.sleeping_producers -= 1;
        }
        state.items.push_back(item);
        let wake = state.sleeping_consumers > 0;
        drop(state);
        // One item: one consumer can take it, if one is asleep at all.
        if wake {
            self.not_empty.notify_one();
        }
        Ok(())
    }
    // ANCHOR_END: push

    // ANCHOR: pop
    /// Takes the oldest item, waiting while the queue is empty. Returns
    /// `None` once the queue is closed *and* empty: items queued before
    /// `close` are still handed out.
    pub fn pop(&self) -> Option<T> {
        let mut state = self.lock();
        loop {
            if let Some(item) = state.items.pop_front() {
                let wake = state.sleeping_producers > 0;
                drop(state);
                if wake {
                    self.not_full.notify_one();
                }
                return Some(item);
            }
            if state.closed {
                return None;
            }
            state.sleeping_consumers += 1;
            state = self
                .not_empty
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.sleeping_consumers -= 1;
        }
    }
    // ANCHOR_END: pop

    /// Takes the oldest item if there is one now.
    pub fn try_pop(&self) -> Option<T> {
        let mut state = self.lock();
        let item = state.items.pop_front();
        let wake = item.is_some() && state.sleeping_producers > 0;
        drop(state);
        if wake {
            self.not_full.notify_one();
        }
        item
    }

    // ANCHOR: close
    /// Refuses new items from now on and wakes every waiting thread:
    /// producers get `Closed`, consumers drain what is left and then `None`.
    pub fn close(&self) {
        self.lock().closed = true;
        self.not_empty.notify_all();
        self.not_full.notify_all();
    }
    // ANCHOR_END: close

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    pub fn len(&self) -> usize {
        self.lock().items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn capacity(&self) -> Option<usize> {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_order_and_drain_after_close() {
        let q = BlockingQueue::unbounded();
        for i in 0..3 {
            q.push(i).unwrap();
        }
        q.close();
        assert_eq!(q.push(9), Err(PushError::Closed(9)));
        assert_eq!(
            (q.pop(), q.pop(), q.pop(), q.pop()),
            (Some(0), Some(1), Some(2), None)
        );
    }

    #[test]
    fn a_bounded_queue_refuses_when_full_and_times_out() {
        let q = BlockingQueue::bounded(2);
        q.try_push(1).unwrap();
        q.try_push(2).unwrap();
        assert_eq!(q.try_push(3), Err(PushError::Full(3)));
        let start = Instant::now();
        assert_eq!(
            q.push_timeout(3, Duration::from_millis(30)),
            Err(PushError::Full(3))
        );
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert_eq!(q.try_pop(), Some(1));
        q.try_push(3).unwrap();
        assert_eq!(q.len(), 2);
    }

    #[test]
    #[should_panic(expected = "at least one item")]
    fn a_zero_capacity_queue_is_refused() {
        let _ = BlockingQueue::<u8>::bounded(0);
    }
}
