//! Runs of a byte class: the loops that look at every byte of a request
//! head. Two kinds of run, two ways to scan them.
//!
//! Tokens (methods, field names) and hosts are short, a few bytes to a few
//! dozen, and their classes are scattered over the ASCII table: `run`
//! tests one byte at a time against a table, four tests to a step of its
//! loop. An earlier version tested eight bytes per step, combined, and
//! branched once; but most runs end inside their first eight bytes, where
//! it then tested the step again byte by byte, and on every request the hot
//! path chapter measures it cost more instructions than this.
//!
//! Field values are most of a head's bytes, and their class is almost a
//! range: `field_value_run` tests sixteen bytes per step with compares, in
//! a loop with no early exit inside the step, which the compiler turns into
//! SIMD instructions (SSE2 on x86-64, NEON on ARM) without a line of
//! `unsafe` or a target-specific intrinsic. A property test and the
//! parser's fuzz target check each fast scan against its simple version,
//! for any input.

use crate::chars::FIELD_VALUE;

// ANCHOR: run
/// How many bytes at the start of `bytes` are in `class`.
pub fn run(class: &[bool; 256], bytes: &[u8]) -> usize {
    // Four tests per step of the loop: a loop's own compare and branch per
    // byte cost as much as the test itself.
    let mut chunks = bytes.chunks_exact(4);
    let mut done = 0;
    for c in chunks.by_ref() {
        if !class[c[0] as usize] {
            return done;
        }
        if !class[c[1] as usize] {
            return done + 1;
        }
        if !class[c[2] as usize] {
            return done + 2;
        }
        if !class[c[3] as usize] {
            return done + 3;
        }
        done += 4;
    }
    done + run_simple(class, chunks.remainder())
}

/// The reference: one byte per step.
pub fn run_simple(class: &[bool; 256], bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| !class[b as usize])
        .unwrap_or(bytes.len())
}
// ANCHOR_END: run

// ANCHOR: escaped_run
/// How many bytes at the start of `bytes` are in `class` (which leaves out
/// `%`) or are percent-encoded octets: `%` and two hex digits (RFC 3986
/// section 2.1). A `%` without its digits ends the run. Most targets and
/// hosts have no `%`, and for them this is one `run`.
pub fn escaped_run(class: &[bool; 256], bytes: &[u8]) -> usize {
    let mut n = run(class, bytes);
    while let [b'%', high, low, ..] = bytes[n..] {
        if !(high.is_ascii_hexdigit() && low.is_ascii_hexdigit()) {
            break;
        }
        n += 3;
        n += run(class, &bytes[n..]);
    }
    n
}

/// The reference: one byte, or one escape, per step.
pub fn escaped_run_simple(class: &[bool; 256], bytes: &[u8]) -> usize {
    let mut n = 0;
    loop {
        match bytes[n..] {
            [b, ..] if class[b as usize] => n += 1,
            [b'%', high, low, ..] if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() => n += 3,
            _ => return n,
        }
    }
}
// ANCHOR_END: escaped_run

// ANCHOR: field_value_run
/// How many bytes at the start of `bytes` may be in a field value
/// ([`crate::chars::is_field_value_byte`]: everything but the controls
/// other than tab, and DEL).
pub fn field_value_run(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(16);
    let mut done = 0;
    for chunk in chunks.by_ref() {
        // Sixteen compares folded with `|` and no branch: one SIMD register
        // of bytes, compared three times and reduced to one answer.
        let bad = chunk.iter().fold(false, |bad, &b| {
            bad | ((b < 0x20) & (b != b'\t')) | (b == 0x7f)
        });
        if bad {
            return done + run(&FIELD_VALUE, chunk);
        }
        done += 16;
    }
    done + run(&FIELD_VALUE, chunks.remainder())
}

/// The reference: one byte per step.
pub fn field_value_run_simple(bytes: &[u8]) -> usize {
    run_simple(&FIELD_VALUE, bytes)
}
// ANCHOR_END: field_value_run

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chars::{HOST, TARGET, TCHAR};
    use proptest::prelude::*;

    /// Bytes that sit at the edges of the classes, so that random inputs
    /// hit the interesting cases often: controls, tab, space, DEL, the
    /// high half, and each class's odd members.
    fn edgy_byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            4 => prop::sample::select(b"aZ09-._~!%%%:/?@[]\"#<>\\^`{|}\t \x00\x1f\x7f\x80\xff\r\n".to_vec()),
            1 => any::<u8>(),
        ]
    }

    proptest! {
        #[test]
        fn the_fast_scans_agree_with_the_simple_ones(
            bytes in prop::collection::vec(edgy_byte(), 0..40),
            mostly_valid in prop::collection::vec(b'a'..=b'z', 0..40),
            at in 0usize..40,
            odd in edgy_byte(),
        ) {
            // Also a long valid run with one odd byte somewhere in it.
            let mut long = mostly_valid;
            if !long.is_empty() {
                let i = at % long.len();
                long[i] = odd;
            }
            for input in [&bytes[..], &long[..]] {
                for class in [&TCHAR, &TARGET, &HOST, &FIELD_VALUE] {
                    prop_assert_eq!(run(class, input), run_simple(class, input));
                    prop_assert_eq!(escaped_run(class, input), escaped_run_simple(class, input));
                }
                prop_assert_eq!(field_value_run(input), field_value_run_simple(input));
            }
        }
    }

    #[test]
    fn every_single_byte_at_every_position() {
        for bad in 0..=255u8 {
            // Two steps of sixteen and a remainder.
            for at in 0..40 {
                let mut input = vec![b'x'; 40];
                input[at] = bad;
                let expect = if FIELD_VALUE[bad as usize] { 40 } else { at };
                assert_eq!(field_value_run(&input), expect, "{bad:#x} at {at}");
                assert_eq!(run(&TCHAR, &input), run_simple(&TCHAR, &input));
            }
        }
    }
}
