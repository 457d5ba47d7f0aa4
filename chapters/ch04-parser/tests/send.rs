//! The response writer with chapter 2's gathered write, over a real socket:
//! a large body is not copied into the output buffer, and the bytes that
//! arrive are exactly a response that says how long its body is.

use std::io::{self, Read};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::thread;

use eventcore_buffer::Buffer;
use eventcore_http::response::{Context, INLINE_BODY_MAX};
use eventcore_http::{DateCache, Response, write_response};

#[test]
fn a_large_body_goes_out_beside_the_head_not_through_the_buffer() {
    let body: Arc<[u8]> = (0..200_000u32)
        .map(|i| (i % 251) as u8)
        .collect::<Vec<_>>()
        .into();
    let response = Response::new(200).with_body_shared(Arc::clone(&body));
    let mut out = Buffer::with_capacity(1024);
    let rest = write_response(
        &mut out,
        &response,
        Context::default(),
        &DateCache::default(),
    );
    assert_eq!(
        rest.len(),
        body.len(),
        "the body is left for the gathered write"
    );
    assert!(out.readable_bytes() < 200, "only the head is in the buffer");
    assert!(
        out.allocated_bytes() < 2 * 1024,
        "the buffer did not grow for the body"
    );

    let (sender, mut receiver) = UnixStream::pair().unwrap();
    sender.set_nonblocking(true).unwrap();
    let reader = thread::spawn(move || {
        let mut got = Vec::new();
        receiver.read_to_end(&mut got).map(|_| got)
    });
    let mut sent_body = 0;
    while sent_body < rest.len() {
        match out.send_with(&sender, &rest[sent_body..]) {
            Ok(sent) => sent_body += sent.body,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::yield_now(),
            Err(e) => panic!("send: {e}"),
        }
    }
    drop(sender);
    let got = reader.join().unwrap().unwrap();
    let head_end = got
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    let head = String::from_utf8_lossy(&got[..head_end]);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));
    assert_eq!(&got[head_end..], &body[..]);
}

#[test]
fn small_bodies_are_copied_into_the_buffer() {
    let response = Response::text(vec![b'a'; INLINE_BODY_MAX]);
    let mut out = Buffer::new();
    let rest = write_response(
        &mut out,
        &response,
        Context::default(),
        &DateCache::default(),
    );
    assert!(rest.is_empty());
    assert!(out.peek().ends_with(&[b'a'; INLINE_BODY_MAX]));
}
