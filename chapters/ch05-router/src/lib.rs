//! # Chapter 5: the router
//!
//! A parsed request says *what* the client wants (a method and a path); the
//! router decides *who* answers. Exact paths are found in a hash map;
//! patterns such as `/users/{id:[0-9]+}` are compiled once to regular
//! expressions and tried in registration order. Middleware runs around the
//! handler, globally or under a path prefix, and can answer by itself or
//! change the response. Whatever happens, a request gets a response: 404,
//! 405 with `Allow`, an OPTIONS answer, or 500 from the error handler when
//! a handler fails or panics.
//!
//! ## Layout
//!
//! | idea | module |
//! |---|---|
//! | readable patterns to regexes; [`Params`] | [`pattern`] |
//! | [`RouterBuilder`], [`Router`], [`Ctx`], middleware and [`Next`], fallbacks | [`router`] |
//!
//! ## How it connects to the next layers
//!
//! Chapter 7's connection hands each complete request to
//! [`Router::handle`] and writes the [`Response`](eventcore_http::Response)
//! it returns. Built once and then immutable, a `Router` is shared by every
//! worker and pool thread (chapter 6) through an `Arc`.

pub mod pattern;
pub mod router;

pub use pattern::{Params, PatternError};
pub use router::{Ctx, Error, HandlerResult, Next, Router, RouterBuilder, covers};
