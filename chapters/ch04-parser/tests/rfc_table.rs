//! The parser against a table of requests, valid and invalid, each with the
//! rule of RFC 9112 or RFC 9110 that decides it. Each input is parsed whole
//! and byte by byte; both must give the same verdict.

use eventcore_http::{Limits, ParseError, Parser, Progress};

#[derive(Debug, Clone, Copy)]
enum Expect {
    /// A complete request that uses every byte of the input.
    Complete,
    Fails(ParseError),
}
use Expect::{Complete, Fails};
use ParseError::*;

// ANCHOR: cases
/// (rule, input, verdict)
const CASES: &[(&str, &[u8], Expect)] = &[
    // --- request-line (RFC 9112 section 3) ---
    ("9112 3: the simplest request", b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", Complete),
    ("9112 2.2: bare LF may end head lines", b"GET / HTTP/1.1\nHost: a\n\n", Complete),
    ("9112 2.2: empty lines before the request-line are ignored", b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", Complete),
    ("9112 2.2: but not without end", b"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadRequestLine)),
    ("9110 9.1: any token is a method", b"BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", Complete),
    ("9110 9.1: a method is a token", b"G@T / HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadMethod)),
    ("9112 3: one space between parts", b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("9112 3: three parts", b"GET /\r\nHost: a\r\n\r\n", Fails(BadRequestLine)),
    ("9112 3.2: no control bytes in the target", b"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("9112 3.2: no raw non-ASCII in the target", b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("9112 3.2.2: absolute-form", b"GET http://example.com/x?y=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", Complete),
    ("9110 4.2.4: no userinfo in an absolute target", b"GET http://user@good.com/ HTTP/1.1\r\nHost: good.com\r\n\r\n", Fails(BadTarget)),
    ("9110 4.2: only http and https", b"GET ftp://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n", Fails(BadTarget)),
    ("9112 3.2: no fragment in a target", b"GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("RFC 3986 2.1: a percent escape has two hex digits", b"GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("RFC 3986 2: no backslash in a target", b"GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("9112 3.2.2: absolute-form needs an authority", b"GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("9112 3.2.3: authority-form for CONNECT", b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", Complete),
    ("9112 3.2.3: CONNECT needs authority-form", b"CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("9112 3.2.3: CONNECT needs a port", b"CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("9112 3.2.3: CONNECT to an IPv6 literal needs a port too", b"CONNECT [::1] HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("9112 3.2.3: CONNECT to an IPv6 literal and port", b"CONNECT [::1]:443 HTTP/1.1\r\nHost: a\r\n\r\n", Complete),
    ("9112 3.2.3: CONNECT takes no userinfo", b"CONNECT u@h:80 HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("9112 3.2.3: authority-form only for CONNECT", b"GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    ("9112 3.2.4: asterisk-form for OPTIONS", b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", Complete),
    ("9112 3.2.4: asterisk-form only for OPTIONS", b"GET * HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BadTarget)),
    // --- version (RFC 9112 section 2.3, RFC 9110 sections 6.2 and 15.6.6) ---
    ("9112 2.3: HTTP/1.0", b"GET / HTTP/1.0\r\n\r\n", Complete),
    ("9110 6.2: a higher 1.x minor is read as 1.1", b"GET / HTTP/1.2\r\nHost: a\r\n\r\n", Complete),
    ("9110 15.6.6: HTTP/2.0 on HTTP/1 gets 505", b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", Fails(VersionNotSupported)),
    ("9110 15.6.6: HTTP/0.9 gets 505", b"GET / HTTP/0.9\r\n\r\n", Fails(VersionNotSupported)),
    ("9112 2.3: the name is case-sensitive", b"GET / http/1.1\r\nHost: a\r\n\r\n", Fails(BadVersion)),
    ("9112 2.3: one digit each", b"GET / HTTP/1.10\r\nHost: a\r\n\r\n", Fails(BadVersion)),
    ("9112 2.3: garbage", b"GET / HTTP/one\r\nHost: a\r\n\r\n", Fails(BadVersion)),
    // --- fields (RFC 9112 section 5, RFC 9110 section 5) ---
    ("9110 5.6.3: OWS around the value is trimmed", b"GET / HTTP/1.1\r\nHost: \t a \t\r\n\r\n", Complete),
    ("9110 5.5: an empty value", b"GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", Complete),
    ("9110 5.5: obs-text is allowed in values", b"GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\xc3\xa9\r\n\r\n", Complete),
    ("9112 5.1: no whitespace before the colon", b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", Fails(WhitespaceBeforeColon)),
    ("9112 5.2: obs-fold is rejected", b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n", Fails(ObsFold)),
    ("9110 5.1: a field name is a token", b"GET / HTTP/1.1\r\nHost: a\r\nX Bad: 1\r\n\r\n", Fails(BadHeaderName)),
    ("9110 5.1: a field name is not empty", b"GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n", Fails(BadHeaderName)),
    ("9112 5: a field line has a colon", b"GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", Fails(BadHeaderName)),
    ("9110 5.5: NUL in a value", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", Fails(BadHeaderValue)),
    ("9110 5.5: a control byte in a value", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x1bb\r\n\r\n", Fails(BadHeaderValue)),
    ("9112 2.2: a bare CR is invalid", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", Fails(BareCr)),
    ("9112 2.2: a bare CR in the request-line", b"GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", Fails(BareCr)),
    ("9112 3.2: an invalid Host value: a space", b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", Fails(BadHost)),
    ("9112 3.2: an invalid Host value: a path", b"GET / HTTP/1.1\r\nHost: evil.com/x\r\n\r\n", Fails(BadHost)),
    ("9112 3.2: an invalid Host value: userinfo", b"GET / HTTP/1.1\r\nHost: good@evil\r\n\r\n", Fails(BadHost)),
    ("9112 3.2: an invalid Host value: a list", b"GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", Fails(BadHost)),
    ("9112 3.2: an invalid Host value: empty", b"GET / HTTP/1.1\r\nHost:\r\n\r\n", Fails(BadHost)),
    ("9112 3.2: a Host with a port and an IPv6 literal", b"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", Complete),
    ("9112 3.2: HTTP/1.1 requires Host", b"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", Fails(BadHost)),
    ("9112 3.2: exactly one Host", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", Fails(BadHost)),
    ("9112 3.2: at most one Host in 1.0 too", b"GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", Fails(BadHost)),
    // --- Content-Length (RFC 9112 section 6.3, RFC 9110 section 8.6) ---
    ("9110 8.6: a body of Content-Length bytes", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", Complete),
    ("9110 8.6: a repeated identical value may be accepted", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", Complete),
    ("9110 8.6: also on two lines", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", Complete),
    ("9110 8.6: differing values", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", Fails(BadContentLength)),
    ("9110 8.6: differing values in one line", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!", Fails(BadContentLength)),
    ("9110 8.6: 1*DIGIT, no sign", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", Fails(BadContentLength)),
    ("9110 8.6: no minus either", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", Fails(BadContentLength)),
    ("9110 8.6: no hex", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello", Fails(BadContentLength)),
    ("9110 8.6: no space inside", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n\r\n", Fails(BadContentLength)),
    ("9110 8.6: not empty", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", Fails(BadContentLength)),
    ("9112 6.3: overflow is invalid, not wrapped", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551621\r\n\r\nhello", Fails(BadContentLength)),
    ("9110 15.5.14: larger than the limit gets 413", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", Fails(BodyTooLarge)),
    // --- Transfer-Encoding and smuggling (RFC 9112 sections 6.1, 6.3, 7.1, 11.2) ---
    ("9112 7.1: chunked", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", Complete),
    ("9112 7.1.1: chunk extensions are allowed", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value;q=\"a b\"\r\nhello\r\n0\r\n\r\n", Complete),
    ("9112 7.1.2: a trailer section", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n", Complete),
    ("9110 5.6.3: HTAB is OWS", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n", Complete),
    ("9110 5.1: field names are case-insensitive", b"POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: CHUNKED\r\n\r\n0\r\n\r\n", Complete),
    ("CL.TE: 9112 6.3 rule 3, 11.2", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX", Fails(TransferEncodingWithContentLength)),
    ("TE.CL: 9112 6.3 rule 3, 11.2", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", Fails(TransferEncodingWithContentLength)),
    ("9112 6.3 rule 4: chunked must be final", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", Fails(BadTransferEncoding)),
    ("9112 6.3 rule 4: across lines too", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", Fails(BadTransferEncoding)),
    ("9112 6.1: chunked only once", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", Fails(BadTransferEncoding)),
    ("9112 6.1: an unknown coding gets 501", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Fails(UnsupportedTransferCoding)),
    ("9112 6.3 rule 4: not chunked at all", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", Fails(BadTransferEncoding)),
    ("9112 6.3 rule 4: a quoted chunked is not chunked", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", Fails(BadTransferEncoding)),
    ("9112 6.3 rule 4: an empty list", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\n\r\n", Fails(BadTransferEncoding)),
    ("9112 5.1: whitespace trick before the colon", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", Fails(WhitespaceBeforeColon)),
    ("9112 5.2: obs-fold trick in TE", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", Fails(ObsFold)),
    ("9112 6.1: TE in an HTTP/1.0 request", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", Fails(BadTransferEncoding)),
    ("9112 7.1: the chunk size is hex", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", Fails(BadChunk)),
    ("9112 7.1: huge hex sizes are refused, not wrapped", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n", Fails(BodyTooLarge)),
    ("9112 7.1: no more than 16 hex digits", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nz\r\n0\r\n\r\n", Fails(BadChunk)),
    ("9112 7.1: no whitespace before the line end", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\nz\r\n0\r\n\r\n", Fails(BadChunk)),
    ("9112 7.1.1: BWS before the semicolon is allowed", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 ; a = b\r\nz\r\n0\r\n\r\n", Complete),
    ("9112 7.1: chunks count against the body limit", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", Fails(BodyTooLarge)),
    ("9112 7.1: chunk data ends with CRLF", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", Fails(BadChunk)),
    ("9112 7.1: no bare LF in chunked framing", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", Fails(BadChunk)),
    ("9112 7.1: no bare LF after chunk data", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n", Fails(BadChunk)),
    ("9112 7.1.1: an extension has a name", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;\r\nabc\r\n0\r\n\r\n", Fails(BadChunk)),
    ("9112 7.1.1: a quoted value is closed", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"b\r\nabc\r\n0\r\n\r\n", Fails(BadChunk)),
    ("9110 10.1.1: 100-continue is ignored in HTTP/1.0", b"PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx", Complete),
    ("9112 7.1.2: trailer fields are checked like fields", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Name: 1\r\n\r\n", Fails(BadHeaderName)),
];
// ANCHOR_END: cases

/// Parses `input` in one call.
fn whole(input: &[u8]) -> Result<Progress, ParseError> {
    Parser::default().parse(input)
}

/// Parses `input` one more byte per call, as a slow client would send it.
fn bytewise(input: &[u8]) -> Result<Progress, ParseError> {
    let mut parser = Parser::default();
    for end in 1..input.len() {
        match parser.parse(&input[..end])? {
            Progress::Partial => {}
            done => return Ok(done),
        }
    }
    parser.parse(input)
}

#[test]
fn every_case_gets_its_verdict_whole_and_byte_by_byte() {
    let mut failures = Vec::new();
    for &(rule, input, expect) in CASES {
        for (how, result) in [("whole", whole(input)), ("bytewise", bytewise(input))] {
            let ok = match (expect, result) {
                (Complete, Ok(Progress::Complete { len })) => len == input.len(),
                (Fails(want), Err(got)) => want == got,
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{rule} ({how}): expected {expect:?}, got {result:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn limits_answer_414_and_431() {
    let limits = Limits {
        request_line: 64,
        head: 256,
        headers: 4,
        body: 1024,
    };
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(100));
    assert_eq!(
        Parser::new(limits).parse(long_target.as_bytes()),
        Err(UriTooLong)
    );
    // Without the line end, as soon as the limit is passed.
    assert_eq!(
        Parser::new(limits).parse(&long_target.as_bytes()[..80]),
        Err(UriTooLong)
    );
    assert_eq!(UriTooLong.status(), 414);
    // A line of 80 bytes with no space in sight is not a long URI but a bad method.
    assert_eq!(Parser::new(limits).parse(&[b'x'; 80]), Err(BadMethod));
    // A request-line of exactly the limit is fine, even if a read ends
    // between its CR and its LF.
    let exact = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(64 - 14));
    let mut parser = Parser::new(limits);
    assert_eq!(parser.parse(&exact.as_bytes()[..65]), Ok(Progress::Partial));
    assert_eq!(
        parser.parse(exact.as_bytes()),
        Ok(Progress::Complete { len: exact.len() })
    );

    let many = format!("GET / HTTP/1.1\r\nHost: a\r\n{}\r\n", "X: 1\r\n".repeat(4));
    assert_eq!(
        Parser::new(limits).parse(many.as_bytes()),
        Err(TooManyHeaders)
    );
    let big = format!(
        "GET / HTTP/1.1\r\nHost: a\r\nX: {}\r\n\r\n",
        "v".repeat(300)
    );
    assert_eq!(Parser::new(limits).parse(big.as_bytes()), Err(HeadTooLarge));
    assert_eq!(
        Parser::new(limits).parse(&big.as_bytes()[..290]),
        Err(HeadTooLarge)
    );
    assert_eq!(HeadTooLarge.status(), 431);
    assert_eq!(TooManyHeaders.status(), 431);
}

#[test]
fn a_line_past_a_limit_gets_the_same_verdict_before_and_after_its_end() {
    // Found by the connection fuzz target: a trailer line that ends in a
    // bare LF and runs past the head limit. Whole, the bare LF used to be
    // seen first (BadChunk); cut before the LF, the limit (HeadTooLarge).
    let limits = Limits {
        head: 64,
        ..Limits::default()
    };
    let mut input =
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX: "
            .to_vec();
    input.extend_from_slice(&[b'v'; 100]);
    input.extend_from_slice(b"\n\r\n");
    let whole = Parser::new(limits).parse(&input);
    assert_eq!(whole, Err(ParseError::HeadTooLarge));
    let mut parser = Parser::new(limits);
    let bytewise = (1..=input.len())
        .map(|end| parser.parse(&input[..end]))
        .find(|r| !matches!(r, Ok(Progress::Partial)));
    assert_eq!(bytewise, Some(whole));
}

#[test]
fn chunk_framing_cannot_cost_far_more_than_the_body() {
    // 1-byte chunks with 1000-byte extensions: 1 KiB of body in ~1 MiB of
    // framing. Size lines get a budget (the head limit, or an eighth of the
    // body limit if larger), so this is refused long before it fills memory.
    let limits = Limits {
        body: 64 * 1024,
        head: 4096,
        ..Limits::default()
    };
    let mut input = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..1000 {
        input.extend(format!("1;x={}\r\nz\r\n", "e".repeat(1000)).bytes());
    }
    let mut parser = Parser::new(limits);
    assert_eq!(parser.parse(&input), Err(BodyTooLarge));
    // The same body in ordinary chunks is fine.
    let mut input = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..16 {
        input.extend(format!("400\r\n{}\r\n", "z".repeat(1024)).bytes());
    }
    input.extend(b"0\r\n\r\n");
    assert_eq!(
        Parser::new(limits).parse(&input),
        Ok(Progress::Complete { len: input.len() })
    );
}

#[test]
fn every_error_has_a_status_and_the_statuses_match_the_rfcs() {
    let statuses: Vec<(ParseError, u16)> = CASES
        .iter()
        .filter_map(|&(_, _, e)| match e {
            Fails(err) => Some((err, err.status())),
            Complete => None,
        })
        .collect();
    for (err, status) in statuses {
        let want = match err {
            UriTooLong => 414,
            HeadTooLarge | TooManyHeaders => 431,
            BodyTooLarge => 413,
            UnsupportedTransferCoding => 501,
            VersionNotSupported => 505,
            _ => 400,
        };
        assert_eq!(status, want, "{err:?}");
    }
}
