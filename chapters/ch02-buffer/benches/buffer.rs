//! Criterion benchmarks for the Buffer: `cargo bench -p ch02-buffer`.
//!
//! - `append_retrieve`: the steady state of a connection (a request in, consumed).
//! - `find_crlf`: our eight-bytes-at-a-time search against the naive loop and `memchr`.
//! - `find_double_crlf`: the end of a typical and of a large request head.
//! - `readv`: one read through a socketpair, into a buffer with room (no
//!   spill) and into a full one (everything through the spill and copied).

use std::hint::black_box;
use std::io::Write;
use std::os::unix::net::UnixStream;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use eventcore_buffer::{Buffer, search};

/// A request head like a browser's: 8 lines, 358 bytes.
const HEAD: &[u8] = b"GET /static/app.js?v=42 HTTP/1.1\r\n\
Host: localhost:8080\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: en-US,en;q=0.5\r\n\
Accept-Encoding: gzip, deflate, br\r\n\
Connection: keep-alive\r\n\
Cookie: session=0123456789abcdef0123456789abcdef\r\n\r\n";

fn append_retrieve(c: &mut Criterion) {
    let mut group = c.benchmark_group("append_retrieve");
    for size in [64usize, 512, 4096] {
        let data = vec![b'x'; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), &data, |b, data| {
            let mut buf = Buffer::new();
            b.iter(|| {
                buf.append(black_box(data));
                // Consume in two steps, as a parser would: the head, then the rest.
                buf.retrieve(black_box(size / 2));
                buf.retrieve(buf.readable_bytes());
            });
        });
    }
    group.finish();
}

fn find_crlf(c: &mut Criterion) {
    // The line is the longest header of HEAD (the User-Agent, 84 bytes):
    // the search runs over it before it finds the line end.
    let line = &HEAD[HEAD.iter().position(|&b| b == b'U').unwrap_or(0)..];
    let mut group = c.benchmark_group("find_crlf");
    group.throughput(Throughput::Bytes(
        search::find_crlf(line).map_or(0, |i| i + 2) as u64,
    ));
    group.bench_function("swar", |b| b.iter(|| search::find_crlf(black_box(line))));
    group.bench_function("naive", |b| {
        b.iter(|| search::find_crlf_naive(black_box(line)))
    });
    group.bench_function("memchr", |b| {
        b.iter(|| memchr::memmem::find(black_box(line), b"\r\n"))
    });
    group.finish();
}

fn find_double_crlf(c: &mut Criterion) {
    let mut big = Vec::new();
    big.extend_from_slice(&HEAD[..HEAD.len() - 2]);
    for i in 0..40 {
        write!(big, "X-Filler-{i}: {}\r\n", "v".repeat(80)).expect("write to Vec");
    }
    big.extend_from_slice(b"\r\n");
    let mut group = c.benchmark_group("find_double_crlf");
    for (name, head) in [("typical", HEAD), ("4k", &big[..])] {
        group.throughput(Throughput::Bytes(head.len() as u64));
        group.bench_with_input(BenchmarkId::new("swar", name), head, |b, head| {
            b.iter(|| search::find_double_crlf(black_box(head)))
        });
        group.bench_with_input(BenchmarkId::new("memchr", name), head, |b, head| {
            b.iter(|| memchr::memmem::find(black_box(head), b"\r\n\r\n"))
        });
    }
    group.finish();
}

fn readv(c: &mut Criterion) {
    let (mut writer, reader) = UnixStream::pair().expect("socketpair");
    let mut group = c.benchmark_group("readv");
    for size in [512usize, 16 * 1024] {
        let data = vec![b'r'; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("room", size), &data, |b, data| {
            let mut buf = Buffer::with_capacity(64 * 1024);
            b.iter(|| {
                writer.write_all(data).expect("write");
                let n = buf.read_from_fd(&reader).expect("read");
                buf.retrieve_all();
                n
            });
        });
        group.bench_with_input(BenchmarkId::new("spill", size), &data, |b, data| {
            b.iter(|| {
                // A buffer with no writable bytes: all of it goes through the
                // spill and is appended (which also allocates), as for a
                // connection whose buffer is full.
                let mut buf = Buffer::with_capacity(0);
                writer.write_all(data).expect("write");
                buf.read_from_fd(&reader).expect("read")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, append_retrieve, find_crlf, find_double_crlf, readv);
criterion_main!(benches);
