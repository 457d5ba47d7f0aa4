//! From a request's path to a path relative to the root, or a refusal.
//!
//! This is the first of two walls. It decodes the path once (RFC 3986
//! section 2.1) and then judges the *decoded* segments, so that no spelling
//! of a way out (`..`, `%2e%2e`, `%2E%2e%2F`, `..%2f`) survives: they all
//! become a `..` segment, and a `..` segment is refused, never resolved
//! against the segment before it. Browsers and curl remove dot segments
//! before they send a request (RFC 3986 section 5.2.4), so a `..` that
//! reaches a server was written by hand. A double encoding (`%252e`)
//! decodes once, to the three characters `%2e`: a name, not a way out.
//!
//! The second wall is [`super::open`]: whatever this lets through is opened
//! beneath the root by the kernel, which refuses symbolic links out of it.

/// Why a path is refused, and so what the client gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// `400`: not a path at all (a broken `%` escape, a NUL or another
    /// control character once decoded).
    Malformed,
    /// `404`: a way out of the root, a hidden file, or a name no file
    /// system here could hold. The same answer as a file that does not
    /// exist, so that a probe learns nothing.
    Hidden,
}

/// The longest relative path accepted: Linux's `PATH_MAX` less the root's
/// own part, which the kernel does not count here (the path is opened
/// relative to the root's descriptor).
pub const MAX_PATH: usize = 4095;
/// The longest name of one segment (`NAME_MAX`).
pub const MAX_NAME: usize = 255;

// ANCHOR: resolve
/// The file `path` names under the root: its decoded segments joined by
/// `/`, without a leading `/`; empty for the root itself. `path` is the
/// request's path (no query), already checked by the parser to hold only
/// the characters RFC 9112 allows in a request-target.
///
/// A path is served only in its one plain spelling: no empty segment but
/// a trailing one (`/a//b`), no `.` or `..` segment, and no escape of a
/// character that needs none (`%61` for `a`, RFC 3986 section 6.2.2.2) or
/// of `/` itself. Everything the router decides by prefix (middleware at
/// `/admin`, the routes that may block) compares the raw path; with one
/// spelling per file, `/%61dmin/x` and `//admin/x` cannot reach
/// `admin/x` around the middleware. Hidden names (`.git`, `.env`; only a
/// first `.well-known` is public, RFC 8615) and backslashes are refused too.
pub fn resolve(path: &[u8]) -> Result<Vec<u8>, Refused> {
    let Some(rest) = path.strip_prefix(b"/") else {
        // `*`, or an authority: no file.
        return Err(Refused::Hidden);
    };
    let mut out = Vec::with_capacity(rest.len());
    let mut segments = rest.split(|&b| b == b'/').peekable();
    let mut first = true;
    while let Some(raw) = segments.next() {
        // The components are told apart first, then each is decoded
        // (RFC 3986 section 2.4), straight into `out`: an escaped `/` is
        // refused below, never taken for a separator.
        if !out.is_empty() {
            out.push(b'/');
        }
        let start = out.len();
        percent_decode(raw, &mut out)?;
        let segment = &out[start..];
        match segment {
            // Only the last may be empty: `/docs/` names the directory.
            b"" if segments.peek().is_none() => {
                // And the `/` pushed for it, if any.
                out.truncate(start.saturating_sub(1));
                break;
            }
            b".well-known" if first => {}
            // Empty, `.`, `..`, and hidden files: nothing a server should
            // hand out by accident (a repository's `.git`, a deployment's
            // `.env`).
            [] | [b'.', ..] => return Err(Refused::Hidden),
            _ if segment.len() > MAX_NAME => return Err(Refused::Hidden),
            // Not a separator on Linux, but one on the systems a root may
            // be shared with or copied from: refused rather than guessed.
            _ if segment.contains(&b'\\') => return Err(Refused::Hidden),
            _ => {}
        }
        first = false;
    }
    if out.len() > MAX_PATH {
        return Err(Refused::Hidden);
    }
    Ok(out)
}
// ANCHOR_END: resolve

/// One segment's `%XY` to the byte `0xXY`, once, appended to `out`. A `%` without two hex
/// digits after it is malformed, and so is any control byte the decoding
/// produces (NUL would cut the path short at the kernel; the others name
/// no file a server would publish). An escape of `/` or of an unreserved
/// character (RFC 3986 section 2.3) is a second spelling of a path that
/// has a plain one: refused.
fn percent_decode(path: &[u8], out: &mut Vec<u8>) -> Result<(), Refused> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut i = 0;
    while i < path.len() {
        let byte = match path[i] {
            b'%' => {
                let high = path.get(i + 1).copied().and_then(hex);
                let low = path.get(i + 2).copied().and_then(hex);
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(Refused::Malformed);
                };
                i += 3;
                let byte = high << 4 | low;
                if byte == b'/' || byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                    return Err(Refused::Hidden);
                }
                byte
            }
            b => {
                i += 1;
                b
            }
        };
        if byte < 0x20 || byte == 0x7f {
            return Err(Refused::Malformed);
        }
        out.push(byte);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(path: &str) -> String {
        String::from_utf8(resolve(path.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn plain_paths_become_relative() {
        assert_eq!(ok("/"), "");
        assert_eq!(ok("/index.html"), "index.html");
        assert_eq!(ok("/a/b/"), "a/b");
        assert_eq!(ok("/a%20b/c%3Fd"), "a b/c?d");
        assert_eq!(ok("/%252e%252e/x"), "%2e%2e/x");
        assert_eq!(ok("/.well-known/acme"), ".well-known/acme");
        assert_eq!(ok("/caf%C3%A9"), "café");
    }

    #[test]
    fn ways_out_and_broken_escapes_are_refused() {
        for path in [
            "/..",
            "/a/../b",
            "/%2e%2e/x",
            "/%2E%2e%2Fetc",
            "/.git/config",
            "/a\\..\\b",
            "*",
            "x/y",
            // Second spellings: what a prefix comparison on the raw path
            // would not recognise.
            "//a",
            "/a//b",
            "/./a",
            "/a/./b",
            "/%61dmin/x",
            "/a%2fb",
            "/a%7Eb",
            "/x/.well-known/acme",
        ] {
            assert_eq!(resolve(path.as_bytes()), Err(Refused::Hidden), "{path}");
        }
        for path in ["/%", "/%4", "/%zz", "/a%00b", "/%0a", "/%7F"] {
            assert_eq!(resolve(path.as_bytes()), Err(Refused::Malformed), "{path}");
        }
        let long = format!("/{}", "a".repeat(MAX_NAME + 1));
        assert_eq!(resolve(long.as_bytes()), Err(Refused::Hidden));
        let deep = "/aaaaaaaa".repeat(MAX_PATH / 9 + 1);
        assert_eq!(resolve(deep.as_bytes()), Err(Refused::Hidden));
    }
}
