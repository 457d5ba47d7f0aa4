//! The thread pool: named threads that take tasks from a [`BlockingQueue`].
//!
//! A task is usually a closure, boxed so that tasks of every kind fit one
//! queue ([`Task`]). A pool can also carry one plain type of [`Job`]: then
//! nothing is boxed, and a job the queue refuses comes back to the caller
//! whole ([`ThreadPool::push`]), which chapter 7 needs to answer the client
//! whose request it carries.
//!
//! A task that panics is caught: the panic is logged through the `log`
//! facade, counted, and the thread goes on with the next task, so one bad
//! request can't shrink the pool. Shutdown closes the queue, lets the
//! threads finish what was already queued, and waits for them, but only up
//! to a deadline: a task stuck forever must not hang the process on exit.

use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::queue::{BlockingQueue, PushError};

// ANCHOR: job
/// Work a pool thread runs once.
pub trait Job: Send + 'static {
    fn run(self);
}

/// Every closure that can be sent to another thread is a job.
impl<F: FnOnce() + Send + 'static> Job for F {
    fn run(self) {
        self()
    }
}

/// A unit of work of any kind: a boxed closure (itself a closure, so a
/// [`Job`]). The default job of a [`ThreadPool`].
pub type Task = Box<dyn FnOnce() + Send + 'static>;

/// A job the pool did not take, handed back with the reason.
pub struct Rejected<J> {
    pub job: J,
    pub reason: SubmitError,
}
// ANCHOR_END: job

/// The reason only: a job need not be printable.
impl<J> fmt::Debug for Rejected<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

/// Why a task was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitError {
    /// The queue is bounded and full: the caller decides (answer 503, run it
    /// inline, or wait with `submit_wait`).
    Full,
    /// The pool is shutting down or shut down.
    ShutDown,
}

impl fmt::Display for SubmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubmitError::Full => "thread pool queue is full",
            SubmitError::ShutDown => "thread pool is shut down",
        })
    }
}

impl std::error::Error for SubmitError {}

/// What a shutdown achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Threads that finished and were joined.
    pub joined: usize,
    /// Threads still inside a task at the deadline, left to finish on their own.
    /// (A thread that left its last task just at the deadline can be in
    /// neither count: done, but not yet joinable.)
    pub still_running: usize,
}

/// Counters and the "a thread exited" signal, shared with the threads.
#[derive(Debug, Default)]
struct Shared {
    completed: AtomicU64,
    panicked: AtomicU64,
    /// Threads that have not exited yet.
    alive: Mutex<usize>,
    exited: Condvar,
}

/// Decrements `alive` when a worker thread ends, however it ends.
struct ExitSignal(Arc<Shared>);

impl Drop for ExitSignal {
    fn drop(&mut self) {
        *self.0.alive.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        self.0.exited.notify_all();
    }
}

// ANCHOR: pool
/// A fixed set of named threads running submitted jobs.
pub struct ThreadPool<J: Job = Task> {
    name: String,
    queue: Arc<BlockingQueue<J>>,
    shared: Arc<Shared>,
    handles: Mutex<Vec<JoinHandle<()>>>,
    /// How long `drop` waits for the threads.
    drop_timeout: Duration,
}
// ANCHOR_END: pool

impl<J: Job> fmt::Debug for ThreadPool<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("name", &self.name)
            .field("queue", &self.queue)
            .field("completed", &self.completed())
            .field("panicked", &self.panicked())
            .finish()
    }
}

/// Settings for a [`ThreadPool`].
#[derive(Debug, Clone)]
pub struct Builder {
    name: String,
    threads: usize,
    capacity: Option<usize>,
    drop_timeout: Duration,
}

impl Builder {
    /// Threads are named `name-0`, `name-1`, ...: what `top -H`, a debugger
    /// and the panic messages show.
    pub fn name(mut self, name: &str) -> Builder {
        self.name = name.to_string();
        self
    }

    pub fn threads(mut self, threads: usize) -> Builder {
        self.threads = threads.max(1);
        self
    }

    /// Bound the queue: `submit` fails with `Full` when it holds this many tasks.
    pub fn capacity(mut self, capacity: usize) -> Builder {
        self.capacity = Some(capacity.max(1));
        self
    }

    /// How long dropping the pool waits for its threads (default 5 s).
    pub fn drop_timeout(mut self, timeout: Duration) -> Builder {
        self.drop_timeout = timeout;
        self
    }

    /// A pool of boxed closures ([`Task`]).
    pub fn build(self) -> io::Result<ThreadPool> {
        self.build_for()
    }

    // ANCHOR: spawn
    /// A pool for jobs of type `J`, unboxed.
    pub fn build_for<J: Job>(self) -> io::Result<ThreadPool<J>> {
        let queue = Arc::new(match self.capacity {
            Some(capacity) => BlockingQueue::bounded(capacity),
            None => BlockingQueue::unbounded(),
        });
        let shared = Arc::new(Shared::default());
        let pool = ThreadPool {
            name: self.name,
            queue,
            shared,
            handles: Mutex::new(Vec::with_capacity(self.threads)),
            drop_timeout: self.drop_timeout,
        };
        for i in 0..self.threads {
            let (queue, shared) = (Arc::clone(&pool.queue), Arc::clone(&pool.shared));
            *pool
                .shared
                .alive
                .lock()
                .unwrap_or_else(PoisonError::into_inner) += 1;
            let spawned = thread::Builder::new()
                .name(format!("{}-{i}", pool.name))
                .spawn(move || work(&queue, shared));
            match spawned {
                Ok(handle) => pool.lock_handles().push(handle),
                Err(e) => {
                    // Not started: undo the count; dropping `pool` stops the others.
                    *pool
                        .shared
                        .alive
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) -= 1;
                    return Err(e);
                }
            }
        }
        Ok(pool)
    }
    // ANCHOR_END: spawn
}

// ANCHOR: work
/// A worker thread's life: take a job, run it, survive its panic, repeat
/// until the queue is closed and empty.
fn work<J: Job>(queue: &BlockingQueue<J>, shared: Arc<Shared>) {
    let _exit = ExitSignal(Arc::clone(&shared));
    while let Some(job) = queue.pop() {
        match catch_unwind(AssertUnwindSafe(|| job.run())) {
            Ok(()) => {
                shared.completed.fetch_add(1, Ordering::Relaxed);
            }
            Err(payload) => {
                shared.panicked.fetch_add(1, Ordering::Relaxed);
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a non-string panic".to_string());
                log::error!(
                    "task panicked on thread {}: {message}",
                    thread::current().name().unwrap_or("?")
                );
            }
        }
    }
}
// ANCHOR_END: work

impl ThreadPool {
    pub fn builder() -> Builder {
        Builder {
            name: "pool".to_string(),
            threads: thread::available_parallelism().map_or(4, |n| n.get()),
            capacity: None,
            drop_timeout: Duration::from_secs(5),
        }
    }

    /// `threads` threads named `pool-N`, with an unbounded queue.
    pub fn new(threads: usize) -> io::Result<ThreadPool> {
        ThreadPool::builder().threads(threads).build()
    }

    // ANCHOR: submit
    /// Queues `task` without waiting: `Full` if the bounded queue has no
    /// room, `ShutDown` after shutdown. The task is dropped then; a pool of
    /// a plain job type gives it back ([`push`](ThreadPool::push)).
    pub fn submit(&self, task: impl FnOnce() + Send + 'static) -> Result<(), SubmitError> {
        self.push(Box::new(task))
            .map_err(|rejected| rejected.reason)
    }

    /// Queues `task`, waiting while the bounded queue is full.
    pub fn submit_wait(&self, task: impl FnOnce() + Send + 'static) -> Result<(), SubmitError> {
        self.push_wait(Box::new(task))
            .map_err(|rejected| rejected.reason)
    }
}

impl<J: Job> ThreadPool<J> {
    /// Queues `job` without waiting, or hands it back with the reason.
    pub fn push(&self, job: J) -> Result<(), Rejected<J>> {
        self.queue.try_push(job).map_err(rejected)
    }

    /// Queues `job`, waiting while the bounded queue is full.
    pub fn push_wait(&self, job: J) -> Result<(), Rejected<J>> {
        self.queue.push(job).map_err(rejected)
    }
    // ANCHOR_END: submit

    fn lock_handles(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.handles.lock().unwrap_or_else(PoisonError::into_inner)
    }

    // ANCHOR: shutdown
    /// Stops accepting tasks, lets the threads finish every queued task,
    /// and waits up to `timeout` for them to exit. Threads still busy at the
    /// deadline are left running (a thread can't be killed safely) and counted.
    pub fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        self.queue.close();
        let deadline = Instant::now() + timeout;
        let mut alive = self
            .shared
            .alive
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *alive > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            alive = self
                .shared
                .exited
                .wait_timeout(alive, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        let still_running = *alive;
        drop(alive);
        let handles = std::mem::take(&mut *self.lock_handles());
        let mut joined = 0;
        for handle in handles {
            // With every thread past its last task, a join waits only for
            // thread teardown. Otherwise join only those already finished,
            // so this never blocks on a stuck task.
            if still_running == 0 || handle.is_finished() {
                let _ = handle.join();
                joined += 1;
            }
        }
        ShutdownReport {
            joined,
            still_running,
        }
    }
    // ANCHOR_END: shutdown

    /// Tasks that returned normally.
    pub fn completed(&self) -> u64 {
        self.shared.completed.load(Ordering::Relaxed)
    }

    /// Tasks that panicked.
    pub fn panicked(&self) -> u64 {
        self.shared.panicked.load(Ordering::Relaxed)
    }

    /// Tasks waiting in the queue.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

fn rejected<J>(e: PushError<J>) -> Rejected<J> {
    match e {
        PushError::Full(job) => Rejected {
            job,
            reason: SubmitError::Full,
        },
        PushError::Closed(job) => Rejected {
            job,
            reason: SubmitError::ShutDown,
        },
    }
}

impl<J: Job> Drop for ThreadPool<J> {
    /// Shuts down with the builder's `drop_timeout`, so dropping a pool
    /// finishes queued work but never waits forever.
    fn drop(&mut self) {
        if self.queue.is_closed() && self.lock_handles().is_empty() {
            // Already shut down explicitly; its report was the caller's.
            return;
        }
        let report = self.shutdown(self.drop_timeout);
        if report.still_running > 0 {
            log::warn!(
                "pool {}: {} thread(s) still busy after {:?}; left running",
                self.name,
                report.still_running,
                self.drop_timeout
            );
        }
    }
}
