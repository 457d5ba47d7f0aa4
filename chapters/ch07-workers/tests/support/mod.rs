//! What the integration tests share: a server on 127.0.0.1 for either
//! model, and a small blocking HTTP client that reads responses by their
//! Content-Length, so that pipelined answers can be told apart.

#![allow(dead_code)] // each test binary uses a different part

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use eventcore_workers::{App, Config, Model, Server};

pub const MODELS: [Model; 2] = [Model::Seed, Model::Inline];

/// A server on a free port with two workers and two pool threads each.
pub fn start(model: Model, app: App) -> Server {
    start_workers(model, app, 2)
}

/// A server with `workers` workers and two pool threads each.
pub fn start_workers(model: Model, app: App, workers: usize) -> Server {
    start_with(model, app, workers, 2)
}

/// A server with `workers` workers and `pool_threads` pool threads each.
pub fn start_with(model: Model, app: App, workers: usize, pool_threads: usize) -> Server {
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        workers,
        model,
        pool_threads,
        ..Config::default()
    };
    Server::start(config, app).expect("server starts")
}

/// Polls `done` until it holds or `limit` passes.
pub fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    done()
}

/// Waits until the server holds exactly `n` connections.
pub fn wait_for_connections(server: &Server, n: usize) {
    assert!(
        eventually(Duration::from_secs(10), || server.connections() == n),
        "{} connections open, expected {n}",
        server.connections()
    );
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    /// The value of a header (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client connection that keeps unread bytes between responses.
#[derive(Debug)]
pub struct Client {
    pub stream: TcpStream,
    pending: Vec<u8>,
}

impl Client {
    pub fn connect(server: &Server) -> Client {
        let stream = TcpStream::connect(server.local_addr()).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        Client {
            stream,
            pending: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Sends `GET path` with keep-alive and reads the answer.
    pub fn get(&mut self, path: &str) -> Answer {
        self.send(get(path).as_bytes());
        self.answer().expect("an answer")
    }

    fn fill(&mut self) -> io::Result<usize> {
        let mut buf = [0u8; 64 * 1024];
        let n = self.stream.read(&mut buf)?;
        self.pending.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    /// Reads one response; `Err(UnexpectedEof)` if the server closed first.
    /// Skips interim (1xx) responses.
    pub fn answer(&mut self) -> io::Result<Answer> {
        loop {
            let mut answer = self.head()?;
            let len: usize = answer
                .header("content-length")
                .map_or(0, |v| v.parse().expect("a length"));
            while self.pending.len() < len {
                if self.fill()? == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            }
            answer.body = self.pending.drain(..len).collect();
            if !(100..200).contains(&answer.status) {
                return Ok(answer);
            }
        }
    }

    /// Reads the head of a response to HEAD: its Content-Length describes
    /// a body that is not sent (RFC 9110 section 9.3.2).
    pub fn answer_without_body(&mut self) -> io::Result<Answer> {
        self.head()
    }

    /// Reads a response's head, up to and including the empty line.
    fn head(&mut self) -> io::Result<Answer> {
        let end = loop {
            if let Some(i) = find(&self.pending, b"\r\n\r\n") {
                break i + 4;
            }
            if self.fill()? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        };
        let head = String::from_utf8(self.pending.drain(..end).collect()).expect("ASCII head");
        Ok(Answer {
            status: head[9..12].parse().expect("a status code"),
            head,
            body: Vec::new(),
        })
    }

    /// True if the server closed the connection (EOF) with nothing more to read.
    pub fn closed(&mut self) -> bool {
        self.pending.is_empty() && matches!(self.fill(), Ok(0))
    }
}

pub fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n")
}

pub fn post(path: &str, body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-test\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

/// `body` in chunks of `chunk` bytes (RFC 9112 section 7.1).
pub fn post_chunked(path: &str, body: &[u8], chunk: usize) -> Vec<u8> {
    let mut request =
        format!("POST {path} HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n")
            .into_bytes();
    for piece in body.chunks(chunk) {
        request.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        request.extend_from_slice(piece);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    request
}

/// Bytes that are not all alike, so that a misplaced slice shows.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Runs a test function once per model, as two `#[test]`s.
#[macro_export]
macro_rules! both_models {
    ($($name:ident),* $(,)?) => {
        mod seed {
            $( #[test] fn $name() { super::$name(eventcore_workers::Model::Seed) } )*
        }
        mod inline {
            $( #[test] fn $name() { super::$name(eventcore_workers::Model::Inline) } )*
        }
    };
}

/// The demo's routes plus what the tests need: `/slow/{ms}` (sleeps, and
/// is marked blocking), `/panic`, and `/track` (records how many threads
/// are inside it at once for the client named by `X-Client`).
pub fn test_app() -> App {
    use eventcore_http::{Method, Response};
    use eventcore_router::Router;
    use std::collections::HashMap;
    use std::sync::Mutex;

    static INSIDE: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);
    let router = Router::builder()
        .get("/plaintext", |_| Ok(Response::text("Hello, World!")))
        .get("/users/{id:[0-9]+}", |ctx| {
            Ok(Response::text(format!(
                "user {}",
                ctx.params.get("id").unwrap_or_default()
            )))
        })
        .post("/echo", |ctx| {
            Ok(Response::text(ctx.request.body().to_vec()))
        })
        .get("/slow/{ms:[0-9]+}", |ctx| {
            let ms: u64 = ctx.params.get("ms").unwrap_or_default().parse()?;
            std::thread::sleep(Duration::from_millis(ms));
            Ok(Response::text(format!("slept {ms}")))
        })
        .get("/panic", |_| panic!("a handler bug"))
        .route(Method::Get, "/track", |ctx| {
            let client =
                String::from_utf8_lossy(ctx.request.header("x-client").unwrap_or(b"")).into_owned();
            let enter = |delta: isize| {
                let mut map = INSIDE.lock().unwrap();
                let count = map
                    .get_or_insert_with(HashMap::new)
                    .entry(client.clone())
                    .or_default();
                *count = count.checked_add_signed(delta).unwrap();
                *count
            };
            let inside = enter(1);
            std::thread::sleep(Duration::from_millis(1));
            enter(-1);
            let query = String::from_utf8_lossy(ctx.request.query().unwrap_or(b""));
            Ok(Response::text(format!("{inside} {query}")))
        })
        .build()
        .unwrap();
    App::new(router).blocking("/slow").blocking("/track")
}
