//! # Chapter 1: sockets
//!
//! The bottom layer of EventCore: a TCP socket as a Rust value. It wraps the
//! handful of Linux syscalls a server needs (`socket`, `bind`, `listen`,
//! `accept4`, `connect`, `read`, `write`, `send`, `sendfile`, `shutdown`,
//! `setsockopt`/`getsockopt`, `fcntl`) and nothing more, so that every later
//! layer talks to the kernel through safe methods that return
//! [`std::io::Result`].
//!
//! ## Layout
//!
//! | idea | module |
//! |---|---|
//! | `-1` + `errno` becomes `io::Error`; retrying `EINTR` | [`sys`] |
//! | `SocketAddr` to and from `sockaddr_in` / `sockaddr_in6` / `sockaddr_storage` | [`addr`] |
//! | [`Socket`]: owns its fd, create / bind / listen / accept / connect / read / write / send a file | [`socket`] |
//! | `SO_REUSEADDR`, `SO_REUSEPORT`, `TCP_NODELAY`, `SO_KEEPALIVE`, `SO_ERROR`, the accept queue, `O_NONBLOCK`, `FD_CLOEXEC` | [`options`] |
//!
//! ## How it connects to the next layers
//!
//! Chapter 2's `Buffer` reads from and writes to anything with a raw fd, so a
//! `Socket` plugs straight in. Chapter 3's poller registers a socket's fd and
//! tells when `read` or `accept` would no longer return `WouldBlock`; that is
//! why the non-blocking mode and the `WouldBlock` outcome matter here.
//!
//! ## The seed's `Result<T>`
//!
//! The seed hand-writes a `Result<T>` class (a value or an error string) to
//! avoid exceptions. Rust has it built in: `std::io::Result<T>` carries the
//! `errno` as an [`std::io::Error`], whose [`kind`](std::io::Error::kind)
//! lets a caller tell `WouldBlock` (come back later) from a real failure
//! without comparing strings.

pub mod addr;
pub mod options;
pub mod socket;
pub mod sys;

pub use addr::SockAddr;
pub use options::ListenQueue;
pub use socket::{Family, SockFlags, Socket};
