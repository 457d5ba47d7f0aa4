//! Responses, and writing them straight into a connection's output Buffer.
//!
//! The seed builds each response in a `std::stringstream` and then copies
//! the string into the write buffer. Here the status line and the fields
//! are formatted directly into the output [`Buffer`], a small body is
//! appended after them, and a large body is left where it is, for a
//! gathered write (`Buffer::send_with`) that sends head and body in one
//! syscall without copying the body.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use eventcore_buffer::Buffer;

use crate::chars::{is_field_value_byte, is_token};

/// Bodies up to this size are copied into the output buffer; larger ones
/// are sent from where they are.
pub const INLINE_BODY_MAX: usize = 16 * 1024;

// ANCHOR: body
/// A response body. Static bytes cost nothing to hand out; `Shared` lets
/// many responses send one large body (a cached file) without copies;
/// `File` is a part of an open file (the final server's static files). The
/// connection treats it as any body: a small one is copied behind its
/// head, with one `pread`; a large one never enters memory, the kernel
/// sends it from the page cache with `sendfile(2)`.
#[derive(Debug, Clone, Default)]
pub enum Body {
    #[default]
    Empty,
    Static(&'static [u8]),
    Bytes(Vec<u8>),
    Shared(Arc<[u8]>),
    File(FileBody),
}

/// `len` bytes of `file` from `offset` on. Whoever builds it has checked
/// that the file had them (`fstat`). The head announces `len`: if the file
/// grows, no more is sent; if it shrinks first, the connection sends what
/// there is (or, for a small file, the head alone) and closes.
#[derive(Debug, Clone)]
pub struct FileBody {
    pub file: Arc<File>,
    pub offset: u64,
    pub len: u64,
}
// ANCHOR_END: body

impl Body {
    /// The bytes of a body in memory; empty for a `File`, whose bytes are
    /// on disk ([`len`](Body::len) counts them).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Body::Empty | Body::File(_) => &[],
            Body::Static(b) => b,
            Body::Bytes(b) => b,
            Body::Shared(b) => b,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            // A length that fits no usize is no file one could open here.
            Body::File(file) => usize::try_from(file.len).unwrap_or(usize::MAX),
            _ => self.as_bytes().len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Body {
        Body::Static(s.as_bytes())
    }
}

impl From<&'static [u8]> for Body {
    fn from(b: &'static [u8]) -> Body {
        Body::Static(b)
    }
}

impl From<String> for Body {
    fn from(s: String) -> Body {
        Body::Bytes(s.into_bytes())
    }
}

impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Body {
        Body::Bytes(b)
    }
}

impl From<Arc<[u8]>> for Body {
    fn from(b: Arc<[u8]>) -> Body {
        Body::Shared(b)
    }
}

/// A header that would break the response: a name that is not a token, or
/// a value with CR, LF, NUL or another control character (the raw material
/// of response splitting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidHeader;

impl fmt::Display for InvalidHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid header name or value")
    }
}

impl std::error::Error for InvalidHeader {}

// ANCHOR: response
/// What a handler returns.
///
/// A handler can't set the Content-Type (or any field) without the check
/// that keeps CR and LF out; this does not compile:
///
/// ```compile_fail
/// let mut response = eventcore_http::Response::text("hi");
/// response.content_type = Some("text/html\r\nSet-Cookie: a=b".into());
/// ```
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Usually a constant (`text/plain; charset=utf-8`); owned when it
    /// comes from elsewhere, such as the request an echo answers. Private,
    /// like `headers`: a value with CR or LF would split the response in
    /// two, so the only way in is a constructor or the checked
    /// [`try_content_type`](Response::try_content_type).
    content_type: Option<Cow<'static, str>>,
    /// Extra fields. The framing and connection fields (Content-Length,
    /// Transfer-Encoding, Connection, Keep-Alive) and Date and Content-Type
    /// are the writer's; `try_header` refuses them.
    headers: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    pub body: Body,
    /// Close the connection after this response.
    pub close: bool,
}
// ANCHOR_END: response

impl Response {
    pub fn new(status: u16) -> Response {
        Response {
            status,
            content_type: None,
            headers: Vec::new(),
            body: Body::Empty,
            close: false,
        }
    }

    fn with_body(status: u16, content_type: &'static str, body: Body) -> Response {
        Response {
            content_type: Some(Cow::Borrowed(content_type)),
            body,
            ..Response::new(status)
        }
    }

    /// `200 OK`, `text/plain; charset=utf-8`.
    pub fn text(body: impl Into<Body>) -> Response {
        Response::with_body(200, "text/plain; charset=utf-8", body.into())
    }

    /// `200 OK`, `text/html; charset=utf-8`.
    pub fn html(body: impl Into<Body>) -> Response {
        Response::with_body(200, "text/html; charset=utf-8", body.into())
    }

    /// `200 OK`, `application/json`. The body must already be JSON.
    pub fn json(body: impl Into<Body>) -> Response {
        Response::with_body(200, "application/json", body.into())
    }

    /// The default error page for `status`: a short plain-text body naming
    /// it. Whether the connection closes is the caller's decision (after a
    /// parse error it must: [`Context::close`]).
    pub fn error(status: u16) -> Response {
        Response::with_body(
            status,
            "text/plain; charset=utf-8",
            Body::Static(error_page(status)),
        )
    }

    /// Replaces the body with a shared one (a cached file, say); the content type is unchanged.
    pub fn with_body_shared(mut self, body: Arc<[u8]>) -> Response {
        self.body = Body::Shared(body);
        self
    }

    /// Replaces the body with (a part of) a file; the content type is unchanged.
    pub fn with_file(mut self, file: FileBody) -> Response {
        self.body = Body::File(file);
        self
    }

    /// Sets the Content-Type, under the same rule as
    /// [`try_header`](Response::try_header) for its value.
    pub fn try_content_type(
        mut self,
        value: impl Into<Cow<'static, str>>,
    ) -> Result<Response, InvalidHeader> {
        let value = value.into();
        if value.is_empty() || !value.bytes().all(is_field_value_byte) {
            return Err(InvalidHeader);
        }
        self.content_type = Some(value);
        Ok(self)
    }

    pub fn with_status(mut self, status: u16) -> Response {
        self.status = status;
        self
    }

    /// Adds a field. Names must be tokens and values free of control
    /// characters, or the response could be split in two by a value like
    /// `x\r\nSet-Cookie: ...`. The fields the writer sets itself
    /// (Content-Length, Transfer-Encoding, Connection, Keep-Alive, Date,
    /// Content-Type; use `try_content_type` for the last) are refused.
    pub fn try_header(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Result<Response, InvalidHeader> {
        let (name, value) = (name.into(), value.into());
        if !is_token(name.as_bytes()) || !value.bytes().all(is_field_value_byte) {
            return Err(InvalidHeader);
        }
        // The writer owns the framing and these fields: a second
        // Content-Length or a Transfer-Encoding from a handler would make
        // the response mean different things to different readers.
        const OWNED: [&str; 6] = [
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "date",
            "content-type",
        ];
        if OWNED.iter().any(|owned| name.eq_ignore_ascii_case(owned)) {
            return Err(InvalidHeader);
        }
        self.headers.push((name, value));
        Ok(self)
    }

    /// [`try_header`](Response::try_header) for values the program itself
    /// wrote, not a client.
    ///
    /// # Panics
    /// If the name or value is invalid.
    pub fn with_header(
        self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Response {
        self.try_header(name, value)
            .expect("invalid header name or value")
    }

    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_ref(), v.as_ref()))
    }
}

// ANCHOR: reason
/// The reason phrase for a status code (RFC 9110 section 15). Clients
/// ignore it; people reading traces don't.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        417 => "Expectation Failed",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}
// ANCHOR_END: reason

/// The body of a default error page: `"404 Not Found\n"`.
fn error_page(status: u16) -> &'static [u8] {
    macro_rules! pages {
        ($($code:literal $text:literal),*) => {
            match status { $($code => concat!($code, " ", $text, "\n").as_bytes(),)* _ => b"error\n" }
        };
    }
    pages!(400 "Bad Request", 401 "Unauthorized", 403 "Forbidden", 404 "Not Found",
        405 "Method Not Allowed", 408 "Request Timeout", 411 "Length Required",
        413 "Content Too Large", 414 "URI Too Long", 417 "Expectation Failed",
        431 "Request Header Fields Too Large", 500 "Internal Server Error",
        501 "Not Implemented", 503 "Service Unavailable", 505 "HTTP Version Not Supported")
}

// ANCHOR: date
/// The `Date` field's value (RFC 9110 section 5.6.7, IMF-fixdate), formatted
/// at most once per second. Every response carries it, and formatting a
/// date costs more than the rest of a small response head.
///
/// It is kept inside the start of a `200` head, `HTTP/1.1 200 OK`, `Date`
/// and the name of `Content-Length`, which nearly every response begins
/// with: one fixed-size copy of 70 bytes instead of six appends, each
/// with its capacity check (measured in the book's chapter on the hot path).
#[derive(Debug, Clone)]
pub struct DateCache {
    second: u64,
    ok_head: [u8; OK_HEAD_LEN],
}

const OK_HEAD_START: &[u8] = b"HTTP/1.1 200 OK\r\nDate: ";
const DATE_LEN: usize = 29;
const OK_HEAD_END: &[u8] = b"\r\nContent-Length: ";
const OK_HEAD_LEN: usize = OK_HEAD_START.len() + DATE_LEN + OK_HEAD_END.len();
const DATE_AT: usize = OK_HEAD_START.len();

impl Default for DateCache {
    fn default() -> DateCache {
        let mut ok_head = [b' '; OK_HEAD_LEN];
        ok_head[..DATE_AT].copy_from_slice(OK_HEAD_START);
        ok_head[DATE_AT + DATE_LEN..].copy_from_slice(OK_HEAD_END);
        let mut cache = DateCache {
            second: u64::MAX,
            ok_head,
        };
        cache.update(SystemTime::now());
        cache
    }
}

impl DateCache {
    /// Reformats if `now` is in a different second than the cached value.
    pub fn update(&mut self, now: SystemTime) {
        let second = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if second != self.second {
            self.second = second;
            self.ok_head[DATE_AT..DATE_AT + DATE_LEN].copy_from_slice(&imf_fixdate(second));
        }
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    pub fn as_bytes(&self) -> &[u8] {
        &self.ok_head[DATE_AT..DATE_AT + DATE_LEN]
    }

    /// `HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: `
    pub fn ok_head(&self) -> &[u8; OK_HEAD_LEN] {
        &self.ok_head
    }
}
// ANCHOR_END: date

/// Formats seconds since the epoch as IMF-fixdate.
fn imf_fixdate(secs: u64) -> [u8; DATE_LEN] {
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let days = secs / 86_400;
    let (year, month, day) = civil_from_days(days);
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, rem / 60 % 60, rem % 60);
    let mut out = [0u8; DATE_LEN];
    out[..3].copy_from_slice(DAYS[(days % 7) as usize]);
    out[3..5].copy_from_slice(b", ");
    two_digits(&mut out[5..7], day);
    out[7] = b' ';
    out[8..11].copy_from_slice(MONTHS[(month - 1) as usize]);
    out[11] = b' ';
    let y = year.min(9999);
    two_digits(&mut out[12..14], y / 100);
    two_digits(&mut out[14..16], y % 100);
    out[16] = b' ';
    two_digits(&mut out[17..19], h);
    out[19] = b':';
    two_digits(&mut out[20..22], m);
    out[22] = b':';
    two_digits(&mut out[23..25], s);
    out[25..].copy_from_slice(b" GMT");
    out
}

fn two_digits(out: &mut [u8], n: u64) {
    out[0] = b'0' + (n / 10 % 10) as u8;
    out[1] = b'0' + (n % 10) as u8;
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), in the proleptic
/// Gregorian calendar. The algorithm counts in 400-year eras starting in
/// March, so the leap day is the last day of its year. Public for the
/// final server's log lines, which need dates too.
pub fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let doe = z - era * 146_097; // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // year of era
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year, from March 1
    let mp = (5 * doy + 2) / 153; // month, March = 0
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// How the response relates to its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Context {
    /// The request was HEAD: send the fields of the response, not its body
    /// (RFC 9110 section 9.3.2).
    pub head_request: bool,
    /// Close after this response: sends `Connection: close`.
    pub close: bool,
    /// An HTTP/1.0 client asked for keep-alive and gets it: sends
    /// `Connection: keep-alive`, which 1.0 needs to keep the connection open.
    pub http10_keep_alive: bool,
}

/// RFC 9110 section 8.6: no Content-Length in a 1xx or 204 response;
/// section 6.4.1: those and 304 have no body.
fn bodyless(status: u16) -> bool {
    matches!(status, 100..=199 | 204 | 304)
}

impl Response {
    /// The status that goes on the wire. A status-line needs three digits
    /// (RFC 9112 section 4); anything else from a handler is a bug,
    /// answered as one (500).
    pub fn wire_status(&self) -> u16 {
        if (100..=599).contains(&self.status) {
            self.status
        } else {
            500
        }
    }

    /// The body bytes that go on the wire in `context`: none for HEAD and
    /// for the statuses without a body. What an access log counts.
    pub fn wire_body_len(&self, context: Context) -> usize {
        if context.head_request || bodyless(self.wire_status()) {
            0
        } else {
            self.body.len()
        }
    }
}

// ANCHOR: write_response
/// Serializes `response` into `out` and returns the part of the body that
/// was *not* copied there (empty for small bodies, the whole body for
/// large ones), to be sent after `out`'s content with `Buffer::send_with`.
/// A [`Body::File`] is never copied and has no bytes in memory to return:
/// all [`Response::wire_body_len`] of it follows the head, from the file.
pub fn write_response<'r>(
    out: &mut Buffer,
    response: &'r Response,
    context: Context,
    date: &DateCache,
) -> &'r [u8] {
    let status = response.wire_status();
    let bodyless_status = bodyless(status);
    let body = if bodyless_status {
        &[][..]
    } else {
        response.body.as_bytes()
    };
    // A 304 describes a representation the client already has (RFC 9110
    // section 15.4.5): no Content-Type of its own.
    let content_type = response.content_type.as_deref().filter(|_| status != 304);
    let sent = if context.head_request { &[][..] } else { body };
    let (copied, rest) = if sent.len() <= INLINE_BODY_MAX {
        (sent, &[][..])
    } else {
        (&[][..], sent)
    };
    // One capacity check for the whole head (and a small body), with room
    // for every piece below, instead of one per piece.
    let room = HEAD_ROOM
        + content_type.map_or(0, str::len)
        + (response.headers.iter())
            .map(|(name, value)| name.len() + value.len() + 4)
            .sum::<usize>()
        + copied.len();
    out.ensure_writable(room);
    let mut head = Cursor {
        out: out.writable_slice(),
        at: 0,
    };
    // Every piece is copied as bytes: `write!` would go through
    // `core::fmt`, which cost 660 of a pipelined request's 3,533 user-space
    // instructions (measured in the book's chapter on the hot path).
    if status == 200 {
        head.put(date.ok_head());
    } else {
        head.put(b"HTTP/1.1 ");
        head.put(&three_digits(status));
        head.put(b" ");
        head.put(reason(status).as_bytes());
        head.put(b"\r\nDate: ");
        head.put(date.as_bytes());
        // (A 304 may repeat the 200's length, but only if it knows it: we don't.)
        if !bodyless_status {
            head.put(b"\r\nContent-Length: ");
        }
    }
    if !bodyless_status {
        let mut digits = [0; 20];
        // The body's length, not `body`'s: a file's bytes are not in memory.
        head.put(decimal(response.body.len() as u64, &mut digits));
    }
    if let Some(content_type) = content_type {
        head.put(b"\r\nContent-Type: ");
        head.put(content_type.as_bytes());
    }
    for (name, value) in &response.headers {
        head.put(b"\r\n");
        head.put(name.as_bytes());
        head.put(b": ");
        head.put(value.as_bytes());
    }
    if context.close || response.close {
        head.put(b"\r\nConnection: close");
    } else if context.http10_keep_alive {
        head.put(b"\r\nConnection: keep-alive");
    }
    head.put(b"\r\n\r\n");
    head.put(copied);
    let written = head.at;
    out.commit(written);
    rest
}

/// Room for the fixed pieces of a head: the longest status line with the
/// date and the `Content-Length` (reason phrases are under 40 bytes, a
/// length under 20 digits), `Connection: keep-alive`, the blank line.
const HEAD_ROOM: usize = 128 + "\r\nContent-Type: ".len() + "\r\nConnection: keep-alive".len() + 4;

/// Copies pieces into the room `write_response` made: a slice index each,
/// no capacity check.
struct Cursor<'b> {
    out: &'b mut [u8],
    at: usize,
}

impl Cursor<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.out[self.at..self.at + bytes.len()].copy_from_slice(bytes);
        self.at += bytes.len();
    }
}
// ANCHOR_END: write_response

// ANCHOR: decimal
/// A status code, `100..=599` by [`Response::wire_status`], as its three digits.
fn three_digits(status: u16) -> [u8; 3] {
    let d = |n: u16| b'0' + (n % 10) as u8;
    [d(status / 100), d(status / 10), d(status)]
}

/// `n` in decimal, written at the end of `digits`: the slice it returns.
/// Public for the final server's access log, which writes numbers on every
/// line too.
pub fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &digits[at..];
        }
    }
}
// ANCHOR_END: decimal

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn date_at(secs: u64) -> String {
        String::from_utf8(imf_fixdate(secs).to_vec()).unwrap()
    }

    #[test]
    fn dates_are_imf_fixdate() {
        // RFC 9110 section 5.6.7's own example.
        assert_eq!(date_at(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(date_at(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(date_at(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(date_at(1_798_761_599), "Thu, 31 Dec 2026 23:59:59 GMT");
    }

    #[test]
    fn every_day_from_1970_to_2400_follows_the_one_before() {
        let mut last = (1969, 12, 31);
        for days in 0..(430 * 366) {
            let date = civil_from_days(days);
            let (y, m, d) = last;
            let next_day = (y, m, d + 1);
            let next_month = (y, m + 1, 1);
            let next_year = (y + 1, 1, 1);
            assert!(
                date == next_day
                    || (date == next_month && d >= 28)
                    || (date == next_year && m == 12 && d == 31),
                "{days}: {date:?} after {last:?}"
            );
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            if date == next_month || date == next_year {
                let days_in = [
                    31,
                    if leap { 29 } else { 28 },
                    31,
                    30,
                    31,
                    30,
                    31,
                    31,
                    30,
                    31,
                    30,
                    31,
                ];
                assert_eq!(
                    d,
                    days_in[(m - 1) as usize],
                    "{last:?} is not the month's last day"
                );
            }
            last = date;
        }
    }

    #[test]
    fn the_date_cache_reformats_once_per_second() {
        let mut cache = DateCache::default();
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        cache.update(t);
        assert_eq!(cache.as_bytes(), b"Sun, 06 Nov 1994 08:49:37 GMT");
        cache.update(t + Duration::from_millis(999));
        assert_eq!(cache.as_bytes(), b"Sun, 06 Nov 1994 08:49:37 GMT");
        cache.update(t + Duration::from_secs(1));
        assert_eq!(cache.as_bytes(), b"Sun, 06 Nov 1994 08:49:38 GMT");
    }

    fn written(response: &Response, context: Context) -> (String, usize) {
        let mut out = Buffer::new();
        let mut date = DateCache::default();
        date.update(UNIX_EPOCH + Duration::from_secs(784_111_777));
        let rest = write_response(&mut out, response, context, &date).len();
        (String::from_utf8(out.take_all()).unwrap(), rest)
    }

    #[test]
    fn a_text_response_has_date_length_and_type() {
        let (text, rest) = written(&Response::text("Hello, World!"), Context::default());
        assert_eq!(
            text,
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 13\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nHello, World!"
        );
        assert_eq!(rest, 0);
    }

    #[test]
    fn the_head_is_what_format_would_write_for_every_status_and_length() {
        // The writer appends bytes by hand; `format!` is the reference.
        for status in 100..=599 {
            for len in [
                0,
                1,
                9,
                10,
                99,
                100,
                12_345,
                INLINE_BODY_MAX,
                INLINE_BODY_MAX + 1,
            ] {
                let response = Response {
                    status,
                    body: Body::Bytes(vec![b'x'; len]),
                    ..Response::new(status)
                }
                .with_header("X-A", "1");
                // The longest head each status can have, too: the writer
                // makes room once, and a piece past it would panic.
                let context = Context {
                    http10_keep_alive: true,
                    ..Context::default()
                };
                let (text, _) = written(&response, context);
                let mut expected = format!(
                    "HTTP/1.1 {status} {}\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT",
                    reason(status)
                );
                if !bodyless(status) {
                    expected += &format!("\r\nContent-Length: {len}");
                }
                expected += "\r\nX-A: 1\r\nConnection: keep-alive\r\n\r\n";
                assert!(text.starts_with(&expected), "{status} {len}: {text:.120}");
                let typed = response.try_content_type("x".repeat(300)).unwrap();
                let (text, _) = written(&typed, Context::default());
                assert_eq!(
                    text.contains(&"x".repeat(300)),
                    status != 304,
                    "{status} {len}"
                );
            }
        }
        let mut digits = [0; 20];
        assert_eq!(decimal(u64::MAX, &mut digits), b"18446744073709551615");
        assert_eq!(decimal(0, &mut digits), b"0");
    }

    #[test]
    fn head_gets_the_fields_without_the_body() {
        let context = Context {
            head_request: true,
            ..Context::default()
        };
        let (text, rest) = written(&Response::text("Hello"), context);
        assert!(text.contains("Content-Length: 5\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
        assert_eq!(rest, 0);
    }

    #[test]
    fn the_wire_body_length_is_what_the_writer_sends() {
        let head = Context {
            head_request: true,
            ..Context::default()
        };
        let ok = Response::text("Hello");
        let mut not_modified = Response::text("Hello");
        not_modified.status = 304;
        let mut bogus = Response::text("Hello");
        bogus.status = 42;
        for (response, context, body) in [
            (&ok, Context::default(), 5),
            (&ok, head, 0),
            (&not_modified, Context::default(), 0),
            (&bogus, Context::default(), 5),
        ] {
            assert_eq!(response.wire_body_len(context), body);
            let (text, rest) = written(response, context);
            let sent = text.len() - text.find("\r\n\r\n").unwrap() - 4 + rest;
            assert_eq!(sent, body, "{text}");
            assert!(text.starts_with(&format!("HTTP/1.1 {} ", response.wire_status())));
        }
        assert_eq!(bogus.wire_status(), 500);
    }

    #[test]
    fn closing_and_http10_keep_alive_are_announced() {
        let close = Context {
            close: true,
            ..Context::default()
        };
        assert!(
            written(&Response::text("x"), close)
                .0
                .contains("\r\nConnection: close\r\n")
        );
        let ka = Context {
            http10_keep_alive: true,
            ..Context::default()
        };
        assert!(
            written(&Response::text("x"), ka)
                .0
                .contains("\r\nConnection: keep-alive\r\n")
        );
        let (page, _) = written(&Response::error(404), Context::default());
        assert!(page.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(page.ends_with("\r\n\r\n404 Not Found\n"));
        assert!(!page.contains("Connection"));
    }

    #[test]
    fn no_content_and_continue_have_no_length_and_no_body() {
        let (text, _) = written(
            &Response::text("ignored").with_status(204),
            Context::default(),
        );
        assert!(!text.contains("Content-Length"));
        assert!(text.ends_with("GMT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"));
    }

    #[test]
    fn an_impossible_status_is_answered_as_500() {
        let (text, _) = written(&Response::text("x").with_status(1000), Context::default());
        assert!(text.starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
    }

    #[test]
    fn a_file_body_is_announced_and_left_to_the_connection() {
        let file = File::open("Cargo.toml").unwrap();
        let response = Response::new(200).with_file(FileBody {
            file: Arc::new(file),
            offset: 3,
            len: 40,
        });
        let (text, rest) = written(&response, Context::default());
        assert!(text.ends_with("\r\nContent-Length: 40\r\n\r\n"), "{text}");
        assert_eq!(rest, 0, "no bytes of a file are in memory");
        assert_eq!(response.wire_body_len(Context::default()), 40);
        let head = Context {
            head_request: true,
            ..Context::default()
        };
        assert_eq!(response.wire_body_len(head), 0);
        assert!(
            written(&response, head)
                .0
                .contains("Content-Length: 40\r\n")
        );
    }

    #[test]
    fn large_bodies_are_left_for_a_gathered_write() {
        let big: Arc<[u8]> = vec![b'x'; INLINE_BODY_MAX + 1].into();
        let (text, rest) = written(
            &Response::new(200).with_body_shared(big),
            Context::default(),
        );
        assert!(text.ends_with("\r\n\r\n"));
        assert!(text.contains(&format!("Content-Length: {}", INLINE_BODY_MAX + 1)));
        assert_eq!(rest, INLINE_BODY_MAX + 1);
    }

    #[test]
    fn headers_that_could_split_a_response_are_refused() {
        assert!(Response::new(200).try_header("X-Ok", "fine").is_ok());
        assert_eq!(
            Response::new(200)
                .try_header("X-Bad", "a\r\nSet-Cookie: b")
                .unwrap_err(),
            InvalidHeader
        );
        assert!(Response::new(200).try_header("Bad Name", "x").is_err());
        for owned in [
            "Content-Length",
            "transfer-encoding",
            "Connection",
            "Date",
            "Content-Type",
        ] {
            assert!(
                Response::new(200).try_header(owned, "1").is_err(),
                "{owned}"
            );
        }
        let (text, _) = written(
            &Response::new(200).with_header("X-A", "1"),
            Context::default(),
        );
        assert!(text.contains("\r\nX-A: 1\r\n"));
    }

    #[test]
    fn a_content_type_from_elsewhere_is_checked_like_a_header() {
        let ok = Response::text("x")
            .try_content_type(String::from("application/x-thing"))
            .unwrap();
        let (text, _) = written(&ok, Context::default());
        assert!(text.contains("\r\nContent-Type: application/x-thing\r\n"));
        assert!(Response::text("x").try_content_type("a\r\nX: y").is_err());
        assert!(Response::text("x").try_content_type("").is_err());
    }
}
