//! Arbitrary bytes into the request parser, whole and split at a point the
//! fuzzer also chooses. It must never panic, and the two must agree, on
//! the verdict and on the request. The
//! same bytes also go through each fast scan of `eventcore_http::scan` and
//! the one-pass request-line split, which must agree with their simple,
//! rule-by-rule versions.

#![no_main]

use eventcore_http::chars::{FIELD_VALUE, HOST, TARGET, TCHAR};
use eventcore_http::parser::{split_request_line, split_request_line_checked};
use eventcore_http::scan;
use eventcore_http::{Parser, Progress};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, input)) = data.split_first() else {
        return;
    };
    for class in [&TCHAR, &TARGET, &HOST, &FIELD_VALUE] {
        assert_eq!(scan::run(class, input), scan::run_simple(class, input));
        assert_eq!(scan::escaped_run(class, input), scan::escaped_run_simple(class, input));
    }
    assert_eq!(scan::field_value_run(input), scan::field_value_run_simple(input));
    let line = input.split(|&b| b == b'\n').next().unwrap_or_default();
    assert_eq!(split_request_line(line), split_request_line_checked(line));
    let mut one = Parser::default();
    let whole = one.parse(input);
    let mut parser = Parser::default();
    let cut = usize::from(split) * input.len() / 256;
    let pieces = match parser.parse(&input[..cut]) {
        Ok(Progress::Partial) => parser.parse(input),
        other => other,
    };
    assert_eq!(whole, pieces);
    if let Ok(Progress::Complete { len }) = whole {
        assert!(len <= input.len());
        // Reading every part of the request must not panic either.
        let request = parser.request(input);
        let _ = (request.method(), request.path(), request.query(), request.body());
        for (name, value) in request.headers() {
            assert!(!name.is_empty());
            assert!(!value.starts_with(b" ") && !value.ends_with(b" "));
        }
        // Whole, the lines take the parser's quick way; cut inside a line,
        // that line takes the long way. Both must read the same request.
        let other = one.request(input);
        assert_eq!(request.method(), other.method());
        assert_eq!(request.target(), other.target());
        assert_eq!((request.path(), request.query()), (other.path(), other.query()));
        assert_eq!((request.version(), request.authority()), (other.version(), other.authority()));
        assert!(request.headers().eq(other.headers()));
        assert_eq!((request.body(), request.keep_alive()), (other.body(), other.keep_alive()));
        assert_eq!(request.expects_continue(), other.expects_continue());
    }
});
