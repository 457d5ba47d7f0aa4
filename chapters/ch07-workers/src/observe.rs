//! The hook for whoever wants to see each answered request: an access log,
//! a metrics counter.
//!
//! A connection tells the [`App`](crate::App)'s [`Observer`], if it has one,
//! about every response it queues: for a request (with the request), for
//! one that could not be parsed, and for one the server gave up on (a
//! deadline's `408`, a full pool's `503`). Chapter 7's servers have none,
//! which costs one branch per request; the final crate plugs in its access
//! log and its status counters.
//!
//! The call is dynamic (one indirect call per request when an observer is
//! set), unlike the worker's store and timers: what an observer does with a
//! request (format a log line, count it) costs a hundred times more, and
//! one `App` type for every server keeps this layer's signatures plain.

use eventcore_http::Request;
use eventcore_poller::Token;
use eventcore_sockets::Socket;

// ANCHOR: observer
/// One response, as an observer sees it when the connection queues it.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The worker whose connection it is (numbered from 0; pool threads
    /// report their worker's). An observer that keeps state per worker
    /// spares the workers from contending for it.
    pub worker: usize,
    /// The connection's token in its worker (a slot and the slot's
    /// generation): no other connection of the worker ever has the same,
    /// so an observer may keep what it learns about a connection under it.
    /// `None` for a connection turned away at the limit.
    pub connection: Option<Token>,
    /// The connection's socket, for the client's address
    /// ([`Socket::peer_addr`]): asked only by an observer that wants it, so
    /// an idle connection stores no address.
    pub socket: &'a Socket,
    /// The request answered; `None` for one that could not be parsed or
    /// was cut off by a deadline, and for a connection turned away.
    pub request: Option<&'a Request<'a>>,
    /// The status on the wire.
    pub status: u16,
    /// The body bytes on the wire (none for HEAD, 1xx, 204 and 304).
    pub body_bytes: usize,
}

/// Sees every response a server queues, from every worker and pool thread.
pub trait Observer: Send + Sync + 'static {
    fn answered(&self, exchange: &Exchange<'_>);
}
// ANCHOR_END: observer
