//! What can be wrong with a request, and the status code each problem earns.
//!
//! Every parse error ends the connection: after a framing error the server
//! no longer knows where the next request starts, and guessing is how
//! request smuggling works. So an error carries its status code, and the
//! caller answers with it and closes.

use std::fmt;

// ANCHOR: error
/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// The request-line is not `method SP request-target SP HTTP-version` (RFC 9112 section 3).
    BadRequestLine,
    /// The method is not a token (RFC 9110 section 9.1).
    BadMethod,
    /// The request-target has a forbidden byte or does not fit its form (RFC 9112 section 3.2).
    BadTarget,
    /// The request-line is longer than the limit (RFC 9110 section 15.5.15: 414).
    UriTooLong,
    /// `HTTP/x.y` with a major version other than 1 (RFC 9110 section 15.6.6: 505).
    VersionNotSupported,
    /// Not `HTTP/` DIGIT `.` DIGIT (RFC 9112 section 2.3).
    BadVersion,
    /// A CR not followed by LF (RFC 9112 section 2.2).
    BareCr,
    /// A field name that is not a token (RFC 9110 section 5.1).
    BadHeaderName,
    /// Whitespace between a field name and its colon (RFC 9112 section 5.1).
    WhitespaceBeforeColon,
    /// A line folded onto the previous one (obs-fold, RFC 9112 section 5.2).
    ObsFold,
    /// A field value with NUL, a control character or DEL (RFC 9110 section 5.5).
    BadHeaderValue,
    /// The head (request-line and fields) or a trailer section is larger
    /// than the limit (RFC 6585 section 5: 431).
    HeadTooLarge,
    /// More field lines than the limit (431).
    TooManyHeaders,
    /// An HTTP/1.1 request without Host, any request with more than one, or
    /// a Host value that is not `host[:port]` (RFC 9112 section 3.2).
    BadHost,
    /// Content-Length that is not a decimal number, overflows, or disagrees
    /// with another Content-Length (RFC 9112 section 6.3, RFC 9110 section 8.6).
    BadContentLength,
    /// Transfer-Encoding and Content-Length together: a smuggling attempt
    /// (RFC 9112 section 6.3, rule 3; section 11.2).
    TransferEncodingWithContentLength,
    /// Transfer-Encoding whose last coding is not `chunked`, `chunked`
    /// twice, or Transfer-Encoding in an HTTP/1.0 request (RFC 9112 sections 6.1 and 6.3).
    BadTransferEncoding,
    /// A transfer coding we don't implement before the final `chunked`
    /// (RFC 9112 section 6.1: 501).
    UnsupportedTransferCoding,
    /// A malformed chunk-size line or a chunk without its CRLF (RFC 9112 section 7.1).
    BadChunk,
    /// The body is larger than the limit (RFC 9110 section 15.5.14: 413).
    BodyTooLarge,
}
// ANCHOR_END: error

impl ParseError {
    // ANCHOR: status
    /// The status code to answer with. The connection closes after it, whatever it is.
    pub fn status(self) -> u16 {
        use ParseError::*;
        match self {
            UriTooLong => 414,
            HeadTooLarge | TooManyHeaders => 431,
            BodyTooLarge => 413,
            UnsupportedTransferCoding => 501,
            VersionNotSupported => 505,
            BadRequestLine
            | BadMethod
            | BadTarget
            | BadVersion
            | BareCr
            | BadHeaderName
            | WhitespaceBeforeColon
            | ObsFold
            | BadHeaderValue
            | BadHost
            | BadContentLength
            | TransferEncodingWithContentLength
            | BadTransferEncoding
            | BadChunk => 400,
        }
    }
    // ANCHOR_END: status

    /// Always true: after any parse error the connection must close, since
    /// the server can no longer tell where the next request would start.
    /// A method rather than a comment, so the caller's code says it too.
    pub fn closes_connection(self) -> bool {
        true
    }

    /// A short explanation, safe to send to the client.
    pub fn reason(self) -> &'static str {
        use ParseError::*;
        match self {
            BadRequestLine => "malformed request line",
            BadMethod => "malformed method",
            BadTarget => "malformed request target",
            UriTooLong => "request line too long",
            VersionNotSupported => "HTTP version not supported",
            BadVersion => "malformed HTTP version",
            BareCr => "bare CR",
            BadHeaderName => "malformed header name",
            WhitespaceBeforeColon => "whitespace before header colon",
            ObsFold => "obsolete line folding",
            BadHeaderValue => "invalid character in header value",
            HeadTooLarge => "request header too large",
            TooManyHeaders => "too many header fields",
            BadHost => "missing, repeated or invalid Host",
            BadContentLength => "invalid Content-Length",
            TransferEncodingWithContentLength => "Transfer-Encoding with Content-Length",
            BadTransferEncoding => "invalid Transfer-Encoding",
            UnsupportedTransferCoding => "transfer coding not implemented",
            BadChunk => "malformed chunked body",
            BodyTooLarge => "request body too large",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.reason(), self.status())
    }
}

impl std::error::Error for ParseError {}
