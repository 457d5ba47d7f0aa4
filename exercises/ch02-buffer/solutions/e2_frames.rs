//! Exercise 2: length-prefixed frames (reference solution).

use eventcore_buffer::Buffer;

/// A frame announced a payload longer than the caller allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong {
    /// The length the frame announced.
    pub announced: u32,
}

/// A buffer holding one frame: the 4-byte big-endian length of `payload`, then `payload`.
pub fn encode(payload: &[u8]) -> Buffer {
    let mut buf = Buffer::with_capacity(payload.len());
    buf.append(payload);
    let len = u32::try_from(payload.len()).expect("a frame's payload fits in u32");
    buf.prepend(&len.to_be_bytes());
    buf
}

/// Takes the next complete frame's payload out of `buf`.
pub fn next_frame(buf: &mut Buffer, max_len: u32) -> Result<Option<Vec<u8>>, TooLong> {
    let Some(header) = buf.peek().first_chunk::<4>() else {
        return Ok(None);
    };
    let announced = u32::from_be_bytes(*header);
    if announced > max_len {
        return Err(TooLong { announced });
    }
    let len = announced as usize;
    if buf.readable_bytes() < 4 + len {
        return Ok(None);
    }
    buf.retrieve(4);
    Ok(Some(buf.take_bytes(len)))
}
