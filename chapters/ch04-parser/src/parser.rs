//! The incremental request parser: a state machine over the bytes of a
//! connection's input buffer.
//!
//! The caller hands it the buffer's readable bytes after every read. The
//! parser remembers how far it got (`pos`) and where its search for the
//! next line end stopped (`scan`), so bytes it has accepted are never looked
//! at again, however many reads a request takes. It does not consume from
//! the buffer: the request it returns points into those bytes, and the
//! caller retrieves the request's length once it is done with it.

use eventcore_buffer::search::find_byte;

use crate::chars::{
    Port, TARGET, TCHAR, authority_port, is_field_name, is_field_value_byte, is_ows,
    is_target_byte, is_tchar, is_token, list_elements, percent_escapes_valid, trim_ows,
    valid_authority,
};
use crate::error::ParseError;
use crate::request::{Head, Header, Method, Request, Span, TargetForm, Version};
use crate::scan;

// ANCHOR: limits
/// Size limits. Each one turns an attacker's "send more" into an early,
/// specific error instead of unbounded memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest request-line; longer gets 414. RFC 9112 section 3 recommends
    /// supporting at least 8000 octets.
    pub request_line: usize,
    /// Largest head (request-line, fields and the empty line), and largest
    /// trailer section; larger gets 431.
    pub head: usize,
    /// Most field lines; more gets 431.
    pub headers: usize,
    /// Largest body, by Content-Length or by the sum of the chunks; larger gets 413.
    pub body: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            request_line: 8 * 1024,
            head: 32 * 1024,
            headers: 100,
            body: 1024 * 1024,
        }
    }
}
// ANCHOR_END: limits

/// How far a call to [`Parser::parse`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// More bytes are needed. Call again with the same bytes and whatever arrived after them.
    Partial,
    /// A whole request: its first `len` bytes of the input. Read it with
    /// [`Parser::request`], then consume `len` bytes and [`Parser::reset`].
    Complete { len: usize },
}

// ANCHOR: state
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting the request-line; empty lines before it are skipped (RFC 9112 section 2.2).
    Start,
    HeaderLine,
    /// A Content-Length body: waiting until this many bytes are there.
    Body {
        end: usize,
    },
    /// Chunked body (RFC 9112 section 7.1): the chunk-size line,
    ChunkSize,
    /// the chunk's data, `left` more bytes of it,
    ChunkData {
        left: u64,
    },
    /// the CRLF after the data,
    ChunkDataEnd,
    /// the trailer section, ended by an empty line.
    Trailer,
    Complete {
        len: usize,
    },
    Failed(ParseError),
}
// ANCHOR_END: state

/// Field lines a table keeps room for when [`Parser::shrink`] trims it:
/// more than most browsers send (about 10 to 15), so that a connection's
/// usual requests never grow it again.
pub const SMALL_TABLE: usize = 16;

/// The longest chunk-size line (with extensions) accepted.
const MAX_CHUNK_LINE: usize = 4096;
/// Empty lines tolerated before a request-line.
const MAX_LEADING_EMPTY_LINES: usize = 8;

/// Parses one request at a time from the start of its input. Reusable:
/// [`reset`](Parser::reset) keeps the allocated field table and body
/// buffer, so a connection's parser allocates only for its first requests.
#[derive(Debug, Clone)]
pub struct Parser {
    limits: Limits,
    state: State,
    /// Everything before `pos` is parsed.
    pos: usize,
    /// The search for the next LF has looked at everything before `scan`.
    scan: usize,
    /// Where the current section (head or trailers) began, for the size limit.
    section_start: usize,
    leading_empty_lines: usize,
    head: Head,
    /// The decoded chunks of a chunked body.
    chunked_body: Vec<u8>,
    /// Trailer fields seen, counted against the field limit.
    trailers: usize,
    /// Bytes of chunk-size lines so far, counted against a budget: the
    /// input stays in the buffer until the request is complete, so framing
    /// must not be allowed to cost far more than the body it frames.
    chunk_lines: usize,
}

impl Default for Parser {
    fn default() -> Parser {
        Parser::new(Limits::default())
    }
}

impl Parser {
    /// A parser with `limits`, clamped so that every offset into a request
    /// fits the `u32` of a [`Span`]: at most 1 GiB of body and 64 MiB of head.
    pub fn new(limits: Limits) -> Parser {
        let limits = Limits {
            request_line: limits.request_line.min(64 << 20),
            head: limits.head.min(64 << 20),
            headers: limits.headers,
            body: limits.body.min(1 << 30),
        };
        Parser {
            limits,
            state: State::Start,
            pos: 0,
            scan: 0,
            section_start: 0,
            leading_empty_lines: 0,
            head: Head::default(),
            chunked_body: Vec::new(),
            trailers: 0,
            chunk_lines: 0,
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Gets ready for the next request, keeping allocated memory.
    pub fn reset(&mut self) {
        let mut headers = std::mem::take(&mut self.head.headers);
        headers.clear();
        self.head = Head {
            headers,
            ..Head::default()
        };
        self.chunked_body.clear();
        // A connection that once uploaded a large chunked body should not
        // hold that memory for the rest of its life.
        self.chunked_body.shrink_to(64 * 1024);
        self.state = State::Start;
        self.pos = 0;
        self.scan = 0;
        self.section_start = 0;
        self.leading_empty_lines = 0;
        self.trailers = 0;
        self.chunk_lines = 0;
    }

    // ANCHOR: memory
    /// Heap bytes the parser holds between requests: its field table and
    /// the buffer for decoded chunked bodies.
    pub fn heap_bytes(&self) -> usize {
        self.head.headers.capacity() * std::mem::size_of::<Header>() + self.chunked_body.capacity()
    }

    /// Gives back what a large request left behind: the chunked-body buffer
    /// entirely, and any field table beyond [`SMALL_TABLE`] lines. For a
    /// connection going idle, between requests.
    #[inline]
    pub fn shrink(&mut self) {
        // Checked first: a connection calls this between any two events,
        // and there is usually nothing to give back.
        if self.chunked_body.capacity() > 0 {
            self.chunked_body = Vec::new();
        }
        if self.head.headers.capacity() > SMALL_TABLE {
            self.head.headers.shrink_to(SMALL_TABLE);
        }
    }

    /// Hands out the field table, empty, so that a pool can keep it while
    /// the connection idles (chapter 8). Only between requests: while a
    /// request is being parsed the table is in use, and an empty `Vec` is
    /// returned instead.
    pub fn take_fields(&mut self) -> Vec<Header> {
        if self.state != State::Start || self.pos != 0 {
            return Vec::new();
        }
        let mut table = std::mem::take(&mut self.head.headers);
        table.clear();
        table
    }

    /// Gives a parser whose table has no room a table to fill (one from
    /// [`take_fields`](Self::take_fields), say). A parser that already has
    /// one keeps its own, and `table` is dropped.
    pub fn give_fields(&mut self, mut table: Vec<Header>) {
        if self.head.headers.capacity() == 0 && self.head.headers.is_empty() {
            table.clear();
            self.head.headers = table;
        }
    }
    // ANCHOR_END: memory

    /// True while a request's body (or its trailer section) is arriving:
    /// the head is complete, the request is not.
    pub fn reading_body(&self) -> bool {
        matches!(
            self.state,
            State::Body { .. }
                | State::ChunkSize
                | State::ChunkData { .. }
                | State::ChunkDataEnd
                | State::Trailer
        )
    }

    /// True once the head is parsed and the request asked for `100 Continue`
    /// while its body has not fully arrived: time to send the interim response.
    pub fn expects_continue(&self) -> bool {
        self.head.expect_continue
            && matches!(
                self.state,
                State::Body { .. }
                    | State::ChunkSize
                    | State::ChunkData { .. }
                    | State::ChunkDataEnd
            )
    }

    /// The complete request. `input` must be the bytes the last `parse` returned `Complete` for.
    ///
    /// # Panics
    /// If the last `parse` did not return `Complete`.
    pub fn request<'a>(&'a self, input: &'a [u8]) -> Request<'a> {
        assert!(
            matches!(self.state, State::Complete { .. }),
            "Parser::request before a complete request"
        );
        let body = if self.head.chunked {
            &self.chunked_body[..]
        } else {
            self.head.body.of(input)
        };
        Request {
            input,
            head: &self.head,
            body,
        }
    }

    // ANCHOR: parse
    /// Parses as much of `input` as it can. `input` must start with the
    /// bytes given last time (plus whatever arrived since); bytes already
    /// parsed are not looked at again. After an error, every later call
    /// returns the same error.
    pub fn parse(&mut self, input: &[u8]) -> Result<Progress, ParseError> {
        assert!(
            input.len() >= self.pos,
            "Parser::parse: the input must start with the bytes already parsed"
        );
        loop {
            // Each step either moves to a new state (and the loop goes on),
            // needs more bytes (None), or fails.
            let step = match self.state {
                State::Complete { len } => return Ok(Progress::Complete { len }),
                State::Failed(e) => return Err(e),
                State::Body { end } => {
                    Ok((input.len() >= end).then_some(State::Complete { len: end }))
                }
                State::ChunkData { left } => Ok(self.chunk_data(input, left)),
                State::ChunkDataEnd => self.chunk_data_end(input),
                // A line none of whose bytes were looked at yet: first the
                // quick way, which finds its end by scanning its parts.
                State::Start | State::HeaderLine if self.scan <= self.pos => {
                    match self.quick_lines(input) {
                        Some(step) => step.map(Some),
                        None => self.long_line(input),
                    }
                }
                _ => self.long_line(input),
            };
            match step {
                Ok(Some(state)) => self.state = state,
                Ok(None) => return Ok(Progress::Partial),
                Err(e) => {
                    self.state = State::Failed(e);
                    return Err(e);
                }
            }
        }
    }
    // ANCHOR_END: parse

    // ANCHOR: quick_lines
    /// The usual lines of a head, parsed in one pass each: the scans of a
    /// line's parts (a method, a target and a version; a name and a value)
    /// stop where the line ends, so its LF need not be searched for first.
    /// Goes on until the empty line ends the head (the result is then
    /// `end_of_head`'s) or a line is anything else: one that has not all
    /// arrived, or breaks a rule or a limit. That line is left to
    /// `long_line` (`None`), which knows every error.
    fn quick_lines(&mut self, input: &[u8]) -> Option<Result<State, ParseError>> {
        if self.state == State::Start {
            let start = self.pos;
            let rest = &input[start..];
            let split @ (_, sp2, _) = scan_request_line(rest)?;
            let end = sp2 + VERSION_LEN + 1;
            let next = start + end + line_ending(&rest[end..])?;
            if end > self.limits.request_line {
                return None;
            }
            self.pos = next;
            self.scan = next;
            self.section_start = start;
            if let Err(e) = self.request_line(input, start, split) {
                return Some(Err(e));
            }
            self.state = State::HeaderLine;
        }
        loop {
            let start = self.pos;
            let rest = &input[start..];
            let (next, field) = match line_ending(rest) {
                // The empty line that ends the head.
                Some(n) => (start + n, None),
                None => {
                    let (name_len, stop) = scan_field_line(rest)?;
                    let next = start + stop + line_ending(&rest[stop..])?;
                    (next, Some(header(start, &rest[..stop], name_len)))
                }
            };
            let too_many = field.is_some() && self.head.headers.len() == self.limits.headers;
            if too_many || next - self.section_start > self.limits.head {
                return None;
            }
            self.pos = next;
            self.scan = next;
            match field {
                Some(field) => self.head.headers.push(field),
                None => return Some(self.end_of_head(input)),
            }
        }
    }
    // ANCHOR_END: quick_lines

    /// The next line the long way: its LF first (`next_line`), then its
    /// bytes, by the state that waits for it (`line`).
    fn long_line(&mut self, input: &[u8]) -> Result<Option<State>, ParseError> {
        match self.next_line(input)? {
            Some((start, end)) => self.line(input, start, end).map(Some),
            None => Ok(None),
        }
    }

    // ANCHOR: next_line
    /// Finds the next line: returns its bounds without the line ending and
    /// moves `pos` past it, or `None` if its LF has not arrived. Lines in
    /// the head may end in a bare LF (RFC 9112 section 2.2 lets a recipient
    /// accept one); chunked framing lines must end in CRLF.
    fn next_line(&mut self, input: &[u8]) -> Result<Option<(usize, usize)>, ParseError> {
        let from = self.scan.max(self.pos);
        let Some(lf) = find_byte(&input[from..], b'\n').map(|i| from + i) else {
            self.scan = input.len();
            // A CR waiting for its LF is not part of the line's length.
            let cr = usize::from(input.last() == Some(&b'\r'));
            self.check_line(&input[self.pos..input.len() - cr], input.len() - cr)?;
            return Ok(None);
        };
        let start = self.pos;
        let crlf = lf > start && input[lf - 1] == b'\r';
        let end = if crlf { lf - 1 } else { lf };
        // The limits first: before its LF has arrived, a line can only
        // break a limit, so a line that breaks one must get that verdict
        // whether its end came in the same read or a later one.
        self.check_line(&input[start..end], lf + 1)?;
        if !crlf && matches!(self.state, State::ChunkSize | State::Trailer) {
            return Err(ParseError::BadChunk);
        }
        self.pos = lf + 1;
        self.scan = self.pos;
        Ok(Some((start, end)))
    }
    // ANCHOR_END: next_line

    /// Limits for `line`, complete or still waiting for its LF, whose bytes
    /// (with the line ending, if it has arrived) end before `next`.
    fn check_line(&self, line: &[u8], next: usize) -> Result<(), ParseError> {
        match self.state {
            State::Start if line.len() > self.limits.request_line => {
                // 414 is about the target; a line that is too long before
                // any space is a method no server implements.
                Err(if line.iter().take(32).any(|&b| b == b' ') {
                    ParseError::UriTooLong
                } else {
                    ParseError::BadMethod
                })
            }
            State::HeaderLine | State::Trailer if next - self.section_start > self.limits.head => {
                Err(ParseError::HeadTooLarge)
            }
            State::ChunkSize if line.len() > MAX_CHUNK_LINE => Err(ParseError::BadChunk),
            _ => Ok(()),
        }
    }

    /// Dispatches a complete line to the state that was waiting for it.
    // Kept out of `long_line`, which a client sending a byte at a time
    // calls once per byte: inlined, its size would make every call pay
    // for saving and restoring the registers it needs.
    #[inline(never)]
    fn line(&mut self, input: &[u8], start: usize, end: usize) -> Result<State, ParseError> {
        let line = &input[start..end];
        match self.state {
            State::Start => {
                if line.is_empty() {
                    // RFC 9112 section 2.2: a server SHOULD ignore at least
                    // one empty line received before the request-line.
                    self.leading_empty_lines += 1;
                    if self.leading_empty_lines > MAX_LEADING_EMPTY_LINES {
                        return Err(ParseError::BadRequestLine);
                    }
                    return Ok(State::Start);
                }
                let split = split_request_line(line)?;
                self.request_line(input, start, split)?;
                self.section_start = start;
                Ok(State::HeaderLine)
            }
            State::HeaderLine if line.is_empty() => self.end_of_head(input),
            State::HeaderLine => {
                let header = field_line(input, start, end)?;
                if self.head.headers.len() == self.limits.headers {
                    return Err(ParseError::TooManyHeaders);
                }
                self.head.headers.push(header);
                Ok(State::HeaderLine)
            }
            State::ChunkSize => self.chunk_size(line),
            State::Trailer if line.is_empty() => Ok(State::Complete { len: self.pos }),
            State::Trailer => {
                // Trailer fields are checked like header fields and then
                // dropped: RFC 9112 section 7.1.2 forbids merging them into
                // the header section unless the field is defined to allow it.
                field_line(input, start, end)?;
                self.trailers += 1;
                if self.trailers > self.limits.headers {
                    return Err(ParseError::TooManyHeaders);
                }
                Ok(State::Trailer)
            }
            _ => unreachable!("line() is called only from line-based states"),
        }
    }

    // ANCHOR: request_line
    /// `request-line = method SP request-target SP HTTP-version` (RFC 9112
    /// section 3), starting at `start`, split at its two spaces by
    /// [`split_request_line`] or `quick_lines`.
    fn request_line(&mut self, input: &[u8], start: usize, split: Split) -> Result<(), ParseError> {
        let (sp1, sp2, version) = split;
        let line = &input[start..start + sp2];
        self.head.version = Some(version);
        self.head.method = Span::new(start, start + sp1);
        self.head.registered_method = Method::registered(&line[..sp1]);
        let target_start = start + sp1 + 1;
        self.head.target = Span::new(target_start, start + sp2);
        self.target(&line[sp1 + 1..], target_start)
    }
    // ANCHOR_END: request_line

    /// Sorts the target into its form (RFC 9112 section 3.2) and finds the path and query.
    fn target(&mut self, target: &[u8], at: usize) -> Result<(), ParseError> {
        let method = self.head.registered_method;
        let (form, path_start) = if method == Some(Method::Connect) {
            // Section 3.2.3: `uri-host ":" port`, nothing else, and only for CONNECT.
            if !matches!(authority_port(target), Some(Port::Digits(port)) if !port.is_empty()) {
                return Err(ParseError::BadTarget);
            }
            self.head.form = Some(TargetForm::Authority);
            self.head.authority = Some(Span::new(at, at + target.len()));
            self.head.path = Span::new(at, at);
            return Ok(());
        } else if target[0] == b'/' {
            (TargetForm::Origin, 0)
        } else if target == b"*" {
            // Section 3.2.4: only for a server-wide OPTIONS.
            if method != Some(Method::Options) {
                return Err(ParseError::BadTarget);
            }
            (TargetForm::Asterisk, 0)
        } else {
            // Section 3.2.2, absolute-form. A server has no business with
            // schemes other than http and https (RFC 9110 section 4.2).
            let starts = |scheme: &[u8]| {
                target
                    .get(..scheme.len())
                    .is_some_and(|t| t.eq_ignore_ascii_case(scheme))
            };
            let authority_start = if starts(b"http://") {
                7
            } else if starts(b"https://") {
                8
            } else {
                return Err(ParseError::BadTarget);
            };
            let authority_end = target[authority_start..]
                .iter()
                .position(|&b| b == b'/' || b == b'?')
                .map_or(target.len(), |i| authority_start + i);
            // An empty host is invalid for http (RFC 9110 section 4.2.1);
            // userinfo is an error (section 4.2.4).
            if !valid_authority(&target[authority_start..authority_end]) {
                return Err(ParseError::BadTarget);
            }
            self.head.authority = Some(Span::new(at + authority_start, at + authority_end));
            (TargetForm::Absolute, authority_end)
        };
        self.head.form = Some(form);
        let rest = &target[path_start..];
        match find_byte(rest, b'?') {
            Some(q) => {
                self.head.path = Span::new(at + path_start, at + path_start + q);
                self.head.query = Some(Span::new(at + path_start + q + 1, at + target.len()));
            }
            None => self.head.path = Span::new(at + path_start, at + target.len()),
        }
        Ok(())
    }

    // ANCHOR: end_of_head
    /// The empty line after the fields: decide how long the body is (RFC
    /// 9112 section 6.3), whether the connection persists (section 9.3), and
    /// check Host (section 3.2).
    fn end_of_head(&mut self, input: &[u8]) -> Result<State, ParseError> {
        let version = self.head.version.unwrap_or(Version::Http11);
        let mut hosts = 0;
        let mut content_length: Option<u64> = None;
        let mut transfer_encoding = false;
        let (mut codings, mut chunked_count, mut chunked_last) = (0, 0, false);
        let mut close = false;
        let mut keep_alive_token = false;
        for h in &self.head.headers {
            let (name, value) = (h.name.of(input), h.value.of(input));
            // The length first: most fields are none of these five, and a
            // length compare rules them out without looking at a byte.
            let is = |known: &[u8]| is_field_name(name, known);
            if is(b"host") {
                hosts += 1;
                // Section 3.2: an invalid Host value is a 400 too.
                if !valid_authority(value) {
                    return Err(ParseError::BadHost);
                }
            } else if is(b"content-length") {
                // RFC 9110 section 8.6: `1*DIGIT`. Repeated (in one line as a
                // list, or in several lines) only with the same value.
                for element in value.split(|&b| b == b',').map(trim_ows) {
                    let n = parse_content_length(element)?;
                    if content_length.is_some_and(|seen| seen != n) {
                        return Err(ParseError::BadContentLength);
                    }
                    content_length = Some(n);
                }
            } else if is(b"transfer-encoding") {
                transfer_encoding = true;
                // The codings of all TE lines form one list, in order.
                for coding in list_elements(value) {
                    codings += 1;
                    chunked_last = coding.eq_ignore_ascii_case(b"chunked");
                    chunked_count += usize::from(chunked_last);
                }
            } else if is(b"connection") {
                // Usually one option, with no list to split.
                if value.eq_ignore_ascii_case(b"keep-alive") {
                    keep_alive_token = true;
                    continue;
                }
                for option in list_elements(value) {
                    close |= option.eq_ignore_ascii_case(b"close");
                    keep_alive_token |= option.eq_ignore_ascii_case(b"keep-alive");
                }
            } else if is(b"expect") {
                // A list (RFC 9110 section 10.1.1); other expectations are ignored.
                self.head.expect_continue |=
                    list_elements(value).any(|e| e.eq_ignore_ascii_case(b"100-continue"));
            }
        }
        // RFC 9110 section 10.1.1: a server MUST ignore 100-continue in an
        // HTTP/1.0 request.
        if version == Version::Http10 {
            self.head.expect_continue = false;
        }
        // Section 3.2: exactly one Host in HTTP/1.1, at most one in 1.0.
        if hosts > 1 || (version == Version::Http11 && hosts == 0) {
            return Err(ParseError::BadHost);
        }
        // Section 9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
        self.head.keep_alive = match version {
            Version::Http11 => !close,
            Version::Http10 => keep_alive_token && !close,
        };
        if transfer_encoding {
            // Section 6.3 rule 3: both framings at once is how smuggling
            // works; we refuse rather than pick one. Section 6.1: TE in an
            // HTTP/1.0 request means faulty framing.
            if content_length.is_some() {
                return Err(ParseError::TransferEncodingWithContentLength);
            }
            if version == Version::Http10 {
                return Err(ParseError::BadTransferEncoding);
            }
            // Section 6.3 rule 4: chunked must be the final coding, and
            // section 6.1: applied once.
            if !chunked_last || chunked_count > 1 {
                return Err(ParseError::BadTransferEncoding);
            }
            // Section 6.1: a coding we don't understand (gzip, chunked) gets 501.
            if codings > 1 {
                return Err(ParseError::UnsupportedTransferCoding);
            }
            self.head.chunked = true;
            self.head.content_length = Some(0);
            return Ok(State::ChunkSize);
        }
        let length = content_length.unwrap_or(0);
        if length > self.limits.body {
            return Err(ParseError::BodyTooLarge);
        }
        self.head.content_length = content_length;
        // `length` is at most `limits.body`, which `Parser::new` keeps far
        // below usize::MAX and u32::MAX, so this cannot overflow.
        let end = self.pos + length as usize;
        self.head.body = Span::new(self.pos, end);
        Ok(if length == 0 {
            State::Complete { len: self.pos }
        } else {
            State::Body { end }
        })
    }
    // ANCHOR_END: end_of_head

    // ANCHOR: chunk_size
    /// `chunk-size [ chunk-ext ] CRLF`, `chunk-size = 1*HEXDIG` (RFC 9112
    /// section 7.1). Sizes are summed with overflow checks: the RFC warns
    /// that recipients must expect huge hexadecimal numbers.
    fn chunk_size(&mut self, line: &[u8]) -> Result<State, ParseError> {
        // A 1-byte chunk with a 4 KiB extension, a million times, would
        // make a 1 MiB body cost 4 GiB of buffer: size lines get a budget of
        // the head limit or an eighth of the body limit, whichever is larger.
        self.chunk_lines += line.len() + 2;
        if self.chunk_lines > self.limits.head.max((self.limits.body / 8) as usize) {
            return Err(ParseError::BodyTooLarge);
        }
        let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        // More than 16 hex digits (leading zeros included) is a size no
        // client needs, and one that parsers disagree about.
        if digits == 0 || digits > 16 {
            return Err(ParseError::BadChunk);
        }
        let mut size: u64 = 0;
        for &b in &line[..digits] {
            let digit = (b as char).to_digit(16).unwrap_or(0) as u64;
            size = size
                .checked_mul(16)
                .and_then(|s| s.checked_add(digit))
                .ok_or(ParseError::BodyTooLarge)?;
        }
        check_chunk_ext(&line[digits..])?;
        let total = self.head.content_length.unwrap_or(0);
        let total = total.checked_add(size).ok_or(ParseError::BodyTooLarge)?;
        if total > self.limits.body {
            return Err(ParseError::BodyTooLarge);
        }
        self.head.content_length = Some(total);
        if size == 0 {
            // last-chunk: the trailer section follows, limited like a head.
            self.section_start = self.pos;
            return Ok(State::Trailer);
        }
        Ok(State::ChunkData { left: size })
    }
    // ANCHOR_END: chunk_size

    /// Copies what has arrived of the chunk's data into the decoded body.
    fn chunk_data(&mut self, input: &[u8], left: u64) -> Option<State> {
        let available = input.len() - self.pos;
        let take = left.min(available as u64) as usize;
        if take == 0 {
            return None;
        }
        self.chunked_body
            .extend_from_slice(&input[self.pos..self.pos + take]);
        self.pos += take;
        self.scan = self.pos;
        let left = left - take as u64;
        Some(if left == 0 {
            State::ChunkDataEnd
        } else {
            State::ChunkData { left }
        })
    }

    /// The CRLF that ends a chunk's data, exactly: no bare LF here, where a
    /// lenient reading is how chunked smuggling variants work.
    fn chunk_data_end(&mut self, input: &[u8]) -> Result<Option<State>, ParseError> {
        match &input[self.pos..] {
            [] | [b'\r'] => Ok(None),
            [b'\r', b'\n', ..] => {
                self.pos += 2;
                self.scan = self.pos;
                self.chunk_lines += 2;
                Ok(Some(State::ChunkSize))
            }
            _ => Err(ParseError::BadChunk),
        }
    }
}

// ANCHOR: split_request_line
/// Where a request-line's two spaces are, and its version.
pub type Split = (usize, usize, Version);

/// The bytes of `HTTP/1.1`.
const VERSION_LEN: usize = 8;

/// The request-line at the start of `bytes`, in one pass: a run of
/// `tchar`, a space, a run of target bytes and escapes, a space, and eight
/// bytes of version. `None` if it is not that. Neither run can contain a
/// space, a CR or an LF, so whatever follows the version is what ends the line.
fn scan_request_line(bytes: &[u8]) -> Option<Split> {
    let sp1 = scan::run(&TCHAR, bytes);
    if sp1 == 0 || bytes.get(sp1) != Some(&b' ') {
        return None;
    }
    let sp2 = sp1 + 1 + scan::escaped_run(&TARGET, &bytes[sp1 + 1..]);
    if sp2 == sp1 + 1 || bytes.get(sp2) != Some(&b' ') {
        return None;
    }
    let version = parse_version(bytes.get(sp2 + 1..sp2 + 1 + VERSION_LEN)?).ok()?;
    Some((sp1, sp2, version))
}

/// Splits a whole request-line (without its line ending). A line that
/// `scan_request_line` accepts, and that ends with the version, is one that
/// [`split_request_line_checked`] accepts too, with the same answer; every
/// other line goes to that version, rule by rule, for the error to report.
/// (Public for the fuzz target, which checks that the two always agree.)
pub fn split_request_line(line: &[u8]) -> Result<Split, ParseError> {
    match scan_request_line(line) {
        Some(split @ (_, sp2, _)) if line.len() == sp2 + 1 + VERSION_LEN => Ok(split),
        _ => split_request_line_checked(line),
    }
}

/// The request-line rule by rule, in the order the errors are reported:
/// exactly one space between the parts.
pub fn split_request_line_checked(line: &[u8]) -> Result<Split, ParseError> {
    // RFC 9112 section 2.2: a CR anywhere but before the LF is invalid.
    // (Field lines check this as they validate bytes.)
    if line.contains(&b'\r') {
        return Err(ParseError::BareCr);
    }
    let Some(sp1) = line.iter().position(|&b| b == b' ') else {
        return Err(ParseError::BadRequestLine);
    };
    let Some(sp2) = line.iter().rposition(|&b| b == b' ').filter(|&i| i > sp1) else {
        return Err(ParseError::BadRequestLine);
    };
    let (method, target, version) = (&line[..sp1], &line[sp1 + 1..sp2], &line[sp2 + 1..]);
    if !is_token(method) {
        return Err(ParseError::BadMethod);
    }
    if target.is_empty() || !target.iter().all(|&b| is_target_byte(b)) {
        // Includes a second space: `GET / / HTTP/1.1`.
        return Err(ParseError::BadTarget);
    }
    let version = parse_version(version)?;
    // Every `%` starts a two-digit escape (RFC 3986 section 2.1), which
    // `scan_request_line` checks as it goes.
    if !percent_escapes_valid(target) {
        return Err(ParseError::BadTarget);
    }
    Ok((sp1, sp2, version))
}
// ANCHOR_END: split_request_line

/// `HTTP-version = HTTP-name "/" DIGIT "." DIGIT` (RFC 9112 section 2.3).
fn parse_version(version: &[u8]) -> Result<Version, ParseError> {
    let [b'H', b'T', b'T', b'P', b'/', major, b'.', minor] = *version else {
        return Err(ParseError::BadVersion);
    };
    if !major.is_ascii_digit() || !minor.is_ascii_digit() {
        return Err(ParseError::BadVersion);
    }
    match (major, minor) {
        (b'1', b'0') => Ok(Version::Http10),
        // 1.2 and up: answer as 1.1 (RFC 9110 section 6.2).
        (b'1', _) => Ok(Version::Http11),
        // HTTP/2.0 or 0.9 on an HTTP/1 connection: 505 (RFC 9110 section 15.6.6).
        _ => Err(ParseError::VersionNotSupported),
    }
}

// ANCHOR: field_line
/// The field line at the start of `bytes`, in one pass: a run of `tchar`
/// for the name, the colon, and a run of field-value bytes (`scan`). The
/// name's length and where the value's run stopped, or `None` if the name
/// does not end at a colon.
fn scan_field_line(bytes: &[u8]) -> Option<(usize, usize)> {
    let name_len = scan::run(&TCHAR, bytes);
    if name_len == 0 || bytes.get(name_len) != Some(&b':') {
        return None;
    }
    Some((
        name_len,
        name_len + 1 + scan::field_value_run(&bytes[name_len + 1..]),
    ))
}

/// The field of `line`, which starts at `start` and whose name is
/// `name_len` bytes: a `Header` is two spans, nothing is copied. The
/// value's span leaves out the optional whitespace around it (RFC 9110
/// section 5.6.3).
fn header(start: usize, line: &[u8], name_len: usize) -> Header {
    let raw = &line[name_len + 1..];
    let value = trim_ows(raw);
    let value_start = start + name_len + 1 + (value.as_ptr() as usize - raw.as_ptr() as usize);
    Header {
        name: Span::new(start, start + name_len),
        value: Span::new(value_start, value_start + value.len()),
    }
}

/// `field-line = field-name ":" OWS field-value OWS` (RFC 9112 section 5),
/// a whole line (without its line ending), with the error it breaks.
fn field_line(input: &[u8], start: usize, end: usize) -> Result<Header, ParseError> {
    let line = &input[start..end];
    if is_ows(line[0]) {
        // Section 5.2: obs-fold, a continuation line. Rejected. (Before the
        // first field it is whitespace after the request-line, which section
        // 2.2 also lets us reject; the error is the same 400.)
        return Err(ParseError::ObsFold);
    }
    let Some((name_len, stop)) = scan_field_line(line) else {
        let name_len = scan::run(&TCHAR, line);
        return Err(match line.get(name_len) {
            // Section 5.1: a server MUST reject whitespace between name and colon.
            Some(b' ' | b'\t') if trim_start_ows(&line[name_len..]).first() == Some(&b':') => {
                ParseError::WhitespaceBeforeColon
            }
            // Section 2.2: a bare CR.
            Some(b'\r') => ParseError::BareCr,
            _ => ParseError::BadHeaderName,
        });
    };
    match line.get(stop) {
        None => Ok(header(start, line, name_len)),
        // RFC 9110 section 5.5: NUL, CR, LF and other controls are invalid.
        Some(b'\r') => Err(ParseError::BareCr),
        Some(_) => Err(ParseError::BadHeaderValue),
    }
}

/// The length of the line ending at the start of `bytes`: CRLF, or a bare
/// LF, which RFC 9112 section 2.2 lets a recipient accept in the head.
fn line_ending(bytes: &[u8]) -> Option<usize> {
    match bytes {
        [b'\r', b'\n', ..] => Some(2),
        [b'\n', ..] => Some(1),
        _ => None,
    }
}
// ANCHOR_END: field_line

/// Content-Length: `1*DIGIT`, no sign, no spaces inside, no overflow.
fn parse_content_length(digits: &[u8]) -> Result<u64, ParseError> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::BadContentLength);
    }
    digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or(ParseError::BadContentLength)
    })
}

/// `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`
/// (RFC 9112 section 7.1.1). Extensions are checked and ignored.
fn check_chunk_ext(mut ext: &[u8]) -> Result<(), ParseError> {
    loop {
        if ext.is_empty() {
            return Ok(());
        }
        // BWS is allowed before ";" only: "5 \r\n" (space before the line
        // end) is refused, a leniency that framing disagreements are made of.
        let Some(rest) = trim_start_ows(ext).strip_prefix(b";") else {
            return Err(ParseError::BadChunk);
        };
        let rest = trim_start_ows(rest);
        let name_len = rest.iter().take_while(|&&b| is_tchar(b)).count();
        if name_len == 0 {
            return Err(ParseError::BadChunk);
        }
        ext = &rest[name_len..];
        let after_bws = trim_start_ows(ext);
        if let Some(value) = after_bws.strip_prefix(b"=") {
            let value = trim_start_ows(value);
            let len = if value.first() == Some(&b'"') {
                quoted_string_len(value)?
            } else {
                value.iter().take_while(|&&b| is_tchar(b)).count()
            };
            if len == 0 {
                return Err(ParseError::BadChunk);
            }
            ext = &value[len..];
        }
    }
}

fn trim_start_ows(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|&&b| is_ows(b)).count();
    &bytes[n..]
}

/// Length of the quoted-string at the start of `bytes` (RFC 9110 section 5.6.4).
fn quoted_string_len(bytes: &[u8]) -> Result<usize, ParseError> {
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Ok(i + 1),
            b'\\' if i + 1 < bytes.len() && is_field_value_byte(bytes[i + 1]) => i += 2,
            b if is_field_value_byte(b) && b != b'\\' => i += 1,
            _ => return Err(ParseError::BadChunk),
        }
    }
    Err(ParseError::BadChunk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_one_pass_split_agrees_with_the_rules(
            method in prop::sample::select(vec!["GET", "POST", "M-SEARCH", "get", "", "G\u{e9}T", "GE\rT"]),
            target in "[a-z/?%=&:@\\[\\]#<>\"\\\\ \r\t0-9]{0,12}",
            version in prop::sample::select(vec!["HTTP/1.1", "HTTP/1.0", "HTTP/1.9", "HTTP/2.0", "HTTP/1.1 ", "http/1.1", "HTTP/1.", ""]),
            sp1 in prop::sample::select(vec![" ", "  ", "", "\t"]),
            sp2 in prop::sample::select(vec![" ", "  ", "", "\r"]),
            noise in prop::collection::vec(any::<u8>(), 0..4),
        ) {
            let mut line = format!("{method}{sp1}{target}{sp2}{version}").into_bytes();
            line.extend_from_slice(&noise);
            prop_assert_eq!(split_request_line(&line), split_request_line_checked(&line));
        }
    }

    fn complete(parser: &mut Parser, raw: &[u8]) {
        assert!(matches!(parser.parse(raw), Ok(Progress::Complete { .. })));
    }

    #[test]
    fn a_large_request_leaves_nothing_behind_once_shrunk() {
        let mut big = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n".to_vec();
        for i in 0..60 {
            big.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        big.extend_from_slice(b"\r\n10000\r\n");
        big.extend_from_slice(&[b'x'; 0x10000]);
        big.extend_from_slice(b"\r\n0\r\n\r\n");
        let mut parser = Parser::default();
        complete(&mut parser, &big);
        assert!(parser.heap_bytes() > 0x10000 + 60 * size_of::<Header>());
        parser.reset();
        parser.shrink();
        assert!(parser.heap_bytes() <= SMALL_TABLE * size_of::<Header>());
        // The table goes to a pool and comes back; nothing is lost.
        let table = parser.take_fields();
        assert_eq!(parser.heap_bytes(), 0);
        parser.give_fields(table);
        assert!(parser.heap_bytes() > 0);
        complete(&mut parser, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(
            parser
                .request(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                .header("host"),
            Some(&b"a"[..])
        );
    }

    #[test]
    fn the_table_stays_while_a_request_is_being_parsed() {
        let mut parser = Parser::default();
        let raw = b"GET / HTTP/1.1\r\nHost: a\r\n";
        assert_eq!(parser.parse(raw), Ok(Progress::Partial));
        assert_eq!(parser.take_fields().capacity(), 0, "in use: not handed out");
        let whole = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        complete(&mut parser, whole);
        assert_eq!(parser.request(whole).header("host"), Some(&b"a"[..]));
    }
}
