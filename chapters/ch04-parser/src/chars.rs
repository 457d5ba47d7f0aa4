//! Character classes of the HTTP grammar (RFC 9110 section 5.6.2, RFC 5234 appendix B.1).

use eventcore_buffer::search::find_byte;

use crate::scan;

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

/// `is_target_byte` as a table, without `%`: the scans take a `%` with
/// its two hex digits as one escape ([`scan::escaped_run`]), so that a
/// valid target needs one pass, not a second one for its escapes.
pub static TARGET: [bool; 256] = table!(is_target_byte, except b'%');

/// `is_host_byte` as a table, without `%`, like [`TARGET`].
pub static HOST: [bool; 256] = table!(is_host_byte, except b'%');

/// Evaluates a byte class for all 256 bytes at compile time (leaving out
/// one byte, with `except`).
macro_rules! table {
    ($class:ident $(, except $byte:literal)?) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = $class(i as u8) $(&& i != $byte as usize)?;
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

/// A byte allowed in a request-target (RFC 9112 section 3.2, RFC 3986
/// section 2): unreserved, sub-delims, `:`, `@`, `/`, `?`, `%` for
/// escapes, and `[` `]` for an IPv6 literal in an authority. Not allowed: space, controls, non-ASCII (it must arrive
/// percent-encoded), `#` (a fragment is never sent), and `"<>\^`{|}`,
/// which RFC 3986 excludes and some back ends read as something else (a
/// backslash as a slash).
pub const fn is_target_byte(b: u8) -> bool {
    matches!(b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~'
        | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        | b':' | b'@' | b'/' | b'?' | b'%' | b'[' | b']')
}

/// Every `%` in `bytes` is followed by two hex digits (RFC 3986 section 2.1).
/// The rule on its own, for the request-line checked rule by rule; the
/// scans check escapes as they go (`scan::escaped_run`).
pub fn percent_escapes_valid(bytes: &[u8]) -> bool {
    let mut from = 0;
    while let Some(i) = find_byte(&bytes[from..], b'%') {
        let at = from + i;
        let hex = bytes.get(at + 1..at + 3);
        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
            return false;
        }
        from = at + 1;
    }
    true
}

/// A byte of a host name as we accept it: letters, digits, `-`, `.`, `_`,
/// `~`, and `%` for escapes (see [`authority_port`]).
pub const fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%')
}

// ANCHOR: host
/// A Host value or target authority: `uri-host [ ":" port ]` (RFC 9112
/// section 3.2, RFC 3986 section 3.2). Stricter than the grammar in one
/// way: a reg-name may use only letters, digits, `-`, `.`, `_`, `~` and
/// escapes, not the sub-delims (`,;=!$&'()*+`) that the URI grammar
/// allows but no host name uses and that list-like values (`a, b`) abuse.
/// No userinfo (`user@host`): RFC 9110 section 4.2.4 calls it an error.
/// IP literals are checked for their characters (hex digits, `:` and `.`,
/// two to seven colons), not parsed as addresses.
///
/// Returns `None` if the value is not an authority, else its port:
/// `Port::Digits(b"443")`, `Port::Digits(b"")` for `host:`, or `Port::None`.
/// CONNECT needs a port; Host and absolute-form don't.
pub fn authority_port(value: &[u8]) -> Option<Port<'_>> {
    let host_end = if value.first() == Some(&b'[') {
        // IP-literal: "[" IPv6address "]". An IPv6 address: hex groups,
        // colons, perhaps a dotted IPv4 tail. Checked for its characters and
        // for having colons, not fully parsed; IPvFuture ("[v1.x]") is refused.
        let close = value.iter().position(|&b| b == b']')?;
        let inside = &value[1..close];
        let colons = inside.iter().filter(|&&b| b == b':').count();
        let chars_ok = inside
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
        if !(2..=7).contains(&colons) || !chars_ok {
            return None;
        }
        close + 1
    } else {
        // The host runs to the first byte that can't be in one; what
        // follows must be nothing or the port.
        // A bad escape ends the run, and what follows it is not a port.
        let end = scan::escaped_run(&HOST, value);
        if end == 0 {
            return None;
        }
        end
    };
    let rest = &value[host_end..];
    match rest.strip_prefix(b":") {
        None if rest.is_empty() => Some(Port::None),
        // `port = *DIGIT`: may be empty ("host:"), at most 5 digits here.
        Some(digits) if digits.len() <= 5 && digits.iter().all(u8::is_ascii_digit) => {
            Some(Port::Digits(digits))
        }
        _ => None,
    }
}

/// The port part of an authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port<'a> {
    None,
    Digits(&'a [u8]),
}

/// Whether `value` is `uri-host [ ":" port ]`, by [`authority_port`].
pub fn valid_authority(value: &[u8]) -> bool {
    authority_port(value).is_some()
}
// ANCHOR_END: host

/// Optional whitespace (OWS, RFC 9110 section 5.6.3): space and horizontal tab.
pub const fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `bytes` without leading and trailing OWS.
pub fn trim_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// Whether the field name `name`, a token, is `lower` in any case (names
/// are case-insensitive, RFC 9110 section 5.1), for a `lower` of lowercase
/// letters and `-`. Setting bit 5 (`| 0x20`) lowercases a letter, and the
/// only bytes it turns into a lowercase letter are that letter's two
/// cases; into `-`, only `-` and CR, which no token holds. So one OR and
/// one compare per byte do what `eq_ignore_ascii_case` does with a case
/// map per byte on each side.
pub fn is_field_name(name: &[u8], lower: &[u8]) -> bool {
    debug_assert!(lower.iter().all(|&b| b.is_ascii_lowercase() || b == b'-'));
    name.len() == lower.len()
        && (name.iter().zip(lower)).fold(0, |diff, (&n, &l)| diff | ((n | 0x20) ^ l)) == 0
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
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn percent_escapes_agree_with_the_byte_by_byte_rule(
            bytes in prop::collection::vec(prop::sample::select(b"%%%aF09zG/".to_vec()), 0..24),
        ) {
            // The rule as first written: every `%` followed by two hex digits.
            let simple = bytes.iter().enumerate().all(|(i, &b)| {
                b != b'%'
                    || bytes
                        .get(i + 1..i + 3)
                        .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            });
            prop_assert_eq!(percent_escapes_valid(&bytes), simple);
        }

        #[test]
        fn field_names_compare_as_eq_ignore_ascii_case_does(
            // Every tchar, and the cases of the names the parser looks for.
            name in prop::collection::vec(prop::sample::select(
                (0u8..=255).filter(|&b| is_token(&[b])).chain(*b"HOSTCNLEGT-").collect::<Vec<u8>>()
            ), 1..20),
            known in prop::sample::select(vec![
                &b"host"[..], b"content-length", b"transfer-encoding", b"connection", b"expect",
            ]),
        ) {
            // Nearly every random name has the wrong length: try its
            // prefix of the right one too, whose bytes still vary.
            for name in [&name[..], &name[..name.len().min(known.len())]] {
                prop_assert_eq!(is_field_name(name, known), name.eq_ignore_ascii_case(known));
            }
            let cased: Vec<u8> = known.iter().zip(&name).map(|(&k, &n)| {
                if n.is_ascii_uppercase() { k.to_ascii_uppercase() } else { k }
            }).chain(known.iter().skip(name.len()).copied()).collect();
            prop_assert!(is_field_name(&cased, known));
        }
    }

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
    fn authorities_are_host_and_optional_port() {
        for ok in [
            &b"example.com"[..],
            b"example.com:8080",
            b"127.0.0.1",
            b"[::1]:443",
            b"a-b_c.d~e",
            b"host:",
        ] {
            assert!(valid_authority(ok), "{}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &b""[..],
            b"a b",
            b"evil.com/x",
            b"good@evil",
            b"a, b",
            b"a:b:c",
            b"\xff",
            b":80",
            b"[::1",
            b"[]",
            b"a:123456",
            b"a:8o",
            b"g\\od.com",
            b"%zz",
        ] {
            assert!(!valid_authority(bad), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_port_is_found_after_an_ip_literal() {
        assert_eq!(authority_port(b"[::1]:443"), Some(Port::Digits(b"443")));
        assert_eq!(authority_port(b"[::1]"), Some(Port::None));
        assert_eq!(authority_port(b"host:"), Some(Port::Digits(b"")));
        assert_eq!(authority_port(b"[::1]x"), None);
    }

    #[test]
    fn targets_exclude_fragments_and_unsafe_bytes() {
        assert!(b"/a/b?c=d&e=%41".iter().all(|&b| is_target_byte(b)));
        for bad in [
            b'#', b'\\', b'"', b'<', b'>', b'^', b'`', b'{', b'|', b'}', b' ', 0x7f, 0xc3,
        ] {
            assert!(!is_target_byte(bad), "{bad:#x}");
        }
        assert!(percent_escapes_valid(b"/a%20b"));
        assert!(!percent_escapes_valid(b"/a%2"));
        assert!(!percent_escapes_valid(b"/a%zz"));
    }

    #[test]
    fn lists_skip_empty_elements_and_trim() {
        let got: Vec<&[u8]> = list_elements(b" , gzip ,\tchunked,, ").collect();
        assert_eq!(got, [&b"gzip"[..], b"chunked"]);
        assert_eq!(trim_ows(b" \t "), b"");
    }
}
