//! Exercise 1: decode a query string.
//!
//! The parser hands over the query as the raw bytes after `?`:
//! `q=caf%C3%A9+au+lait&page=2`. A handler wants pairs of strings.

/// A `%` not followed by two hex digits, or bytes that are not UTF-8 once decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadQuery;

/// Splits `query` at `&` into `name=value` pairs and decodes both sides:
/// `+` is a space, `%XX` is the byte with hex value XX (either case), and
/// the decoded bytes must be UTF-8 (the form encoding of the WHATWG URL
/// standard, which browsers send).
///
/// - Empty pieces (`a=1&&b=2`, or a trailing `&`) are skipped.
/// - A piece without `=` is a name with an empty value: `flag` -> ("flag", "").
/// - Only the first `=` splits: `a=b=c` -> ("a", "b=c").
/// - Pairs come out in order, repeats included.
pub fn parse_query(query: &[u8]) -> Result<Vec<(String, String)>, BadQuery> {
    // TODO: your code here.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = query;
    todo!("split, then percent-decode each side")
}
