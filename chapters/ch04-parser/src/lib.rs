//! # Chapter 4: the HTTP/1.1 parser and the response writer
//!
//! Bytes in the input buffer become a [`Request`]; a [`Response`] becomes
//! bytes in the output buffer. The parser is an incremental state machine
//! that follows RFC 9112 (message syntax and framing) and RFC 9110
//! (semantics) rule by rule, citing the section beside each rule, because
//! this is the code that decides what a stranger's bytes mean.
//!
//! ## Layout
//!
//! | idea | module |
//! |---|---|
//! | character classes: token, field value, OWS, lists | [`chars`] |
//! | runs of a class, eight bytes at a time, beside the simple loops | [`scan`] |
//! | [`ParseError`] and the status code of each | [`error`] |
//! | [`Request`], [`Method`], [`Version`]: views into the input | [`request`] |
//! | [`Parser`]: the state machine, limits, framing, keep-alive | [`parser`] |
//! | [`Response`], status lines, the `Date` cache, serializing into a Buffer | [`response`] |
//!
//! ## How it connects to the next layers
//!
//! Chapter 5's router takes a [`Request`] and returns a [`Response`].
//! Chapter 7's connection feeds the parser the input buffer's bytes after
//! every read, hands each complete request to the router, writes the
//! response with [`response::write_response`], and closes after any
//! [`ParseError`], answering it with [`ParseError::status`].

pub mod chars;
pub mod error;
pub mod parser;
pub mod request;
pub mod response;
pub mod scan;

pub use error::ParseError;
pub use parser::{Limits, Parser, Progress};
pub use request::{Method, Request, TargetForm, Version};
pub use response::{Body, DateCache, FileBody, Response, write_response};
