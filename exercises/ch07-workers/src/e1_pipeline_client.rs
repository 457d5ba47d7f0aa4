//! Exercise 1: a pipelining client.
//!
//! The server answers pipelined requests in order, each response framed by
//! its Content-Length. Write the client side: send many requests in one
//! write, then cut the byte stream that comes back into responses.

use std::io;
use std::net::SocketAddr;

/// Connects to `addr`, sends `GET {path} HTTP/1.1` (with a `Host` field)
/// for every path in ONE `write_all`, then reads exactly `paths.len()`
/// responses and returns each one's status code and body, in order.
///
/// Each response is a head ending in `\r\n\r\n` (status code at bytes
/// 9..12 of its first line) followed by `Content-Length` bytes of body. A
/// read may end anywhere: in the middle of a head, of a body, or several
/// responses at once. If the server closes before every response is in,
/// return an error of kind `UnexpectedEof`.
pub fn pipeline(addr: SocketAddr, paths: &[&str]) -> io::Result<Vec<(u16, Vec<u8>)>> {
    let _ = (addr, paths);
    // TODO: connect, build the batch, write it once, then read into a
    // Vec<u8> and take complete responses off its front.
    todo!("a pipelining client")
}
