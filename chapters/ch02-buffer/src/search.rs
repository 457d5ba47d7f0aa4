//! Finding line ends: the one search an HTTP server runs over every byte it receives.
//!
//! A byte-at-a-time loop (`iter().position(..)`) compares one byte per step,
//! and the compiler does not vectorize a loop that can stop early. Here the
//! search for `\n` looks at eight bytes per step with plain integer
//! arithmetic ("SWAR": SIMD within a register), then checks the byte before
//! it for `\r`. The benchmarks in `benches/buffer.rs` compare it with the
//! naive loop and with the `memchr` crate, which uses real SIMD.

// ANCHOR: find_byte
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Index of the first `needle` in `haystack`, eight bytes at a time.
pub fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    let pattern = LO * u64::from(needle);
    let mut chunks = haystack.chunks_exact(8);
    for (i, chunk) in chunks.by_ref().enumerate() {
        // XOR turns every byte equal to `needle` into 0.
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        let x = word ^ pattern;
        // The classic "has a zero byte" test: a byte that was 0 borrows on
        // the subtraction and sets its high bit. Bytes above a zero can show
        // false positives from the borrow, but the lowest flagged byte is
        // always a true zero, and that is the one we want.
        let zeros = x.wrapping_sub(LO) & !x & HI;
        if zeros != 0 {
            // Little-endian load: the lowest bits are the first byte.
            return Some(i * 8 + zeros.trailing_zeros() as usize / 8);
        }
    }
    let tail = chunks.remainder();
    let done = haystack.len() - tail.len();
    tail.iter().position(|&b| b == needle).map(|i| done + i)
}
// ANCHOR_END: find_byte

// ANCHOR: find_crlf
/// Index of the first `"\r\n"` in `haystack`.
pub fn find_crlf(haystack: &[u8]) -> Option<usize> {
    find_lf_where(haystack, |before| before.ends_with(b"\r")).map(|lf| lf - 1)
}

/// Index of the first `"\r\n\r\n"` in `haystack`.
pub fn find_double_crlf(haystack: &[u8]) -> Option<usize> {
    find_lf_where(haystack, |before| before.ends_with(b"\r\n\r")).map(|lf| lf - 3)
}

/// The first `\n` whose preceding bytes pass `accept`. `\n` is rarer than
/// `\r`-or-`\n` and ends every line however it started, so it is what we scan for.
fn find_lf_where(haystack: &[u8], accept: impl Fn(&[u8]) -> bool) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find_byte(&haystack[from..], b'\n') {
        let lf = from + i;
        if accept(&haystack[..lf]) {
            return Some(lf);
        }
        from = lf + 1;
    }
    None
}
// ANCHOR_END: find_crlf

/// The obvious version, kept as the reference that the tests and benchmarks compare with.
pub fn find_crlf_naive(haystack: &[u8]) -> Option<usize> {
    haystack.windows(2).position(|w| w == b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_byte_agrees_with_position_at_every_offset_and_length() {
        // Every length up to 40 and every position of the needle, with
        // needle-like neighbours (0x0a ^ 0x01 etc.) to tempt false positives.
        for len in 0..40 {
            for at in 0..=len {
                let mut hay: Vec<u8> = (0..len).map(|i| [0x0b, 0x09, 0x8a, 0x00][i % 4]).collect();
                if at < len {
                    hay[at] = b'\n';
                }
                let want = hay.iter().position(|&b| b == b'\n');
                assert_eq!(find_byte(&hay, b'\n'), want, "len {len} at {at}");
            }
        }
    }

    #[test]
    fn find_byte_reports_the_first_of_adjacent_matches() {
        // A match right after another: the borrow from the first must not hide it or move it.
        assert_eq!(find_byte(b"ab\n\ncdefgh", b'\n'), Some(2));
        assert_eq!(find_byte(b"\x0b\x0a\x0aabcdefgh", b'\n'), Some(1));
        assert_eq!(find_byte(&[0u8; 16], 0), Some(0));
        assert_eq!(find_byte(&[0xff; 17], 0xfe), None);
    }

    #[test]
    fn crlf_searches_skip_bare_line_feeds() {
        assert_eq!(find_crlf(b"a\nb\r\n"), Some(3));
        assert_eq!(find_crlf(b"\n\r\n"), Some(1));
        assert_eq!(find_crlf(b"\r"), None);
        assert_eq!(find_double_crlf(b"a\r\n\n\r\n\r\n"), Some(4));
        assert_eq!(find_double_crlf(b"\r\n\r"), None);
        assert_eq!(find_double_crlf(b"\r\n\r\n"), Some(0));
    }

    #[test]
    fn find_crlf_agrees_with_the_naive_search_on_real_heads() {
        let head = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
        for start in 0..head.len() {
            assert_eq!(find_crlf(&head[start..]), find_crlf_naive(&head[start..]));
        }
    }
}
