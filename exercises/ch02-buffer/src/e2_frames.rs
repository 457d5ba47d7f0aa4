//! Exercise 2: length-prefixed frames.
//!
//! Many protocols send a message as a 4-byte big-endian length followed by
//! that many bytes. Encoding is where the prepend area earns its keep: write
//! the payload first, then put its length in front without moving it.
//! Decoding is where a partial message must be left in the buffer untouched.

use eventcore_buffer::Buffer;

/// A frame announced a payload longer than the caller allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong {
    /// The length the frame announced.
    pub announced: u32,
}

/// A buffer holding one frame: the 4-byte big-endian length of `payload`,
/// then `payload`. Append the payload first and `prepend` the length: the
/// payload must not be moved, and the buffer must allocate once, exactly
/// enough for the payload (the tests check
/// `allocated_bytes() == PREPEND + payload.len()`).
pub fn encode(payload: &[u8]) -> Buffer {
    // TODO: your code here: `Buffer::with_capacity`, `append`, `prepend`.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = payload;
    todo!("append the payload, prepend its length")
}

/// Takes the next complete frame's payload out of `buf`.
///
/// - Fewer than 4 bytes, or a length whose payload has not fully arrived:
///   `Ok(None)`, and `buf` is left exactly as it was.
/// - A length above `max_len`: `Err(TooLong)`, and `buf` is left as it was
///   (the caller will answer with an error and close; don't wait for a
///   payload you will never accept).
/// - Otherwise: consume the length and the payload, return the payload.
pub fn next_frame(buf: &mut Buffer, max_len: u32) -> Result<Option<Vec<u8>>, TooLong> {
    // TODO: your code here. `peek`, `retrieve` and `take_bytes` are all you need.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = (buf, max_len);
    todo!("decode one frame")
}
