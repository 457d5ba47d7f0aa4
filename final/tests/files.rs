//! Static files through a running server: what a client gets for files,
//! directories, validators and ranges, that nothing outside the root is
//! ever sent, and that every opened file is closed again.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eventcore::{Builder, Files, Response, Running, Settings};

/// What is outside the root: no response may carry this.
const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-ROOT";

/// A root beside a secret, with files, links in and out, a hidden file and a FIFO.
struct Site {
    top: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let top = tempfile::tempdir().unwrap();
        let t = top.path();
        std::fs::write(t.join("secret.txt"), SECRET).unwrap();
        std::fs::create_dir_all(t.join("rootless")).unwrap();
        std::fs::write(t.join("rootless/x.txt"), SECRET).unwrap();
        let root = t.join("root");
        for dir in ["sub", "nested", "empty-dir"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::write(root.join("index.html"), "<h1>home</h1>").unwrap();
        std::fs::write(root.join("hello.txt"), hello()).unwrap();
        std::fs::write(root.join("empty.txt"), "").unwrap();
        std::fs::write(root.join("nested/index.html"), "nested home").unwrap();
        std::fs::write(root.join("sub/page.html"), "a page").unwrap();
        std::fs::write(root.join("sub/a b.txt"), "spaced").unwrap();
        std::fs::write(root.join("sub/.hidden2"), SECRET).unwrap();
        std::fs::write(root.join(".hidden"), SECRET).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/config"), SECRET).unwrap();
        std::fs::create_dir_all(root.join(".well-known")).unwrap();
        std::fs::write(root.join(".well-known/token"), "acme").unwrap();
        symlink("hello.txt", root.join("link-in")).unwrap();
        symlink("../secret.txt", root.join("link-out")).unwrap();
        symlink(t.join("secret.txt"), root.join("link-abs")).unwrap();
        symlink("..", root.join("dirlink-out")).unwrap();
        symlink("/etc", root.join("etc-link")).unwrap();
        let fifo = std::ffi::CString::new(root.join("fifo").into_os_string().into_encoded_bytes())
            .unwrap();
        // SAFETY: a valid C string for the call.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        Site { top }
    }

    fn root(&self) -> PathBuf {
        self.top.path().join("root")
    }

    fn serve(&self, list: bool) -> Running {
        let settings = Settings {
            port: 0,
            num_workers: 1,
            write_timeout_sec: 0.2,
            ..Settings::default()
        };
        let files = Files::new(self.root()).unwrap().list_directories(list);
        Builder::new()
            .settings(settings)
            .get("/route", |_| Ok(Response::text("a route")))
            .files("/", files.clone())
            .files("/static", files)
            .start()
            .unwrap()
    }
}

fn hello() -> Vec<u8> {
    (0..1024u32).map(|i| b'a' + (i % 26) as u8).collect()
}

/// One response: status, head, body (as much as Content-Length says, or
/// to the close).
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Reads one response from `stream`; `head_only` for HEAD and 304s.
fn answer(stream: &mut TcpStream, head_only: bool) -> Answer {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).unwrap(),
            1,
            "closed within a head: {:?}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let status = head[9..12].parse().unwrap();
    let mut answer = Answer {
        status,
        head,
        body: Vec::new(),
    };
    let length = answer
        .header("content-length")
        .map(|v| v.parse::<usize>().unwrap());
    match length {
        _ if head_only => {}
        Some(n) => {
            answer.body.resize(n, 0);
            stream.read_exact(&mut answer.body).unwrap();
        }
        None => {
            stream.read_to_end(&mut answer.body).unwrap();
        }
    }
    answer
}

/// Sends `request` (with `Host` and `Connection: close` added) and reads the answer.
fn exchange(addr: SocketAddr, request: &str) -> Answer {
    let mut stream = connect(addr);
    let (line, fields) = request.split_once("\r\n").unwrap_or((request, ""));
    write!(
        stream,
        "{line}\r\nHost: t\r\nConnection: close\r\n{fields}\r\n"
    )
    .unwrap();
    let head_only = line.starts_with("HEAD");
    answer(&mut stream, head_only)
}

/// A client whose reads give up after a while: a hang fails the test
/// instead of holding it forever.
fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

fn get(addr: SocketAddr, target: &str) -> Answer {
    exchange(addr, &format!("GET {target} HTTP/1.1"))
}

#[test]
fn files_directories_and_their_heads() {
    let site = Site::new();
    let running = site.serve(false);
    let addr = running.local_addr();

    let file = get(addr, "/hello.txt");
    assert_eq!(file.status, 200);
    assert_eq!(file.body, hello());
    assert_eq!(
        file.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(file.header("accept-ranges"), Some("bytes"));
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    assert!(
        file.header("etag")
            .is_some_and(|t| t.starts_with('"') && t.ends_with("-400\""))
    );
    assert!(
        file.header("last-modified")
            .is_some_and(|d| d.ends_with(" GMT"))
    );

    let head = exchange(addr, "HEAD /hello.txt HTTP/1.1");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("1024"));
    assert_eq!(head.header("etag"), file.header("etag"));

    assert_eq!(get(addr, "/").body, b"<h1>home</h1>");
    assert_eq!(
        get(addr, "/").header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let moved = get(addr, "/nested?x=1");
    assert_eq!(
        (moved.status, moved.header("location")),
        (301, Some("/nested/?x=1"))
    );
    assert_eq!(get(addr, "/nested/").body, b"nested home");
    // A second spelling is not redirected (`//nested/` as a Location would
    // be another host): it is not served at all.
    assert_eq!(get(addr, "//nested").status, 404);
    assert_eq!(get(addr, "/sub/a%20b.txt").body, b"spaced");
    assert_eq!(
        get(addr, "/link-in").body,
        hello(),
        "a link inside the root is followed"
    );
    assert_eq!(get(addr, "/.well-known/token").body, b"acme");
    let empty = get(addr, "/empty.txt");
    assert_eq!(
        (empty.status, empty.header("content-length")),
        (200, Some("0"))
    );
    // Routes win at /; under /static the prefix is the files'.
    assert_eq!(get(addr, "/route").body, b"a route");
    assert_eq!(get(addr, "/static/hello.txt").body, hello());
    assert_eq!(get(addr, "/static").status, 301);
    assert_eq!(get(addr, "/static/").body, b"<h1>home</h1>");
    assert_eq!(get(addr, "/staticx").status, 404);
    // No listing unless asked for; no index: 404.
    assert_eq!(get(addr, "/sub/").status, 404);
    assert_eq!(get(addr, "/missing.txt").status, 404);

    let post = exchange(addr, "POST /hello.txt HTTP/1.1\r\nContent-Length: 0\r\n");
    assert_eq!(
        (post.status, post.header("allow")),
        (405, Some("GET, HEAD"))
    );
    let post = exchange(
        addr,
        "POST /static/hello.txt HTTP/1.1\r\nContent-Length: 0\r\n",
    );
    assert_eq!(post.status, 405);
    running.stop().unwrap();
}

#[test]
fn a_listing_shows_what_is_there_escaped_and_not_what_is_hidden() {
    let site = Site::new();
    std::fs::write(site.root().join("sub/<b>.txt"), "x").unwrap();
    let running = site.serve(true);
    let listing = get(running.local_addr(), "/sub/");
    assert_eq!(listing.status, 200);
    let page = String::from_utf8(listing.body).unwrap();
    assert!(
        page.contains("<a href=\"page.html\">page.html</a>"),
        "{page}"
    );
    assert!(page.contains("<a href=\"a%20b.txt\">a b.txt</a>"), "{page}");
    assert!(
        page.contains("<a href=\"%3Cb%3E.txt\">&lt;b&gt;.txt</a>"),
        "{page}"
    );
    assert!(!page.contains("hidden2"), "{page}");
    assert_eq!(get(running.local_addr(), "/empty-dir/").status, 200);
    running.stop().unwrap();
}

#[test]
fn validators_answer_304_and_412() {
    let site = Site::new();
    let running = site.serve(false);
    let addr = running.local_addr();
    let first = get(addr, "/hello.txt");
    let etag = first.header("etag").unwrap().to_string();
    let date = first.header("last-modified").unwrap().to_string();

    let same = exchange(
        addr,
        &format!("GET /hello.txt HTTP/1.1\r\nIf-None-Match: \"x\", {etag}\r\n"),
    );
    assert_eq!(same.status, 304);
    assert_eq!(same.header("etag"), Some(etag.as_str()));
    assert_eq!(same.header("content-length"), None);
    let weak = exchange(
        addr,
        &format!("GET /hello.txt HTTP/1.1\r\nIf-None-Match: W/{etag}\r\n"),
    );
    assert_eq!(weak.status, 304, "If-None-Match compares weakly");
    let since = exchange(
        addr,
        &format!("GET /hello.txt HTTP/1.1\r\nIf-Modified-Since: {date}\r\n"),
    );
    assert_eq!(since.status, 304);
    let old = exchange(
        addr,
        "GET /hello.txt HTTP/1.1\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n",
    );
    assert_eq!((old.status, old.body.len()), (200, 1024));
    let other = exchange(
        addr,
        &format!(
            "GET /hello.txt HTTP/1.1\r\nIf-None-Match: \"x\"\r\nIf-Modified-Since: {date}\r\n"
        ),
    );
    assert_eq!(
        other.status, 200,
        "If-None-Match present: the date is not looked at"
    );

    // One list over two field lines (RFC 9110 section 5.3).
    let split = exchange(
        addr,
        &format!("GET /hello.txt HTTP/1.1\r\nIf-None-Match: \"x\"\r\nIf-None-Match: {etag}\r\n"),
    );
    assert_eq!(split.status, 304);
    let failed = exchange(addr, "GET /hello.txt HTTP/1.1\r\nIf-Match: \"x\"\r\n");
    assert_eq!(failed.status, 412);
    let matched = exchange(
        addr,
        &format!("GET /hello.txt HTTP/1.1\r\nIf-Match: {etag}\r\n"),
    );
    assert_eq!(matched.status, 200);
    let unmodified = exchange(
        addr,
        "GET /hello.txt HTTP/1.1\r\nIf-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n",
    );
    assert_eq!(unmodified.status, 412);
    running.stop().unwrap();
}

#[test]
fn ranges_answer_206_416_or_the_whole_file() {
    let site = Site::new();
    let running = site.serve(false);
    let addr = running.local_addr();
    let all = hello();
    let range = |value: &str| {
        exchange(
            addr,
            &format!("GET /hello.txt HTTP/1.1\r\nRange: {value}\r\n"),
        )
    };

    let part = range("bytes=10-19");
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some("bytes 10-19/1024"));
    assert_eq!(part.body, &all[10..20]);
    let suffix = range("bytes=-24");
    assert_eq!(
        (suffix.status, suffix.header("content-range")),
        (206, Some("bytes 1000-1023/1024"))
    );
    assert_eq!(suffix.body, &all[1000..]);
    let open = range("bytes=1020-");
    assert_eq!(open.body, &all[1020..]);
    let clamped = range("bytes=1000-5000");
    assert_eq!(
        clamped.header("content-range"),
        Some("bytes 1000-1023/1024")
    );
    let past = range("bytes=1024-");
    assert_eq!(
        (past.status, past.header("content-range")),
        (416, Some("bytes */1024"))
    );
    let several = range("bytes=0-1,5-6");
    assert_eq!(
        (several.status, several.body.len()),
        (200, 1024),
        "several ranges: the whole file"
    );
    let nonsense = range("bytes=9-2");
    assert_eq!(nonsense.status, 200);

    let etag = part.header("etag").unwrap().to_string();
    let if_range = |value: &str| {
        exchange(
            addr,
            &format!("GET /hello.txt HTTP/1.1\r\nRange: bytes=0-0\r\nIf-Range: {value}\r\n"),
        )
    };
    assert_eq!(if_range(&etag).status, 206);
    assert_eq!(if_range("\"stale\"").status, 200);
    assert_eq!(
        if_range(&format!("W/{etag}")).status,
        200,
        "If-Range needs a strong match"
    );
    // A date is a weak validator: If-Range with one gets the whole file.
    assert_eq!(if_range(part.header("last-modified").unwrap()).status, 200);
    let head = exchange(addr, "HEAD /hello.txt HTTP/1.1\r\nRange: bytes=0-0\r\n");
    assert_eq!(
        (head.status, head.header("content-length")),
        (200, Some("1024")),
        "ranges are for GET"
    );
    running.stop().unwrap();
}

#[test]
fn pipelined_files_come_back_in_order() {
    let site = Site::new();
    let running = site.serve(false);
    let mut stream = connect(running.local_addr());
    let request = "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n\
                   GET /route HTTP/1.1\r\nHost: t\r\n\r\n\
                   HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n\
                   GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=-1\r\n\r\n\
                   GET /nested/ HTTP/1.1\r\nHost: t\r\n\r\n";
    stream.write_all(request.as_bytes()).unwrap();
    assert_eq!(answer(&mut stream, false).body, hello());
    assert_eq!(answer(&mut stream, false).body, b"a route");
    assert_eq!(
        answer(&mut stream, true).header("content-length"),
        Some("1024")
    );
    assert_eq!(answer(&mut stream, false).body, b"j");
    assert_eq!(answer(&mut stream, false).body, b"nested home");
    running.stop().unwrap();
}

// ANCHOR: escapes
/// Every way out of the root we know of, and what it gets. `400` is for
/// what is no path (a broken escape, a control byte, what the parser
/// refuses); `404` for the rest, the same as a file that does not exist.
const ESCAPES: &[(&str, u16)] = &[
    ("/../secret.txt", 404),
    ("/../../../../../../etc/passwd", 404),
    ("/..%2fsecret.txt", 404),
    ("/..%2Fsecret.txt", 404),
    ("/%2e%2e/secret.txt", 404),
    ("/%2E%2E/secret.txt", 404),
    ("/%2e%2E%2fsecret.txt", 404),
    ("/.%2e/secret.txt", 404),
    ("/%2e./secret.txt", 404),
    ("/./../secret.txt", 404),
    ("/sub/../../secret.txt", 404),
    ("/sub/%2e%2e/%2e%2e/secret.txt", 404),
    ("/static/../secret.txt", 404),
    ("/static/%2e%2e/secret.txt", 404),
    ("/%252e%252e/secret.txt", 404),
    ("/%252e%252e%252fsecret.txt", 404),
    ("/..%252fsecret.txt", 404),
    ("/%c0%ae%c0%ae/secret.txt", 404),
    ("/%e0%80%ae%e0%80%ae/secret.txt", 404),
    ("/..;/secret.txt", 404),
    ("/.../secret.txt", 404),
    ("/..%5csecret.txt", 404),
    ("/%5c..%5csecret.txt", 404),
    ("/sub%5c..%5c..%5csecret.txt", 404),
    ("/..\\secret.txt", 400),
    ("//etc/passwd", 404),
    ("/%2fetc%2fpasswd", 404),
    ("/etc-link/passwd", 404),
    ("/link-out", 404),
    ("/link-abs", 404),
    ("/dirlink-out/secret.txt", 404),
    ("/dirlink-out/root/hello.txt", 404),
    ("/dirlink-out/rootless/x.txt", 404),
    ("/.hidden", 404),
    ("/%2ehidden", 404),
    ("/.git/config", 404),
    ("/sub/.hidden2", 404),
    ("/fifo", 404),
    ("/hello.txt/", 404),
    ("/hello.txt/..", 404),
    ("/hello.txt%00.html", 400),
    ("/%00", 400),
    ("/sub/..%00/secret.txt", 400),
    ("/%0d%0aSet-Cookie:%20a=b", 400),
    ("/%", 400),
    ("/%2", 400),
    ("/%zz", 400),
    ("/%73ub/page.html", 404),
    ("//sub/page.html", 404),
    ("/sub//page.html", 404),
    ("/sub/./page.html", 404),
    ("/sub%2fpage.html", 404),
    ("http://t/../secret.txt", 404),
    ("http://t/%2e%2e/secret.txt", 404),
];
// ANCHOR_END: escapes

#[test]
fn nothing_outside_the_root_is_ever_sent() {
    let site = Site::new();
    let running = site.serve(false);
    let addr = running.local_addr();
    assert!(ESCAPES.len() >= 40);
    let long_name = format!("/{}", "a".repeat(300));
    let deep = "/aaaaaaaaaaaaaaa".repeat(300);
    let mut cases: Vec<(String, u16)> = ESCAPES.iter().map(|&(t, s)| (t.to_string(), s)).collect();
    cases.push((long_name, 404));
    cases.push((deep, 404));
    for (target, status) in &cases {
        let answer = get(addr, target);
        let body = String::from_utf8_lossy(&answer.body);
        assert_eq!(answer.status, *status, "{target}: {}", answer.head);
        assert!(
            !body.contains(SECRET) && !body.contains("root:"),
            "{target}: {body}"
        );
    }
    // The controls: the same server does serve what is inside.
    assert_eq!(get(addr, "/hello.txt").status, 200);
    assert_eq!(get(addr, "/sub/page.html").body, b"a page");
    running.stop().unwrap();
}

/// Descriptors this process has open on files under `root`.
fn open_under(root: &Path) -> usize {
    let root = root.canonicalize().unwrap();
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target.starts_with(&root) && *target != root)
        .count()
}

/// Waits until the server has no connection open (a deadline against hangs only).
fn until_no_connections(running: &Running) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while running.stats().connections > 0 {
        assert!(
            Instant::now() < deadline,
            "connections stay open: {:?}",
            running.stats()
        );
        std::thread::yield_now();
    }
}

#[test]
fn a_file_that_shrinks_or_grows_never_sends_more_than_its_head_said() {
    let site = Site::new();
    let big = site.root().join("big.bin");
    let size: u64 = 64 << 20;
    std::fs::File::create(&big).unwrap().set_len(size).unwrap();
    let running = site.serve(false);
    let addr = running.local_addr();

    // Shrinks after the head went out: the rest cannot come, the close says so.
    let mut stream = connect(addr);
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let head = answer(&mut stream, true);
    assert_eq!(head.header("content-length"), Some("67108864"));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(1 << 20)
        .unwrap();
    let mut body = Vec::new();
    stream.read_to_end(&mut body).unwrap();
    assert!((body.len() as u64) < size, "a body of {} bytes", body.len());

    // Grows after the head went out: exactly the announced length, and the
    // connection carries the next request.
    let mut stream = connect(addr);
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let head = answer(&mut stream, true);
    assert_eq!(head.header("content-length"), Some("1048576"));
    std::fs::OpenOptions::new()
        .append(true)
        .open(&big)
        .unwrap()
        .write_all(&[b'x'; 1 << 20])
        .unwrap();
    let mut body = vec![1u8; 1 << 20];
    stream.read_exact(&mut body).unwrap();
    assert!(body.iter().all(|&b| b == 0), "the first MiB, as it was");
    stream
        .write_all(b"GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(answer(&mut stream, false).body, hello());
    drop(stream);
    until_no_connections(&running);
    assert_eq!(open_under(&site.root()), 0, "every file closed");
    running.stop().unwrap();
}

#[test]
fn files_are_closed_after_resets_and_write_timeouts() {
    let site = Site::new();
    let big = site.root().join("big.bin");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
    let running = site.serve(false);
    let addr = running.local_addr();

    // A reset in the middle of a body.
    let mut reset = connect(addr);
    reset
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    answer(&mut reset, true);
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    use std::os::fd::AsRawFd;
    // SAFETY: a valid socket and a valid linger struct of the size given.
    let set = unsafe {
        libc::setsockopt(
            reset.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(set, 0);
    drop(reset);
    until_no_connections(&running);
    assert_eq!(open_under(&site.root()), 0, "closed after a reset");

    // A client that stops reading: the write timeout (0.2 s here) closes it.
    let mut stalled = connect(addr);
    stalled
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    answer(&mut stalled, true);
    until_no_connections(&running);
    assert_eq!(open_under(&site.root()), 0, "closed after a write timeout");
    running.stop().unwrap();
}

#[test]
fn a_large_file_arrives_whole_in_small_reads() {
    let site = Site::new();
    let big = site.root().join("big.bin");
    let pattern: Vec<u8> = (0..(8u32 << 20)).map(|i| (i % 253) as u8).collect();
    std::fs::write(&big, &pattern).unwrap();
    let running = site.serve(false);
    let mut stream = connect(running.local_addr());
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let head = answer(&mut stream, true);
    assert_eq!(head.status, 200);
    let mut body = Vec::new();
    let mut chunk = [0u8; 1000];
    loop {
        match stream.read(&mut chunk).unwrap() {
            0 => break,
            n => body.extend_from_slice(&chunk[..n]),
        }
    }
    assert!(body == pattern, "{} bytes of {}", body.len(), pattern.len());
    // A range of it, by sendfile from an offset.
    let part = exchange(
        running.local_addr(),
        "GET /big.bin HTTP/1.1\r\nRange: bytes=1000000-1999999\r\n",
    );
    assert_eq!(part.status, 206);
    assert!(part.body == pattern[1_000_000..2_000_000]);
    running.stop().unwrap();
}

#[test]
fn middleware_at_a_prefix_cannot_be_walked_around_by_spelling() {
    let site = Site::new();
    let settings = Settings {
        port: 0,
        num_workers: 1,
        ..Settings::default()
    };
    let running = Builder::new()
        .settings(settings)
        .middleware_at("/sub", |_, _| Ok(Response::error(403)))
        .files("/", Files::new(site.root()).unwrap())
        .start()
        .unwrap();
    let addr = running.local_addr();
    assert_eq!(get(addr, "/sub/page.html").status, 403);
    for around in [
        "/%73ub/page.html",
        "//sub/page.html",
        "/./sub/page.html",
        "/x/../sub/page.html",
    ] {
        assert_eq!(get(addr, around).status, 404, "{around}");
    }
    assert_eq!(get(addr, "/hello.txt").status, 200);
    running.stop().unwrap();
}

#[test]
fn files_are_closed_when_a_drain_cuts_a_download_short() {
    let site = Site::new();
    let big = site.root().join("big.bin");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
    let settings = Settings {
        port: 0,
        num_workers: 1,
        // Long enough never to fire here: the drain's deadline must.
        write_timeout_sec: 60.0,
        drain_timeout_sec: 0.05,
        ..Settings::default()
    };
    let running = Builder::new()
        .settings(settings)
        .files("/", Files::new(site.root()).unwrap())
        .start()
        .unwrap();
    // A download the client stops reading: busy, so the drain waits for
    // it, then closes it at its deadline.
    let mut stalled = connect(running.local_addr());
    stalled
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    answer(&mut stalled, true);
    assert!(
        open_under(&site.root()) > 0,
        "the file is open while it is sent"
    );
    running.shutdown().unwrap();
    assert_eq!(open_under(&site.root()), 0, "closed by the drain");
}
