//! # Chapter 7: workers
//!
//! The layer where the others become a server. A [`Connection`] joins a
//! socket (chapter 1), two buffers (chapter 2), a parser (chapter 4) and
//! the router (chapter 5) into the seed's connection state machine. A
//! worker runs chapter 3's event loop over a table of connections, with a
//! thread pool (chapter 6) beside it. [`Server`] starts the workers and,
//! in the seed's model, the accept thread that feeds them.
//!
//! Two execution models ([`Model`]) run the same connection code:
//! - **Seed**: an accept thread deals connections round-robin to the
//!   workers; each ready connection goes to the worker's pool (registered
//!   `EPOLLONESHOT`, so no second thread can get it) and is re-armed when
//!   the task hands it back.
//! - **Inline**: each worker accepts on its own `SO_REUSEPORT` listener and
//!   runs handlers on its own loop; only routes marked blocking ([`App`])
//!   go to the pool.
//!
//! ## Layout
//!
//! | idea | module |
//! |---|---|
//! | the router plus the routes that may block | [`app`] |
//! | the demo application (`/plaintext`, `/json`, `/echo`, `/users/{id}`) | [`demo`] |
//! | the example servers' flags, logger and life until Ctrl-C | [`example`] |
//! | the connection state machine: read, answer, write, backpressure; its phases | [`connection`] |
//! | the event loop, its table, mailbox and pool | `worker` |
//! | where a connection's working memory comes from ([`Store`]) | [`store`] |
//! | the hook for deadlines ([`Timers`]) | [`timers`] |
//! | the hook for access logs and metrics ([`Observer`]) | [`observe`] |
//! | the store and timers a server starts with ([`Parts`]) | [`parts`] |
//! | batch accepts that pause on `EMFILE` | `listening` |
//! | the seed's accept thread | `acceptor` |
//! | settings and the two models | [`config`] |
//! | starting, draining and stopping it all | [`server`] |
//! | counters for operators and tests | [`stats`] |
//! | Ctrl-C without a signal handler | [`signal`] |
//!
//! ## How it connects to the next layers
//!
//! Two mechanisms are left to later chapters, each behind a seam this
//! chapter offers: the [`Store`] a connection's working memory (buffers and
//! parser) comes from, which chapter 8 makes a per-worker pool, and the
//! [`Timers`] the loop consults, which chapter 9 fills with deadlines (idle,
//! header, body, write). Both are type parameters of the worker, chosen by
//! the [`Parts`] a server starts with, so neither chapter edits this one;
//! they bring their own settings along with their parts.

mod acceptor;
pub mod app;
pub mod config;
pub mod connection;
pub mod demo;
pub mod example;
mod listening;
pub mod observe;
pub mod parts;
pub mod server;
pub mod signal;
pub mod stats;
pub mod store;
pub mod timers;
mod worker;

pub use app::App;
pub use config::{Config, Model};
pub use connection::{Connection, Env, Outcome, Phase, Report, State, Work};
/// The connection's name in an [`Exchange`] (chapter 3's token).
pub use eventcore_poller::Token;
pub use listening::PAUSE;
pub use observe::{Exchange, Observer};
pub use parts::{Basic, Parts};
pub use server::Server;
pub use stats::{Stats, StatsHandle};
pub use store::{Heap, Retain, Store};
pub use timers::{Expiry, NoTimers, Timers};
