//! Criterion benchmarks for the parser and the response writer:
//! `cargo bench -p ch04-parser --bench parser`.
//!
//! The peer is `httparse`, the parser behind hyper, on the same inputs. It
//! does less: it parses the request-line and fields into a caller's array
//! and stops, while ours also checks Host, decides the body length
//! (Content-Length, Transfer-Encoding) and keep-alive.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use eventcore_buffer::Buffer;
use eventcore_http::response::Context;
use eventcore_http::{DateCache, Parser, Progress, Response, write_response};

#[path = "support/requests.rs"]
mod requests;
use requests::{BROWSER, TECHEMPOWER};

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, input) in [("techempower", TECHEMPOWER), ("browser", BROWSER)] {
        group.throughput(Throughput::Bytes(input.len() as u64));
        let mut parser = Parser::default();
        group.bench_with_input(BenchmarkId::new("eventcore", name), input, |b, input| {
            b.iter(|| {
                parser.reset();
                let progress = parser.parse(black_box(input));
                assert!(matches!(progress, Ok(Progress::Complete { .. })));
                parser.request(input).header("host").map(<[u8]>::len)
            })
        });
        group.bench_with_input(BenchmarkId::new("httparse", name), input, |b, input| {
            b.iter(|| {
                let mut headers = [httparse::EMPTY_HEADER; 32];
                let mut request = httparse::Request::new(&mut headers);
                let status = request.parse(black_box(input));
                assert!(matches!(status, Ok(httparse::Status::Complete(_))));
                request
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("host"))
                    .map(|h| h.value.len())
            })
        });
    }
    group.finish();
}

fn parse_bytewise(c: &mut Criterion) {
    // The same 1 KiB head, arriving one byte per read: the parser resumes
    // where it stopped, so this costs about as much as one parse, not 1000.
    c.bench_function("parse/browser_bytewise", |b| {
        let mut parser = Parser::default();
        b.iter(|| {
            parser.reset();
            for end in 1..=BROWSER.len() {
                if let Ok(Progress::Complete { len }) = parser.parse(&BROWSER[..end]) {
                    return len;
                }
            }
            0
        })
    });
}

fn write(c: &mut Criterion) {
    let date = DateCache::default();
    let mut out = Buffer::with_capacity(4096);
    c.bench_function("write_response/hello", |b| {
        b.iter(|| {
            let response = Response::text("Hello, World!");
            write_response(&mut out, black_box(&response), Context::default(), &date);
            out.retrieve_all();
        })
    });
}

criterion_group!(benches, parse, parse_bytewise, write);
criterion_main!(benches);
