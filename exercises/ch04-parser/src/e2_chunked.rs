//! Exercise 2: write a chunked body.
//!
//! A response whose length isn't known when its head is sent (a stream, a
//! large generated report) can't carry Content-Length; HTTP/1.1 sends it
//! chunked instead (RFC 9112 section 7.1). The tests check your output by
//! feeding it to chapter 4's parser.

use eventcore_buffer::Buffer;

/// Appends `chunks` to `out` in the chunked coding: each non-empty chunk as
/// its size in hex, CRLF, the bytes, CRLF; then the last chunk `0`, CRLF,
/// the `trailers` as `name: value` lines, each ending in CRLF, and a final
/// CRLF. Empty chunks are skipped (a size of 0 would end the body).
pub fn write_chunked(out: &mut Buffer, chunks: &[&[u8]], trailers: &[(&str, &str)]) {
    // TODO: your code here. `write!(out, "{:x}\r\n", len)` formats the size
    // (Buffer implements std::io::Write).
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = (out, chunks, trailers);
    todo!("the chunked coding")
}
