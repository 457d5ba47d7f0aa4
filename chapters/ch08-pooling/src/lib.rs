//! # Chapter 8: pooling
//!
//! Chapter 7's server allocates a connection's working memory (two
//! buffers and a parser) when the connection first needs it and keeps it
//! while the connection idles: 2.5 KB per idle keep-alive connection, five
//! times nginx's. This layer plugs into chapter 7's seams and changes
//! three things, without a copy of chapter 7:
//!
//! - **A pool of working memory per worker** ([`Pool`], chapter 7's
//!   `Store`): with `Retain::Nothing`, an idle connection hands its
//!   buffers and parser back, a read lands in the stack first and takes
//!   them from the pool only when bytes arrive, and no request or
//!   connection allocates once the pool is warm. The pool keeps a bounded
//!   number of bytes.
//! - **The connection table allocated up front** (chapter 3's `Slots`,
//!   sized by [`Pooling::slots`]): the seed's pre-allocated
//!   `connection_pool_size`, with generations instead of its fd map.
//! - **A connection limit** ([`Pooling::max_connections`], the seed's
//!   `max_connections`, which it never enforces): at the limit a new
//!   connection closes the oldest idle one ([`IdleList`], chapter 7's
//!   `Timers`), or is answered `503` if none is idle.
//!
//! ## Layout
//!
//! | idea | module |
//! |---|---|
//! | the per-worker pool of working memory | [`pool`] |
//! | idle connections, oldest first | [`idle`] |
//! | lists of connections threaded through a per-slot array | [`lists`] |
//! | the parts and settings that give a server all three | [`parts`] |
//!
//! ## How it connects to the next layer
//!
//! Chapter 9 gives the server deadlines through the same `Timers` hook;
//! its idle timeout closes connections in the order this chapter's list
//! keeps them.

pub mod idle;
pub mod lists;
pub mod parts;
pub mod pool;

pub use idle::IdleList;
pub use lists::SlotLists;
pub use parts::{Pooling, Reports};
pub use pool::{Pool, PoolCounters, PoolStats};
