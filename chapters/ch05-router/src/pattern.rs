//! Route patterns: a readable syntax compiled once to a regular expression.
//!
//! `/users/{id}` matches one path segment and names it `id`;
//! `/users/{id:[0-9]+}` says what the segment must look like; anything the
//! `regex` crate accepts can go after the colon. The result is anchored at
//! both ends, so a pattern always matches the *whole* path: `/users/{id}`
//! does not match `/users/7/posts`.

use std::fmt;

/// Why a pattern could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// A `{` without its `}`.
    Unclosed(String),
    /// A parameter name that is empty or not `[A-Za-z_][A-Za-z0-9_]*`.
    BadName(String),
    /// The same name twice in one pattern.
    DuplicateName(String),
    /// The regex crate refused the result.
    Regex(String),
    /// The same method and path (or pattern text) registered twice: the
    /// second route could never answer. Two different patterns that match
    /// the same paths are not detected.
    DuplicateRoute(String),
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::Unclosed(p) => write!(f, "unclosed '{{' in route {p:?}"),
            PatternError::BadName(p) => write!(f, "bad parameter name in route {p:?}"),
            PatternError::DuplicateName(n) => write!(f, "parameter {n:?} used twice"),
            PatternError::Regex(e) => write!(f, "invalid route regex: {e}"),
            PatternError::DuplicateRoute(r) => write!(f, "route registered twice: {r}"),
        }
    }
}

impl std::error::Error for PatternError {}

// ANCHOR: compile
/// Compiles a readable pattern into anchored regex source and its parameter
/// names: `/users/{id:[0-9]+}/posts` becomes
/// `^/users/(?P<id>[0-9]+)/posts$` and `["id"]`.
pub fn compile(pattern: &str) -> Result<(String, Vec<String>), PatternError> {
    let mut source = String::from("^");
    let mut names: Vec<String> = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        // Literal text is escaped: a `.` in a path is a dot, not "any character".
        source.push_str(&regex::escape(&rest[..open]));
        let inner_start = open + 1;
        let close = matching_brace(&rest[inner_start..])
            .ok_or_else(|| PatternError::Unclosed(pattern.to_string()))?;
        let inner = &rest[inner_start..inner_start + close];
        let (name, regex) = match inner.split_once(':') {
            Some((name, regex)) => (name, regex),
            None => (inner, "[^/]+"),
        };
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(PatternError::BadName(pattern.to_string()));
        }
        if names.iter().any(|n| n == name) {
            return Err(PatternError::DuplicateName(name.to_string()));
        }
        source.push_str(&format!("(?P<{name}>{regex})"));
        names.push(name.to_string());
        rest = &rest[inner_start + close + 1..];
    }
    source.push_str(&regex::escape(rest));
    source.push('$');
    Ok((source, names))
}
// ANCHOR_END: compile

/// The index of the `}` that closes a `{` just before `s`, counting nested
/// braces so that a parameter's regex may use `{2,4}`.
fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Wraps a raw regular expression (the seed's `"/api/users/[0-9]+"` style)
/// so that it must match the whole path.
pub fn anchor_raw(regex: &str) -> String {
    format!("^(?:{regex})$")
}

// ANCHOR: params
/// The path parameters a pattern captured, by name. Empty (and not
/// allocated) for exact routes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Params<'a> {
    pub(crate) fn new(pairs: Vec<(&'a str, &'a str)>) -> Params<'a> {
        Params { pairs }
    }

    /// The value captured for `name`, if the route has such a parameter.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.pairs.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.pairs.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}
// ANCHOR_END: params

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_patterns_become_anchored_regexes() {
        assert_eq!(
            compile("/users/{id}").unwrap(),
            ("^/users/(?P<id>[^/]+)$".to_string(), vec!["id".to_string()])
        );
        assert_eq!(
            compile("/files/{year:[0-9]{4}}/{name:.+}.txt").unwrap().0,
            r"^/files/(?P<year>[0-9]{4})/(?P<name>.+)\.txt$"
        );
        assert_eq!(compile("/plain.html").unwrap().0, r"^/plain\.html$");
    }

    #[test]
    fn broken_patterns_are_refused() {
        assert!(matches!(compile("/a/{id"), Err(PatternError::Unclosed(_))));
        assert!(matches!(compile("/a/{}"), Err(PatternError::BadName(_))));
        assert!(matches!(compile("/a/{1x}"), Err(PatternError::BadName(_))));
        assert!(matches!(
            compile("/{a}/{a}"),
            Err(PatternError::DuplicateName(_))
        ));
    }
}
