//! Runs of a byte class, eight bytes at a time: the loops that look at
//! every byte of a request head.
//!
//! The simple way to find where a token or a field value ends is
//! `bytes.iter().take_while(|&&b| class[b as usize]).count()`: per byte, a
//! load, a table lookup, a compare and a branch that can go either way.
//! Both versions here take eight bytes per step and branch once per step,
//! and fall back to the byte-by-byte loop only inside the step where the
//! run ends. The simple versions stay beside them as the reference: a
//! property test and the parser's fuzz target check that each fast scan
//! returns what its simple version returns, for any input.
//!
//! No SIMD instructions and no `unsafe`: plain integer arithmetic that
//! compiles the same on every target. (httparse and picohttpparser go
//! further, with SSE4.2 and AVX2 on x86; chapter 4's benchmark says how
//! far this gets.)

use crate::chars::FIELD_VALUE;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

// ANCHOR: run
/// How many bytes at the start of `bytes` are in `class`.
pub fn run(class: &[bool; 256], bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut done = 0;
    for chunk in chunks.by_ref() {
        // Eight lookups combined with `&`, which the compiler keeps free of
        // branches, then one branch for the eight.
        let all = chunk.iter().fold(true, |all, &b| all & class[b as usize]);
        if !all {
            return done + run_simple(class, chunk);
        }
        done += 8;
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

// ANCHOR: field_value_run
/// How many bytes at the start of `bytes` may be in a field value
/// ([`crate::chars::is_field_value_byte`]: everything but the controls
/// other than tab, and DEL). Field values are most of a request head's
/// bytes, and their class is almost a range, so this one needs no table:
/// a word has a forbidden byte only if it has a byte below 0x20 or a 0x7f,
/// and both tests are the "has a zero byte" trick of chapter 2's
/// `find_byte`, done on the whole word.
pub fn field_value_run(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut done = 0;
    for chunk in chunks.by_ref() {
        let x = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        // A byte below 0x20 borrows when 0x20 is subtracted from it, and
        // had its high bit clear: that sets its high bit here. (A borrow can
        // also flag the byte above a true one; it can't flag a word that
        // has none.) Bytes of 0x80 and up have their high bit set in `x`,
        // so `!x` keeps them out.
        let below_space = x.wrapping_sub(LO * 0x20) & !x & HI;
        let d = x ^ (LO * 0x7f);
        let del = d.wrapping_sub(LO) & !d & HI;
        // A tab is below 0x20 too but allowed: the exact answer for this
        // word comes from the byte loop.
        if below_space | del != 0 {
            let n = field_value_run_simple(chunk);
            if n < 8 {
                return done + n;
            }
        }
        done += 8;
    }
    done + field_value_run_simple(chunks.remainder())
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
            4 => prop::sample::select(b"aZ09-._~!%:/?@[]\"#<>\\^`{|}\t \x00\x1f\x7f\x80\xff\r\n".to_vec()),
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
                }
                prop_assert_eq!(field_value_run(input), field_value_run_simple(input));
            }
        }
    }

    #[test]
    fn every_single_byte_at_every_position() {
        for bad in 0..=255u8 {
            for at in 0..20 {
                let mut input = vec![b'x'; 20];
                input[at] = bad;
                let expect = if FIELD_VALUE[bad as usize] { 20 } else { at };
                assert_eq!(field_value_run(&input), expect, "{bad:#x} at {at}");
                assert_eq!(run(&TCHAR, &input), run_simple(&TCHAR, &input));
            }
        }
    }
}
