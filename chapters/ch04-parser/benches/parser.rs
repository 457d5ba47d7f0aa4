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

/// TechEmpower's plaintext request, as wrk sends it in their benchmark.
const TECHEMPOWER: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: server\r\n\
Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n\
Connection: keep-alive\r\n\r\n";

/// A browser's request for a page, with cookies: about 1 KiB.
const BROWSER: &[u8] = b"GET /dashboard/projects/42/issues?state=open&sort=updated HTTP/1.1\r\n\
Host: app.example.com\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n\
Accept-Language: en-US,en;q=0.7,de;q=0.3\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Referer: https://app.example.com/dashboard/projects/42\r\n\
Connection: keep-alive\r\n\
Cookie: session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; lang=en; _ga=GA1.2.1234567890.1700000000; _gid=GA1.2.0987654321.1700000000; csrftoken=Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa\r\n\
Upgrade-Insecure-Requests: 1\r\n\
Sec-Fetch-Dest: document\r\n\
Sec-Fetch-Mode: navigate\r\n\
Sec-Fetch-Site: same-origin\r\n\
Sec-Fetch-User: ?1\r\n\
Priority: u=0, i\r\n\
If-None-Match: \"5d8c72a5edda8f6a8c4a8f1e0c7a3b2d\"\r\n\
If-Modified-Since: Tue, 25 Nov 2026 10:00:00 GMT\r\n\
Cache-Control: max-age=0\r\n\r\n";

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
