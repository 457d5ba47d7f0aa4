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
//! | the connection state machine: read, answer, write, backpressure | [`connection`] |
//! | the event loop, its table, mailbox and pool | `worker` |
//! | batch accepts that pause on `EMFILE`; the seed's accept thread | `acceptor` |
//! | settings and the two models | [`config`] |
//! | starting and stopping it all | [`server`] |
//! | Ctrl-C without a signal handler | [`signal`] |
//!
//! ## How it connects to the next layers
//!
//! Chapter 8 replaces the per-connection allocations (a boxed connection,
//! two buffers, a parser's tables) with a pre-allocated slab and pooled
//! buffers, which is what idle connections cost here. Chapter 9 adds the
//! timers this chapter lacks (idle, header and write timeouts) and a
//! graceful shutdown.

mod acceptor;
pub mod app;
pub mod config;
pub mod connection;
pub mod demo;
pub mod server;
pub mod signal;
mod worker;

pub use app::App;
pub use config::{Config, Model};
pub use connection::{Connection, Env, Outcome, State};
pub use server::Server;
