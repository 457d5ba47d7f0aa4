//! Properties of the parser, over generated requests:
//!
//! - a valid request parses to what was serialized (method, target, version,
//!   fields in order, body), whole or split into any chunks;
//! - any bytes at all, and any valid request with bytes changed, never
//!   panic, and get the same verdict whole as fed in pieces (and, when
//!   that is a request, the same request: whole, a line is parsed the
//!   quick way; cut, the long way).

use eventcore_http::{Limits, ParseError, Parser, Progress, Request, Version};
use proptest::prelude::*;

// ANCHOR: model
/// A request as the generator builds it, before serialization.
#[derive(Debug, Clone)]
struct Model {
    method: String,
    path: String,
    query: Option<String>,
    http10: bool,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Send the body chunked, in chunks of these sizes (then the rest).
    chunks: Option<Vec<usize>>,
}

impl Model {
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let version = if self.http10 { "HTTP/1.0" } else { "HTTP/1.1" };
        let query = self
            .query
            .as_ref()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        out.extend(format!("{} {}{} {}\r\n", self.method, self.path, query, version).bytes());
        for (name, value) in &self.headers {
            out.extend(format!("{name}: {value}\r\n").bytes());
        }
        match &self.chunks {
            None => out.extend(format!("Content-Length: {}\r\n\r\n", self.body.len()).bytes()),
            Some(sizes) => {
                out.extend(b"Transfer-Encoding: chunked\r\n\r\n");
                let mut rest = &self.body[..];
                for &size in sizes.iter().chain(std::iter::once(&usize::MAX)) {
                    let (chunk, tail) = rest.split_at(size.min(rest.len()));
                    if !chunk.is_empty() {
                        out.extend(format!("{:x};ext=1\r\n", chunk.len()).bytes());
                        out.extend(chunk);
                        out.extend(b"\r\n");
                    }
                    rest = tail;
                }
                out.extend(b"0\r\nX-Trailer: t\r\n\r\n");
            }
        }
        if self.chunks.is_none() {
            out.extend(&self.body);
        }
        out
    }
}
// ANCHOR_END: model

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

fn model() -> impl Strategy<Value = Model> {
    (
        prop_oneof![Just("GET".to_string()), Just("POST".to_string()), token()],
        "(/[a-zA-Z0-9._~-]{0,8}(%4[0-9a-f])?){1,4}",
        proptest::option::of("[a-zA-Z0-9=&]{0,16}(%2[0-9A-F])?"),
        any::<bool>(),
        proptest::collection::vec(
            (
                token().prop_filter("framing fields are generated separately", |n| {
                    let n = n.to_ascii_lowercase();
                    ![
                        "host",
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "expect",
                    ]
                    .contains(&n.as_str())
                }),
                "[ -~]{0,20}".prop_map(|v| v.trim_matches([' ', '\t']).to_string()),
            ),
            0..6,
        ),
        proptest::collection::vec(any::<u8>(), 0..300),
        proptest::option::of(proptest::collection::vec(1usize..64, 0..5)),
    )
        .prop_map(|(method, path, query, http10, mut headers, body, chunks)| {
            headers.insert(0, ("Host".to_string(), "example.com".to_string()));
            Model {
                method,
                path,
                query,
                http10,
                headers,
                body,
                // Chunked needs HTTP/1.1 (RFC 9112 section 6.1).
                chunks: chunks.filter(|_| !http10),
            }
        })
}

/// Everything a request says, for comparing two parses of it.
fn summary(r: Request<'_>) -> impl PartialEq + std::fmt::Debug {
    let fields: Vec<(Vec<u8>, Vec<u8>)> =
        r.headers().map(|(n, v)| (n.to_vec(), v.to_vec())).collect();
    (
        (
            r.method().as_bytes().to_vec(),
            r.target().to_vec(),
            r.path().to_vec(),
            r.query().map(<[u8]>::to_vec),
        ),
        (
            r.target_form(),
            r.authority().map(<[u8]>::to_vec),
            r.version(),
            fields,
        ),
        (
            r.body().to_vec(),
            r.content_length(),
            r.is_chunked(),
            r.keep_alive(),
            r.expects_continue(),
        ),
    )
}

/// Feeds `input` in pieces ending at `cuts` (sorted, deduplicated), then whole.
fn parse_in_pieces(
    parser: &mut Parser,
    input: &[u8],
    cuts: &[usize],
) -> Result<Progress, ParseError> {
    for &cut in cuts {
        if let Progress::Complete { len } = parser.parse(&input[..cut.min(input.len())])? {
            return Ok(Progress::Complete { len });
        }
    }
    parser.parse(input)
}

fn cut_points() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(0usize..2000, 0..20).prop_map(|mut v| {
        v.sort_unstable();
        v.dedup();
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    // ANCHOR: round_trip
    #[test]
    fn valid_requests_parse_to_their_model_in_any_pieces(m in model(), cuts in cut_points()) {
        let bytes = m.to_bytes();
        let mut parser = Parser::default();
        let progress = parse_in_pieces(&mut parser, &bytes, &cuts);
        prop_assert_eq!(progress, Ok(Progress::Complete { len: bytes.len() }));
        let request = parser.request(&bytes);
        prop_assert_eq!(request.method().as_bytes(), m.method.as_bytes());
        prop_assert_eq!(request.path(), m.path.as_bytes());
        prop_assert_eq!(request.query(), m.query.as_deref().map(str::as_bytes));
        prop_assert_eq!(request.version(), if m.http10 { Version::Http10 } else { Version::Http11 });
        let fields: Vec<(&[u8], &[u8])> = request.headers().take(m.headers.len()).collect();
        let expected: Vec<(&[u8], &[u8])> =
            m.headers.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())).collect();
        prop_assert_eq!(fields, expected);
        prop_assert_eq!(request.body(), &m.body[..]);
        prop_assert_eq!(request.is_chunked(), m.chunks.is_some());
    }
    // ANCHOR_END: round_trip

    // ANCHOR: no_panic
    #[test]
    fn any_bytes_get_the_same_verdict_whole_and_in_pieces(
        input in proptest::collection::vec(any::<u8>(), 0..600),
        cuts in cut_points(),
    ) {
        let whole = Parser::default().parse(&input);
        let pieces = parse_in_pieces(&mut Parser::default(), &input, &cuts);
        prop_assert_eq!(whole, pieces);
    }

    #[test]
    fn valid_requests_with_bytes_changed_never_panic(
        m in model(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cuts in cut_points(),
    ) {
        let mut bytes = m.to_bytes();
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        // Small limits too, so that edited requests reach them: whether a
        // limit or a rule is broken first must not depend on the cuts.
        let small = Limits { request_line: 48, head: 160, headers: 4, body: 64 };
        let whole = Parser::new(small).parse(&bytes);
        prop_assert_eq!(whole, parse_in_pieces(&mut Parser::new(small), &bytes, &cuts));
        let (mut one, mut cut) = (Parser::default(), Parser::default());
        let whole = one.parse(&bytes);
        let pieces = parse_in_pieces(&mut cut, &bytes, &cuts);
        prop_assert_eq!(whole, pieces);
        if let Ok(Progress::Complete { len }) = whole {
            prop_assert!(len <= bytes.len());
            // Whole, most lines take the quick way; in pieces, the long
            // way. Both must read the same request.
            prop_assert_eq!(summary(one.request(&bytes)), summary(cut.request(&bytes)));
        }
    }
    // ANCHOR_END: no_panic
}

#[test]
fn pipelined_requests_parse_one_after_another() {
    let input = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut parser = Parser::default();
    let mut rest = &input[..];
    let mut paths = Vec::new();
    while !rest.is_empty() {
        let Ok(Progress::Complete { len }) = parser.parse(rest) else {
            panic!("incomplete pipeline at {:?}", String::from_utf8_lossy(rest));
        };
        let request = parser.request(rest);
        paths.push((request.path().to_vec(), request.body().to_vec()));
        rest = &rest[len..];
        parser.reset();
    }
    assert_eq!(
        paths,
        [
            (b"/a".to_vec(), vec![]),
            (b"/b".to_vec(), b"hi".to_vec()),
            (b"/c".to_vec(), vec![])
        ]
    );
}

#[test]
fn keep_alive_follows_rfc_9112_section_9_3() {
    let cases: &[(&[u8], bool)] = &[
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n",
            false,
        ),
        (b"GET / HTTP/1.0\r\n\r\n", false),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        (
            b"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
            false,
        ),
        // An exact-string check (the seed's `connection == "close"`) misses these:
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n",
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: te, close\r\n\r\n",
            false,
        ),
    ];
    for &(input, keep_alive) in cases {
        let mut parser = Parser::default();
        assert_eq!(
            parser.parse(input),
            Ok(Progress::Complete { len: input.len() })
        );
        assert_eq!(
            parser.request(input).keep_alive(),
            keep_alive,
            "{}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn expect_continue_is_visible_before_the_body_arrives() {
    let head = b"PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    let mut parser = Parser::default();
    assert_eq!(parser.parse(head), Ok(Progress::Partial));
    assert!(parser.expects_continue(), "time to send 100 Continue");
    let mut full = head.to_vec();
    full.extend(b"abc");
    assert_eq!(
        parser.parse(&full),
        Ok(Progress::Complete { len: full.len() })
    );
    assert!(!parser.expects_continue(), "the body is here");
    assert!(parser.request(&full).expects_continue());

    // A list with other members still asks for 100 Continue.
    let listed =
        b"PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, x-other\r\nContent-Length: 3\r\n\r\n";
    let mut parser = Parser::default();
    assert_eq!(parser.parse(listed), Ok(Progress::Partial));
    assert!(parser.expects_continue());

    // RFC 9110 section 10.1.1: ignored in HTTP/1.0.
    let old = b"PUT /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    let mut parser = Parser::default();
    assert_eq!(parser.parse(old), Ok(Progress::Partial));
    assert!(!parser.expects_continue());
}

#[test]
fn targets_split_into_path_and_query() {
    let input = b"GET http://example.com:8080?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n";
    let mut parser = Parser::default();
    assert!(matches!(parser.parse(input), Ok(Progress::Complete { .. })));
    let request = parser.request(input);
    assert_eq!(request.target_form(), eventcore_http::TargetForm::Absolute);
    assert_eq!(
        request.path(),
        b"/",
        "an absolute target without a path means /"
    );
    assert_eq!(request.query(), Some(&b"x=1"[..]));
    assert_eq!(request.header("HOST"), Some(&b"example.com:8080"[..]));
}
