//! # Chapter 9: timeouts
//!
//! Chapter 7's server waits forever: for an idle keep-alive connection's
//! next request, for the rest of a head a client trickles a byte at a time
//! (slowloris), for a body that stopped, for a client that stopped
//! reading. This layer gives each worker deadlines through chapter 7's
//! `Timers` hook, one kind per phase of a connection, kept in O(1) lists
//! keyed by the connection's token ([`Deadlines`]); the loop sleeps until
//! the soonest, and an idle server with idle connections wakes only when
//! one is due. With deadlines, a closing connection may linger for the
//! client's close (bounded).
//!
//! ## Layout
//!
//! | idea | module |
//! |---|---|
//! | the timeouts and the lists that keep them | [`deadlines`] |
//! | the parts: chapter 8's pooling plus deadlines | [`parts`] |

pub mod deadlines;
pub mod parts;

pub use deadlines::{Deadlines, Timeouts};
pub use parts::Timed;
