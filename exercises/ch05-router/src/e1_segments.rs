//! Exercise 1: match a pattern without regular expressions.
//!
//! Most route patterns are only literal segments and `{name}` placeholders.
//! Those need no regex engine: compare the path segment by segment.

/// Matches `path` against `pattern`, segment by segment (split at `/`):
///
/// - a literal segment must equal the path's segment exactly;
/// - `{name}` matches any one non-empty segment and captures it as `name`;
/// - the two must have the same number of segments (the pattern matches the
///   whole path), so `/users/{id}` does not match `/users/7/posts`;
/// - a trailing slash is a segment of its own (an empty one): `/a/` does not
///   match the pattern `/a`.
///
/// Returns the captures in pattern order, or `None` if the path doesn't match.
pub fn match_segments(pattern: &str, path: &str) -> Option<Vec<(String, String)>> {
    // TODO: your code here. `str::split('/')` on both, then walk them together.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = (pattern, path);
    todo!("segment-by-segment matching")
}
