//! Validators and conditional requests (RFC 9110 section 13).
//!
//! A file's validators are its modification time (`Last-Modified`, in
//! whole seconds, as HTTP dates are) and an entity tag made of the time, to
//! the nanosecond, and the size (`ETag: "<seconds>.<nanoseconds>-<size>"`,
//! in hex). Both change when the file is rewritten; neither needs its
//! contents read. The tag is strong, as nginx's (seconds and size) is:
//! two files with the same tag are taken to have the same bytes. What
//! breaks that is a rewrite that keeps both the size and the time: within
//! one tick of the file system's clock, or with the old time put back on
//! purpose (`touch -d`, `cp -p`, `rsync -t` of different contents). The
//! inode would catch more, but would give the same file different tags on
//! two servers behind one balancer.

use std::fs::Metadata;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A file's validators, as they go into a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validators {
    /// The quoted tag, `"65a1b2c3.1f2e-400"`.
    pub etag: String,
    /// Seconds since the epoch, as `Last-Modified` carries them.
    pub modified: u64,
}

impl Validators {
    pub fn of(meta: &Metadata) -> Validators {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
        let mtime = mtime.unwrap_or(Duration::ZERO);
        Validators {
            etag: format!(
                "\"{:x}.{:x}-{:x}\"",
                mtime.as_secs(),
                mtime.subsec_nanos(),
                meta.len()
            ),
            modified: mtime.as_secs(),
        }
    }

    /// `Last-Modified`'s value, an IMF-fixdate. A file dated past year
    /// 9999 (`touch -d`, an odd archive) is given the last second that the
    /// format's four digits can say, rather than a date nobody can read.
    pub fn last_modified(&self) -> String {
        const LAST: u64 = 253_402_300_799; // 9999-12-31 23:59:59
        httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(self.modified.min(LAST)))
    }
}

/// What the preconditions say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Answer as if there were none.
    Proceed,
    /// `304 Not Modified`: the client's copy is current.
    NotModified,
    /// `412 Precondition Failed`.
    Failed,
}

/// The conditional fields of a request, as the handler found them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conditions<'a> {
    pub if_match: Option<&'a [u8]>,
    pub if_none_match: Option<&'a [u8]>,
    pub if_modified_since: Option<&'a [u8]>,
    pub if_unmodified_since: Option<&'a [u8]>,
}

// ANCHOR: evaluate
/// Section 13.2.2's order, for a GET or HEAD of a file that exists:
/// `If-Match`, else `If-Unmodified-Since`, may fail the request (412);
/// then `If-None-Match`, else `If-Modified-Since`, may answer 304. A date
/// that does not parse is ignored, as sections 13.1.3 and 13.1.4 say.
pub fn evaluate(conditions: &Conditions<'_>, validators: &Validators) -> Verdict {
    if let Some(list) = conditions.if_match {
        // Strong comparison: a weak tag never matches here (13.1.1).
        if !any_tag(list, |weak, tag| !weak && tag == validators.etag.as_bytes()) {
            return Verdict::Failed;
        }
    } else if let Some(date) = conditions.if_unmodified_since.and_then(date) {
        if validators.modified > date {
            return Verdict::Failed;
        }
    }
    if let Some(list) = conditions.if_none_match {
        // Weak comparison: `W/"x"` matches `"x"` (13.1.2).
        if any_tag(list, |_, tag| tag == validators.etag.as_bytes()) {
            return Verdict::NotModified;
        }
    } else if let Some(date) = conditions.if_modified_since.and_then(date) {
        if validators.modified <= date {
            return Verdict::NotModified;
        }
    }
    Verdict::Proceed
}
// ANCHOR_END: evaluate

/// `If-Range` (section 13.1.5): serve the range only if the client's copy
/// is this one, which takes a strong validator. An entity tag must match
/// strongly. A date is no strong validator here: the file may have changed
/// twice within its `Last-Modified` second (section 8.8.2.2), and the parts
/// of two versions would be spliced together; so a date never satisfies
/// `If-Range`, and the whole file is sent, which is always correct.
pub fn range_applies(if_range: Option<&[u8]>, validators: &Validators) -> bool {
    match if_range.map(<[u8]>::trim_ascii) {
        None => true,
        Some(tag) => tag == validators.etag.as_bytes(),
    }
}

/// Seconds since the epoch of an HTTP-date: IMF-fixdate, or the obsolete
/// RFC 850 and asctime forms, which a recipient must accept (5.6.7).
fn date(value: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(value).ok()?;
    let time: SystemTime = httpdate::parse_http_date(text.trim()).ok()?;
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_secs())
}

/// Whether `*` or any entity tag in the list satisfies `matches(weak,
/// quoted tag)`. A list that does not parse matches nothing.
fn any_tag(list: &[u8], matches: impl Fn(bool, &[u8]) -> bool) -> bool {
    let mut rest = list.trim_ascii();
    if rest == b"*" {
        return true;
    }
    while !rest.is_empty() {
        let weak = rest.starts_with(b"W/");
        if weak {
            rest = &rest[2..];
        }
        // An entity-tag is a quoted string with no `"` inside (8.8.3).
        if rest.first() != Some(&b'"') {
            return false;
        }
        let Some(end) = rest[1..].iter().position(|&b| b == b'"') else {
            return false;
        };
        let (tag, after) = rest.split_at(end + 2);
        if matches(weak, tag) {
            return true;
        }
        rest = after.trim_ascii_start();
        match rest.first() {
            Some(b',') => rest = rest[1..].trim_ascii_start(),
            None => {}
            Some(_) => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validators() -> Validators {
        Validators {
            etag: "\"a.0-10\"".to_string(),
            // Sun, 06 Nov 1994 08:49:37 GMT
            modified: 784_111_777,
        }
    }

    fn verdict(conditions: Conditions<'_>) -> Verdict {
        evaluate(&conditions, &validators())
    }

    #[test]
    fn if_none_match_compares_weakly_and_wins_over_the_date() {
        let none_match = |list: &'static str| Conditions {
            if_none_match: Some(list.as_bytes()),
            if_modified_since: Some(b"Sun, 06 Nov 1994 08:49:37 GMT"),
            ..Conditions::default()
        };
        assert_eq!(verdict(none_match("\"a.0-10\"")), Verdict::NotModified);
        assert_eq!(verdict(none_match("W/\"a.0-10\"")), Verdict::NotModified);
        assert_eq!(
            verdict(none_match("\"x\", \"a.0-10\"")),
            Verdict::NotModified
        );
        assert_eq!(verdict(none_match("*")), Verdict::NotModified);
        // Present, not matching: the date is not looked at (13.2.2, step 4).
        assert_eq!(verdict(none_match("\"b\"")), Verdict::Proceed);
        assert_eq!(verdict(none_match("a.0-10")), Verdict::Proceed);
    }

    #[test]
    fn if_modified_since_in_all_three_date_forms() {
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            let since = Conditions {
                if_modified_since: Some(date.as_bytes()),
                ..Conditions::default()
            };
            assert_eq!(verdict(since), Verdict::NotModified, "{date}");
        }
        let earlier = Conditions {
            if_modified_since: Some(b"Sun, 06 Nov 1994 08:49:36 GMT"),
            ..Conditions::default()
        };
        assert_eq!(verdict(earlier), Verdict::Proceed);
        let garbage = Conditions {
            if_modified_since: Some(b"yesterday"),
            ..Conditions::default()
        };
        assert_eq!(verdict(garbage), Verdict::Proceed);
    }

    #[test]
    fn if_match_compares_strongly_and_fails_with_412() {
        let if_match = |list: &'static str| Conditions {
            if_match: Some(list.as_bytes()),
            ..Conditions::default()
        };
        assert_eq!(verdict(if_match("\"a.0-10\"")), Verdict::Proceed);
        assert_eq!(verdict(if_match("*")), Verdict::Proceed);
        assert_eq!(verdict(if_match("W/\"a.0-10\"")), Verdict::Failed);
        assert_eq!(verdict(if_match("\"b\"")), Verdict::Failed);
        let unmodified = |date: &'static str| Conditions {
            if_unmodified_since: Some(date.as_bytes()),
            ..Conditions::default()
        };
        assert_eq!(
            verdict(unmodified("Sun, 06 Nov 1994 08:49:37 GMT")),
            Verdict::Proceed
        );
        assert_eq!(
            verdict(unmodified("Sun, 06 Nov 1994 08:49:36 GMT")),
            Verdict::Failed
        );
    }

    #[test]
    fn if_range_needs_a_strong_entity_tag() {
        let v = validators();
        assert!(range_applies(None, &v));
        assert!(range_applies(Some(b"\"a.0-10\""), &v));
        assert!(!range_applies(Some(b"W/\"a.0-10\""), &v));
        assert!(!range_applies(Some(b"\"b\""), &v));
        // Even the exact Last-Modified: a date is a weak validator.
        assert!(!range_applies(Some(b"Sun, 06 Nov 1994 08:49:37 GMT"), &v));
        assert!(!range_applies(Some(b"soon"), &v));
    }
}
