//! No allocation per request: a counting global allocator watches the
//! parser and the response writer once they are warm. (Its own test binary,
//! because the global allocator is per process.)

use eventcore_buffer::Buffer;
use eventcore_http::response::Context;
use eventcore_http::{DateCache, Parser, Progress, Response, write_response};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_in;

const BROWSER: &[u8] = b"GET /static/app.js?v=42 HTTP/1.1\r\nHost: localhost:8080\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
Accept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n\
Connection: keep-alive\r\nCookie: session=0123456789abcdef\r\n\r\n";

const ABSOLUTE: &[u8] =
    b"GET HTTP://example.com:8080/a?b HTTP/1.1\r\nHost: example.com:8080\r\n\r\n";

const CHUNKED: &[u8] =
    b"POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";

// ANCHOR: zero_alloc
#[test]
fn a_warm_parser_and_writer_allocate_nothing_per_request() {
    let mut parser = Parser::default();
    let mut out = Buffer::with_capacity(64 * 1024);
    let date = DateCache::default();
    let serve = |parser: &mut Parser, out: &mut Buffer| {
        // An absolute-form target (what a client sends to a proxy).
        assert_eq!(
            parser.parse(ABSOLUTE),
            Ok(Progress::Complete {
                len: ABSOLUTE.len()
            })
        );
        assert_eq!(
            parser.request(ABSOLUTE).authority(),
            Some(&b"example.com:8080"[..])
        );
        parser.reset();
        // A chunked upload too: its decoded body goes into a Vec the parser keeps.
        assert_eq!(
            parser.parse(CHUNKED),
            Ok(Progress::Complete { len: CHUNKED.len() })
        );
        assert_eq!(parser.request(CHUNKED).body(), b"hello, world");
        parser.reset();
        for _ in 0..100 {
            assert_eq!(
                parser.parse(BROWSER),
                Ok(Progress::Complete { len: BROWSER.len() })
            );
            let request = parser.request(BROWSER);
            assert_eq!(request.header("host"), Some(&b"localhost:8080"[..]));
            let response = Response::text("Hello, World!");
            let context = Context {
                head_request: false,
                close: !request.keep_alive(),
                ..Context::default()
            };
            let rest = write_response(out, &response, context, &date);
            assert!(rest.is_empty());
            out.retrieve_all();
            parser.reset();
        }
    };
    // The first request sizes the field table; after that, nothing.
    assert!(allocations_in(|| serve(&mut parser, &mut out)) > 0);
    assert_eq!(allocations_in(|| serve(&mut parser, &mut out)), 0);
}
// ANCHOR_END: zero_alloc

#[test]
fn the_counter_counts() {
    assert_eq!(allocations_in(|| drop(Vec::<u8>::with_capacity(10))), 1);
}
