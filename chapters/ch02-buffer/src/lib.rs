//! # Chapter 2: the buffer
//!
//! Bytes arrive from a socket in pieces that have nothing to do with HTTP's
//! structure: half a request line, three requests at once, a body split
//! across reads. The [`Buffer`] is where they wait until the parser can use
//! them, and where a response waits until the socket takes it. It is the
//! seed's `Buffer` (muduo's design): one contiguous array, a read index, a
//! write index and a small prepend area, with `readv` reading into the
//! buffer and a 64 KiB stack spill in one syscall.
//!
//! ## Layout
//!
//! | idea | module |
//! |---|---|
//! | [`Buffer`]: indices, append, retrieve, prepend, compaction before growth, releasing memory | [`buffer`] |
//! | finding `\r\n` and `\r\n\r\n` eight bytes at a time | [`search`] |
//! | `readv` with the stack spill; gathered writes with `sendmsg` | [`fd_io`] |
//!
//! ## How it connects to the next layers
//!
//! Chapter 3's event loop gives each connection an input and an output
//! `Buffer`: on "readable" it calls [`Buffer::read_from_fd`] until
//! `WouldBlock`, on "writable" [`Buffer::send_to`]. Chapter 4's parser reads
//! the input buffer with [`Buffer::peek`] and the `find_*` searches, and
//! consumes what it parsed with [`Buffer::retrieve`]; its response writer
//! formats into the output buffer and sends a large body beside it with
//! [`Buffer::send_with`].

pub mod buffer;
pub mod fd_io;
pub mod search;

pub use buffer::{Buffer, INITIAL_SIZE, PREPEND};
pub use fd_io::{SPILL_SIZE, Sent, send_vectored};
