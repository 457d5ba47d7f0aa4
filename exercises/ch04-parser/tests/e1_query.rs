//! Tests for exercise 1. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use ch04_parser_exercises::e1_query::{BadQuery, parse_query};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn plain_pairs_in_order_with_repeats() {
    assert_eq!(
        parse_query(b"a=1&b=2&a=3"),
        Ok(pairs(&[("a", "1"), ("b", "2"), ("a", "3")]))
    );
}

#[test]
fn plus_is_space_and_percent_is_a_byte() {
    assert_eq!(
        parse_query(b"q=caf%C3%A9+au+lait&x=%2b%26%3d"),
        Ok(pairs(&[("q", "café au lait"), ("x", "+&=")]))
    );
}

#[test]
fn empty_pieces_flags_and_extra_equals() {
    assert_eq!(
        parse_query(b"&a=1&&flag&b=c=d&"),
        Ok(pairs(&[("a", "1"), ("flag", ""), ("b", "c=d")]))
    );
    assert_eq!(parse_query(b""), Ok(vec![]));
    assert_eq!(parse_query(b"=v"), Ok(pairs(&[("", "v")])));
}

#[test]
fn names_are_decoded_too() {
    assert_eq!(
        parse_query(b"first+name=Ada"),
        Ok(pairs(&[("first name", "Ada")]))
    );
}

#[test]
fn broken_escapes_and_invalid_utf8_are_errors() {
    assert_eq!(parse_query(b"a=%"), Err(BadQuery));
    assert_eq!(parse_query(b"a=%4"), Err(BadQuery));
    assert_eq!(parse_query(b"a=%zz"), Err(BadQuery));
    assert_eq!(
        parse_query(b"a=%ff"),
        Err(BadQuery),
        "0xff alone is not UTF-8"
    );
}
