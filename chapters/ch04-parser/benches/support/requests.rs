//! The requests chapter 4's benchmarks parse: the criterion benchmark
//! (`benches/parser.rs`) and the instruction count (`examples/parse_loop.rs`).

#![allow(dead_code)] // each of the two uses a different part

/// The request wrk sends for the hot path chapter's loads: `wrk.format`'s
/// request-line and Host, nothing else.
pub const WRK: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

/// TechEmpower's plaintext request, as wrk sends it in their benchmark.
pub const TECHEMPOWER: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: server\r\n\
Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n\
Connection: keep-alive\r\n\r\n";

/// A browser's request for a page, with cookies: about 1 KiB.
pub const BROWSER: &[u8] = b"GET /dashboard/projects/42/issues?state=open&sort=updated HTTP/1.1\r\n\
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
