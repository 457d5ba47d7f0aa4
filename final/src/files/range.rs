//! `Range: bytes=...` (RFC 9110 section 14): which part of a file to send.
//!
//! One range is served (`206 Partial Content`); several are answered with
//! the whole file (`200`), which section 14.2 allows ("a server MAY ignore
//! the Range header field"). A `multipart/byteranges` body costs a boundary
//! and a head per part and is mostly asked for by download tools probing
//! servers; ignoring it also removes the overlapping-ranges attack that
//! section 17.15 warns of. A field this parser cannot read, or a unit other
//! than `bytes`, is ignored the same way.

/// What a request's `Range` asks of a representation `len` bytes long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranged {
    /// No range, or one to ignore: the whole file, `200`.
    Whole,
    /// Bytes `first..=last`, `206`.
    Part { first: u64, last: u64 },
    /// A range that starts past the end, or an empty suffix: `416`.
    Unsatisfiable,
}

// ANCHOR: range
/// Reads a `Range` value against a file of `len` bytes. Forms
/// (section 14.1.2): `bytes=a-b`, `bytes=a-` (to the end), `bytes=-n` (the
/// last `n`). A `b` past the end means the end; a `b` before `a` is no
/// valid range and is ignored.
pub fn ranged(value: &[u8], len: u64) -> Ranged {
    let Some(set) = strip_unit(value) else {
        return Ranged::Whole;
    };
    if set.contains(&b',') || len == 0 {
        // Several ranges: the whole file (see the module's docs). An empty
        // file has no byte to point at, and its whole is no bigger.
        return Ranged::Whole;
    }
    let set = trim(set);
    let Some(dash) = set.iter().position(|&b| b == b'-') else {
        return Ranged::Whole;
    };
    let (first, last) = (trim(&set[..dash]), trim(&set[dash + 1..]));
    match (number(first), number(last)) {
        // `-n`: the last n bytes, all of them if the file is shorter.
        (None, Some(n)) if first.is_empty() => match n {
            0 => Ranged::Unsatisfiable,
            n => Ranged::Part {
                first: len.saturating_sub(n),
                last: len - 1,
            },
        },
        (Some(first), None) if last.is_empty() => within(first, len - 1, len),
        (Some(first), Some(last)) if first <= last => within(first, last.min(len - 1), len),
        _ => Ranged::Whole,
    }
}
// ANCHOR_END: range

fn within(first: u64, last: u64, len: u64) -> Ranged {
    if first >= len {
        Ranged::Unsatisfiable
    } else {
        Ranged::Part { first, last }
    }
}

/// The range-set after `bytes=` (the unit is case-insensitive, section 14.1).
fn strip_unit(value: &[u8]) -> Option<&[u8]> {
    let value = trim(value);
    let unit = value.get(..6)?;
    unit.eq_ignore_ascii_case(b"bytes=").then(|| &value[6..])
}

/// Digits only (no sign, no space); a number past `u64::MAX` saturates,
/// which is past any file's end.
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ranged::*;

    #[test]
    fn the_three_forms_against_a_ten_byte_file() {
        let cases: [(&str, Ranged); 16] = [
            ("bytes=0-0", Part { first: 0, last: 0 }),
            ("bytes=2-5", Part { first: 2, last: 5 }),
            ("bytes=2-", Part { first: 2, last: 9 }),
            (
                "bytes=2-99999999999999999999999",
                Part { first: 2, last: 9 },
            ),
            ("bytes=-3", Part { first: 7, last: 9 }),
            ("bytes=-30", Part { first: 0, last: 9 }),
            ("BYTES = 1-1", Whole),
            ("Bytes=1-1", Part { first: 1, last: 1 }),
            ("bytes=10-", Unsatisfiable),
            ("bytes=99999999999999999999999-", Unsatisfiable),
            ("bytes=-0", Unsatisfiable),
            ("bytes=5-2", Whole),
            ("bytes=0-1,4-5", Whole),
            ("items=0-1", Whole),
            ("bytes=a-b", Whole),
            ("bytes=+1-2", Whole),
        ];
        for (value, expected) in cases {
            assert_eq!(ranged(value.as_bytes(), 10), expected, "{value}");
        }
        assert_eq!(ranged(b"bytes=0-0", 0), Whole);
        assert_eq!(ranged(b"bytes=", 10), Whole);
        assert_eq!(ranged(b"bytes=-", 10), Whole);
    }
}
