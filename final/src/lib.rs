//! # EventCore: the complete server
//!
//! The crate people run and embed. It composes the book's layers, each of
//! which lives once, in its chapter's crate, and is re-exported here under
//! a short name; what this crate adds is its own: the [`Builder`], the
//! [`Settings`] and where they come from (a TOML file, the command line),
//! the [`logger`], the panic hook, and the binary.
//!
//! ## Twenty lines
//!
//! The example `app` (`final/examples/app.rs`):
//!
#![doc = concat!("```no_run\n", include_str!("../examples/app.rs"), "```")]
//!
//! ## Layout
//!
//! | idea | module |
//! |---|---|
//! | routes, middleware, start and run | [`server`] |
//! | every setting, its default, and one door for file and flags | [`settings`] |
//! | the command line | [`cli`] |
//! | the seed's log lines, on stderr and in a file | [`logger`] |
//! | one line per response, in Common or Combined Log Format | [`access`] |
//! | the counters in the Prometheus text format | [`status`] |
//! | several server processes on one port, kept running | [`supervisor`] |
//! | panics logged once, on one line | [`mod@panic`] |
//! | the seed's response helpers | [`respond`] |
//! | a directory of static files: paths, ranges, validators, `sendfile` | [`files`] |
//!
//! The layers: [`sockets`] (chapter 1), [`http`] (4), [`router`] (5),
//! [`workers`] (7), [`pooling`] (8), [`timeouts`] (9); chapters 2, 3 and 6
//! (buffer, poller, thread pool) are inside [`workers`].

pub mod access;
pub mod cli;
pub mod files;
pub mod logger;
pub mod panic;
pub mod respond;
pub mod server;
pub mod settings;
pub mod status;
pub mod supervisor;

pub use eventcore_http as http;
pub use eventcore_pooling as pooling;
pub use eventcore_router as router;
pub use eventcore_sockets as sockets;
pub use eventcore_timeouts as timeouts;
pub use eventcore_workers as workers;

pub use eventcore_http::{Method, Response};
pub use eventcore_router::{Ctx, HandlerResult, Next};
pub use files::Files;
pub use server::{Builder, Running};
pub use settings::Settings;
