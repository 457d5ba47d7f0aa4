//! Exercise 1: match a pattern without regular expressions (reference solution).

/// Matches `path` against `pattern`, segment by segment.
pub fn match_segments(pattern: &str, path: &str) -> Option<Vec<(String, String)>> {
    let mut pattern_parts = pattern.split('/');
    let mut path_parts = path.split('/');
    let mut captures = Vec::new();
    loop {
        match (pattern_parts.next(), path_parts.next()) {
            (None, None) => return Some(captures),
            (Some(want), Some(got)) => {
                match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    Some(name) if !got.is_empty() => {
                        captures.push((name.to_string(), got.to_string()))
                    }
                    Some(_) => return None,
                    None if want == got => {}
                    None => return None,
                }
            }
            // One ran out first: different numbers of segments.
            _ => return None,
        }
    }
}
