//! Tests for exercise 1. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use ch05_router_exercises::e1_segments::match_segments;

fn caps(pairs: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
    Some(
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    )
}

#[test]
fn literal_paths_match_only_themselves() {
    assert_eq!(match_segments("/api/users", "/api/users"), caps(&[]));
    assert_eq!(match_segments("/api/users", "/api/user"), None);
    assert_eq!(match_segments("/", "/"), caps(&[]));
}

#[test]
fn placeholders_capture_one_segment() {
    assert_eq!(
        match_segments("/users/{id}", "/users/42"),
        caps(&[("id", "42")])
    );
    assert_eq!(
        match_segments("/repos/{owner}/{repo}/issues", "/repos/ada/engine/issues"),
        caps(&[("owner", "ada"), ("repo", "engine")])
    );
}

#[test]
fn the_whole_path_must_match() {
    assert_eq!(match_segments("/users/{id}", "/users/7/posts"), None);
    assert_eq!(match_segments("/users/{id}/posts", "/users/7"), None);
    assert_eq!(
        match_segments("/a", "/a/"),
        None,
        "a trailing slash is a segment"
    );
}

#[test]
fn placeholders_need_a_non_empty_segment() {
    assert_eq!(match_segments("/users/{id}", "/users/"), None);
    assert_eq!(match_segments("/{a}/{b}", "//x"), None);
}
