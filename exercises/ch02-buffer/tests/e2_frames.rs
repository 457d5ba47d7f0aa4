//! Tests for exercise 2. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use ch02_buffer_exercises::e2_frames::{TooLong, encode, next_frame};
use eventcore_buffer::{Buffer, PREPEND};

#[test]
fn encode_puts_the_length_in_front_without_moving_the_payload() {
    let buf = encode(b"hello");
    assert_eq!(buf.peek(), b"\0\0\0\x05hello");
    // The length went into the prepend area: 4 of its 8 bytes are used, and
    // the one allocation was sized for the payload alone.
    assert_eq!(buf.prependable_bytes(), PREPEND - 4);
    assert_eq!(buf.allocated_bytes(), PREPEND + 5);
}

#[test]
fn an_empty_payload_is_a_frame_too() {
    let mut buf = encode(b"");
    assert_eq!(buf.peek(), b"\0\0\0\0");
    assert_eq!(next_frame(&mut buf, 10), Ok(Some(Vec::new())));
    assert!(buf.is_empty());
}

#[test]
fn frames_decode_in_order_from_one_buffer() {
    let mut buf = Buffer::new();
    for payload in [&b"one"[..], b"", b"three"] {
        buf.append(encode(payload).peek());
    }
    assert_eq!(next_frame(&mut buf, 100), Ok(Some(b"one".to_vec())));
    assert_eq!(next_frame(&mut buf, 100), Ok(Some(Vec::new())));
    assert_eq!(next_frame(&mut buf, 100), Ok(Some(b"three".to_vec())));
    assert_eq!(next_frame(&mut buf, 100), Ok(None));
}

#[test]
fn a_frame_arriving_byte_by_byte_is_complete_only_at_its_last_byte() {
    let wire = encode(b"split across reads").peek().to_vec();
    let mut buf = Buffer::new();
    for (i, &byte) in wire.iter().enumerate() {
        buf.append(&[byte]);
        let got = next_frame(&mut buf, 100).unwrap();
        if i + 1 < wire.len() {
            assert_eq!(got, None, "after {} bytes", i + 1);
            assert_eq!(
                buf.readable_bytes(),
                i + 1,
                "an incomplete frame stays in the buffer"
            );
        } else {
            assert_eq!(got, Some(b"split across reads".to_vec()));
        }
    }
}

#[test]
fn a_frame_above_the_limit_is_refused_before_its_payload_arrives() {
    let mut buf = Buffer::new();
    buf.append(&1_000_000u32.to_be_bytes());
    assert_eq!(
        next_frame(&mut buf, 1024),
        Err(TooLong {
            announced: 1_000_000
        })
    );
    assert_eq!(buf.readable_bytes(), 4, "nothing consumed");
    // Exactly at the limit is fine.
    let mut buf = encode(&[7; 1024]);
    assert_eq!(next_frame(&mut buf, 1024), Ok(Some(vec![7; 1024])));
}
