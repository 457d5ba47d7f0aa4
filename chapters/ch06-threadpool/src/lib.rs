//! # Chapter 6: the thread pool
//!
//! The event loop of chapter 3 must never block: a handler that reads a
//! file, queries a database or computes for a millisecond would stall every
//! connection of its worker. The seed hands such work to a pool of threads
//! fed by a blocking queue. This chapter builds both: a [`BlockingQueue`]
//! (a mutex and two condition variables, optionally bounded, closable) and
//! a [`ThreadPool`] of named threads that survive panicking tasks and shut
//! down gracefully, within a deadline.
//!
//! ## Layout
//!
//! | idea | module |
//! |---|---|
//! | [`BlockingQueue`]: push, pop, bounded, close | [`queue`] |
//! | [`ThreadPool`]: named threads, submit, panic isolation, shutdown; [`Job`]s of one type, unboxed | [`pool`] |
//!
//! ## How it connects to the next layers
//!
//! Chapter 7's worker owns a `ThreadPool` in the seed's model: the event
//! loop submits a connection's request handling to it, the pool thread
//! answers through the router of chapter 5, and hands the connection back
//! to the loop (through a queue and the waker of chapter 3) to be re-armed.

pub mod pool;
pub mod queue;

pub use pool::{Builder, Job, Rejected, ShutdownReport, SubmitError, Task, ThreadPool};
pub use queue::{BlockingQueue, PushError};
