//! Tests for exercise 2. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use ch04_parser_exercises::e2_chunked::write_chunked;
use eventcore_buffer::Buffer;
use eventcore_http::{Parser, Progress};

/// Puts `body` behind a request head and parses it with chapter 4's parser.
fn parse_body(body: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let mut input =
        b"POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    input.extend_from_slice(body);
    let mut parser = Parser::default();
    match parser.parse(&input) {
        Ok(Progress::Complete { len }) => {
            Ok((parser.request(&input).body().to_vec(), input.len() - len))
        }
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn exact_bytes_for_two_chunks() {
    let mut out = Buffer::new();
    write_chunked(&mut out, &[b"Hello, ", b"chunked world!"], &[]);
    assert_eq!(
        out.peek(),
        b"7\r\nHello, \r\ne\r\nchunked world!\r\n0\r\n\r\n"
    );
}

#[test]
fn the_parser_reads_back_what_was_written() {
    let big = vec![b'z'; 5000];
    let mut out = Buffer::new();
    write_chunked(
        &mut out,
        &[b"a", &big, b"", b"end"],
        &[("X-Checksum", "42")],
    );
    let (body, left_over) = parse_body(out.peek()).unwrap();
    let mut expected = b"a".to_vec();
    expected.extend(&big);
    expected.extend(b"end");
    assert_eq!(body, expected);
    assert_eq!(left_over, 0, "nothing after the final CRLF");
}

#[test]
fn sizes_are_hex_and_empty_chunks_do_not_end_the_body() {
    let chunk = vec![b'x'; 255];
    let mut out = Buffer::new();
    write_chunked(&mut out, &[b"", &chunk, b"", b"!"], &[]);
    assert!(out.peek().starts_with(b"ff\r\n"), "255 is ff");
    assert_eq!(parse_body(out.peek()).unwrap().0.len(), 256);
}

#[test]
fn no_chunks_is_an_empty_body_with_trailers() {
    let mut out = Buffer::new();
    write_chunked(&mut out, &[], &[("A", "1"), ("B", "2")]);
    assert_eq!(out.peek(), b"0\r\nA: 1\r\nB: 2\r\n\r\n");
    assert_eq!(parse_body(out.peek()).unwrap(), (vec![], 0));
}
