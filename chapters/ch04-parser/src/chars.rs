//! Character classes of the HTTP grammar (RFC 9110 section 5.6.2, RFC 5234 appendix B.1).

// ANCHOR: tchar
/// `tchar`, the characters of a token (RFC 9110 section 5.6.2): method names
/// and field names are tokens.
///
/// ```text
/// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
///         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
/// ```
pub const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' |
        b'^' | b'_' | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}
// ANCHOR_END: tchar

/// `is_tchar` as a table, for the hot loops: one load per byte instead of a chain of compares.
pub static TCHAR: [bool; 256] = table!(is_tchar);

/// `is_field_value_byte` as a table.
pub static FIELD_VALUE: [bool; 256] = table!(is_field_value_byte);

/// Evaluates a byte class for all 256 bytes at compile time.
macro_rules! table {
    ($class:ident) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = $class(i as u8);
            i += 1;
        }
        t
    }};
}
use table;

/// A non-empty run of `tchar`.
pub fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

/// A byte allowed in a field value (RFC 9110 section 5.5): visible ASCII,
/// `obs-text` (0x80-0xFF), space and horizontal tab. Everything else (NUL,
/// CR, LF and the other controls, DEL) is invalid; CR, LF and NUL are the
/// dangerous ones the RFC names.
pub const fn is_field_value_byte(b: u8) -> bool {
    matches!(b, b'\t' | b' '..=b'~' | 0x80..=0xff)
}

/// A byte allowed in a request-target: visible ASCII, no space (RFC 9112
/// section 3.2 and RFC 3986). Non-ASCII bytes must arrive percent-encoded.
pub const fn is_target_byte(b: u8) -> bool {
    matches!(b, b'!'..=b'~')
}

/// Optional whitespace (OWS, RFC 9110 section 5.6.3): space and horizontal tab.
pub const fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `bytes` without leading and trailing OWS.
pub fn trim_ows(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_ows(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// The elements of a comma-separated list (RFC 9110 section 5.6.1), each
/// trimmed of OWS, with empty elements skipped as the RFC requires.
pub fn list_elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(trim_ows)
        .filter(|e| !e.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_tchar_runs() {
        assert!(is_token(b"GET"));
        assert!(is_token(b"X-Custom_Header.v2"));
        assert!(!is_token(b""));
        assert!(!is_token(b"Host "));
        assert!(!is_token(b"a:b"));
        assert!(!is_token(b"caf\xc3\xa9"));
    }

    #[test]
    fn field_values_reject_controls_but_keep_obs_text() {
        assert!(
            b"text/html; q=0.9\t"
                .iter()
                .all(|&b| is_field_value_byte(b))
        );
        assert!(is_field_value_byte(0xe9));
        for bad in [0u8, b'\r', b'\n', 0x7f, 0x1b] {
            assert!(!is_field_value_byte(bad), "{bad:#x}");
        }
    }

    #[test]
    fn lists_skip_empty_elements_and_trim() {
        let got: Vec<&[u8]> = list_elements(b" , gzip ,\tchunked,, ").collect();
        assert_eq!(got, [&b"gzip"[..], b"chunked"]);
        assert_eq!(trim_ows(b" \t "), b"");
    }
}
