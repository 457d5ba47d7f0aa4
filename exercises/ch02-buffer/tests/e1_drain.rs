//! Tests for exercise 1. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use std::io::Write;
use std::os::unix::net::UnixStream;

use ch02_buffer_exercises::e1_drain::{Drained, drain};
use eventcore_buffer::Buffer;

fn pair() -> (UnixStream, UnixStream) {
    let (writer, reader) = UnixStream::pair().unwrap();
    reader.set_nonblocking(true).unwrap();
    (writer, reader)
}

#[test]
fn an_empty_socket_drains_nothing_and_is_not_an_error() {
    let (_writer, reader) = pair();
    let mut buf = Buffer::new();
    assert_eq!(
        drain(&mut buf, &reader).unwrap(),
        Drained {
            bytes: 0,
            eof: false
        }
    );
}

#[test]
fn drains_more_than_one_read_can_take() {
    let (mut writer, reader) = pair();
    // 100 000 bytes: more than a fresh buffer (1 KiB) plus the 64 KiB spill,
    // so one read_from_fd can't take it all; and less than the socket's
    // send buffer, so the blocking write completes without a reader.
    let data: Vec<u8> = (0..100_000).map(|i| (i % 256) as u8).collect();
    writer.write_all(&data).unwrap();
    let mut buf = Buffer::new();
    let drained = drain(&mut buf, &reader).unwrap();
    assert_eq!(
        drained,
        Drained {
            bytes: data.len(),
            eof: false
        }
    );
    assert_eq!(buf.peek(), &data[..]);
}

#[test]
fn end_of_file_is_reported_with_the_bytes_before_it() {
    let (mut writer, reader) = pair();
    writer.write_all(b"last words").unwrap();
    drop(writer);
    let mut buf = Buffer::new();
    assert_eq!(
        drain(&mut buf, &reader).unwrap(),
        Drained {
            bytes: 10,
            eof: true
        }
    );
    assert_eq!(buf.peek(), b"last words");
}

#[test]
fn bytes_already_in_the_buffer_are_kept_and_not_counted() {
    let (mut writer, reader) = pair();
    let mut buf = Buffer::new();
    buf.append(b"GET / HT");
    writer.write_all(b"TP/1.1\r\n").unwrap();
    assert_eq!(drain(&mut buf, &reader).unwrap().bytes, 8);
    assert_eq!(buf.peek(), b"GET / HTTP/1.1\r\n");
}

#[test]
fn errors_other_than_would_block_are_returned() {
    // read(2) on a directory fails with EISDIR: a real error, not "try later".
    let dir = std::fs::File::open("/").unwrap();
    let mut buf = Buffer::new();
    let err = drain(&mut buf, &dir).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(21), "EISDIR");
}
