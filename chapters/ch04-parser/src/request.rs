//! A parsed request, as a view into the bytes it was parsed from.
//!
//! The parser records *where* things are (a [`Span`] per method, target and
//! field), not copies of them. [`Request`] pairs those spans with the input
//! bytes, so every accessor returns a slice of the connection's buffer: a
//! request head costs no allocation.

use crate::chars::list_elements;

/// A range of the input: `start..end`, relative to the first byte of the request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Span {
        // The parser's limits keep every offset far below 4 GiB.
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn of<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        &input[self.start as usize..self.end as usize]
    }
}

// ANCHOR: method
/// The request method (RFC 9110 section 9). The registered ones are
/// variants; any other token is kept as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method<'a> {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Connect,
    Options,
    Trace,
    Patch,
    Other(&'a [u8]),
}

impl<'a> Method<'a> {
    /// Methods are case-sensitive (RFC 9110 section 9.1): `get` is not `GET`.
    pub fn from_bytes(token: &'a [u8]) -> Method<'a> {
        Method::registered(token).unwrap_or(Method::Other(token))
    }

    /// The registered method `token` names, if any: what the parser keeps,
    /// so that the bytes are compared once per request, not once per look.
    pub fn registered(token: &[u8]) -> Option<Method<'static>> {
        Some(match token {
            b"GET" => Method::Get,
            b"HEAD" => Method::Head,
            b"POST" => Method::Post,
            b"PUT" => Method::Put,
            b"DELETE" => Method::Delete,
            b"CONNECT" => Method::Connect,
            b"OPTIONS" => Method::Options,
            b"TRACE" => Method::Trace,
            b"PATCH" => Method::Patch,
            _ => return None,
        })
    }

    pub fn as_bytes(&self) -> &'a [u8] {
        match self {
            Method::Get => b"GET",
            Method::Head => b"HEAD",
            Method::Post => b"POST",
            Method::Put => b"PUT",
            Method::Delete => b"DELETE",
            Method::Connect => b"CONNECT",
            Method::Options => b"OPTIONS",
            Method::Trace => b"TRACE",
            Method::Patch => b"PATCH",
            Method::Other(token) => token,
        }
    }
}
// ANCHOR_END: method

/// The protocol version of a request. `HTTP/1.2` and up are read as 1.1,
/// the highest 1.x we implement (RFC 9110 section 6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
}

/// Which of the four forms the request-target took (RFC 9112 section 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetForm {
    /// `/path?query`: the usual form.
    Origin,
    /// `http://host/path?query`: what a client sends to a proxy; servers must accept it too.
    Absolute,
    /// `host:port`, for CONNECT only.
    Authority,
    /// `*`, for a server-wide OPTIONS only.
    Asterisk,
}

/// One field line: the spans of its name and of its value, trimmed of OWS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Header {
    pub name: Span,
    pub value: Span,
}

/// Everything the parser learned about one request, as spans and flags.
/// Plain data; [`Request`] is the convenient view.
#[derive(Debug, Clone, Default)]
pub struct Head {
    pub method: Span,
    /// The method, if it is a registered one (`None`: see `method`).
    pub registered_method: Option<Method<'static>>,
    pub target: Span,
    pub form: Option<TargetForm>,
    /// Path and query inside the target. The path of `http://host` (no
    /// slash) is empty here and `/` to a reader of [`Request::path`].
    pub path: Span,
    pub query: Option<Span>,
    /// Absolute-form: the authority (`host:port`) inside the target.
    pub authority: Option<Span>,
    pub version: Option<Version>,
    pub headers: Vec<Header>,
    /// From Content-Length, or the sum of the chunks of a chunked body.
    pub content_length: Option<u64>,
    pub chunked: bool,
    pub keep_alive: bool,
    pub expect_continue: bool,
    /// Where a Content-Length body sits in the input.
    pub body: Span,
}

// ANCHOR: request
/// A complete request, borrowing the input it was parsed from (and, for a
/// chunked body, the parser's decoded body).
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) head: &'a Head,
    pub(crate) body: &'a [u8],
}

impl<'a> Request<'a> {
    pub fn method(&self) -> Method<'a> {
        (self.head.registered_method)
            .unwrap_or_else(|| Method::Other(self.head.method.of(self.input)))
    }

    /// The request-target exactly as sent.
    pub fn target(&self) -> &'a [u8] {
        self.head.target.of(self.input)
    }

    pub fn target_form(&self) -> TargetForm {
        self.head.form.unwrap_or(TargetForm::Origin)
    }

    /// The path: for `/a/b?x=1` it is `/a/b`; for `*` it is `*`; for
    /// `http://host` without a path it is `/` (RFC 9112 section 3.2.2); for
    /// CONNECT's `host:port` it is empty.
    pub fn path(&self) -> &'a [u8] {
        let path = self.head.path.of(self.input);
        if path.is_empty() && self.head.form == Some(TargetForm::Absolute) {
            b"/"
        } else {
            path
        }
    }

    /// The authority of an absolute-form target (`http://host:port/...`)
    /// or a CONNECT target. With absolute-form it takes precedence over the
    /// Host field (RFC 9112 section 3.2.2).
    pub fn authority(&self) -> Option<&'a [u8]> {
        self.head.authority.map(|span| span.of(self.input))
    }

    /// The query, without the `?`, if the target had one.
    pub fn query(&self) -> Option<&'a [u8]> {
        self.head.query.map(|span| span.of(self.input))
    }

    pub fn version(&self) -> Version {
        self.head.version.unwrap_or(Version::Http11)
    }

    /// The fields, in the order they arrived.
    pub fn headers(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'a {
        let input = self.input;
        self.head
            .headers
            .iter()
            .map(move |h| (h.name.of(input), h.value.of(input)))
    }

    /// The value of the first field named `name`, compared case-insensitively
    /// (field names are case-insensitive, RFC 9110 section 5.1).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers_named(name).next()
    }

    /// Every value of the fields named `name`, in order.
    pub fn headers_named<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + 'n
    where
        'a: 'n,
    {
        self.headers()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// True if any field named `name` lists `token` (case-insensitive),
    /// as `Connection: keep-alive, Upgrade` lists `upgrade`.
    pub fn header_has_token(&self, name: &str, token: &str) -> bool {
        self.headers_named(name)
            .any(|v| list_elements(v).any(|e| e.eq_ignore_ascii_case(token.as_bytes())))
    }

    /// The body: the bytes after the head for Content-Length, the decoded
    /// chunks for chunked. Empty when there is none.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    pub fn content_length(&self) -> Option<u64> {
        self.head.content_length
    }

    pub fn is_chunked(&self) -> bool {
        self.head.chunked
    }

    /// Whether the connection may carry another request after this one (RFC 9112 section 9.3).
    pub fn keep_alive(&self) -> bool {
        self.head.keep_alive
    }

    /// `Expect: 100-continue` (RFC 9110 section 10.1.1): the client waits
    /// for a `100 Continue` before it sends the body.
    pub fn expects_continue(&self) -> bool {
        self.head.expect_continue
    }
}
// ANCHOR_END: request
