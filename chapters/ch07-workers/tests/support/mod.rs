//! What the integration tests share: a server on 127.0.0.1 for either
//! model, and a small blocking HTTP client that reads responses by their
//! Content-Length, so that pipelined answers can be told apart.

#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use eventcore_poller::Token;
use eventcore_workers::{App, Config, Expiry, Heap, Model, Parts, Phase, Report, Server, Timers};

/// How long a test waits for a condition before it calls it a hang.
pub const HANG: Duration = Duration::from_secs(20);

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
    Server::start(config(model, workers, pool_threads), app).expect("server starts")
}

/// The tests' configuration: 127.0.0.1, a free port.
pub fn config(model: Model, workers: usize, pool_threads: usize) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        workers,
        model,
        pool_threads,
        ..Config::default()
    }
}

/// Waits for `done` (checked every 5 ms), failing the test with `what`
/// if it takes longer than [`HANG`]: a guard against hangs, not a timing.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    assert!(eventually(HANG, &mut done), "gave up waiting: {what}");
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

// ANCHOR: gate
/// Where a handler waits until the test lets it go on: the test knows the
/// handler is running (`wait_entered`) and decides when it ends (`open`),
/// so a test sets up "a request is being handled" without guessing how
/// long that takes on a busy machine.
#[derive(Debug, Clone, Default)]
pub struct Gate(Arc<(Mutex<GateState>, Condvar)>);

#[derive(Debug, Default)]
struct GateState {
    entered: usize,
    open: bool,
}

impl Gate {
    fn state(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.0.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What the handler calls: counts itself in, then waits for `open`.
    pub fn pass(&self) {
        let mut state = self.state();
        state.entered += 1;
        self.0.1.notify_all();
        let deadline = Instant::now() + HANG;
        while !state.open && Instant::now() < deadline {
            state = self
                .0
                .1
                .wait_timeout(state, HANG)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Waits until `n` handlers have entered.
    pub fn wait_entered(&self, n: usize) {
        let mut state = self.state();
        let deadline = Instant::now() + HANG;
        while state.entered < n {
            assert!(
                Instant::now() < deadline,
                "{} of {n} handlers entered",
                state.entered
            );
            state = self
                .0
                .1
                .wait_timeout(state, Duration::from_millis(100))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    pub fn entered(&self) -> usize {
        self.state().entered
    }

    /// Lets every handler waiting at the gate, and every later one, through.
    pub fn open(&self) {
        self.state().open = true;
        self.0.1.notify_all();
    }
}
// ANCHOR_END: gate

/// A connection's name across workers: each worker numbers its own slots.
pub type Key = (usize, Token);

/// Test [`Parts`]: the heap, and timers that only record what every
/// connection last reported, so a test can wait for a connection to reach
/// a phase (or to stop reading) instead of sleeping.
#[derive(Debug, Clone, Default)]
pub struct Recording(pub Arc<Mutex<HashMap<Key, Report>>>);

impl Recording {
    /// True if some open connection's last report satisfies `what`.
    pub fn any(&self, what: impl Fn(&Report) -> bool) -> bool {
        self.count(what) > 0
    }

    /// Open connections whose last report satisfies `what`.
    pub fn count(&self, what: impl Fn(&Report) -> bool) -> usize {
        self.0.lock().unwrap().values().filter(|r| what(r)).count()
    }
}

/// One worker's recording timers.
#[derive(Debug)]
pub struct Recorder {
    worker: usize,
    reports: Arc<Mutex<HashMap<Key, Report>>>,
}

impl Parts for Recording {
    type Store = Heap;
    type Timers = Recorder;

    fn store(&self, _: usize) -> Heap {
        Heap
    }

    fn timers(&self, worker: usize) -> Recorder {
        Recorder {
            worker,
            reports: Arc::clone(&self.0),
        }
    }
}

impl Timers for Recorder {
    fn update(&mut self, token: Token, report: &Report, _: Instant) {
        self.reports
            .lock()
            .unwrap()
            .insert((self.worker, token), *report);
    }

    fn remove(&mut self, token: Token) {
        self.reports.lock().unwrap().remove(&(self.worker, token));
    }

    fn timeout(&mut self, _: Instant) -> Option<Duration> {
        None
    }

    fn next_expired(&mut self, _: Instant) -> Option<(Token, Expiry)> {
        None
    }
}

/// Deadlines armed, by worker and connection: when, what then, and for
/// which phase.
pub type Armed = Arc<Mutex<HashMap<Key, (Instant, Expiry, Phase)>>>;

/// Test timers with one deadline per phase, for the hooks' tests: a
/// connection that stays in a phase with a deadline longer than it is
/// expired with that phase's [`Expiry`].
#[derive(Debug, Clone)]
pub struct Deadlines {
    pub limits: Vec<(Phase, Duration, Expiry)>,
    /// Say yes to a lingering close (`Timers::lingers`).
    pub lingers: bool,
    /// A bug on purpose: keep a closed connection's deadline armed.
    pub forget_removals: bool,
    armed: Armed,
}

impl Deadlines {
    pub fn new(limits: Vec<(Phase, Duration, Expiry)>) -> Deadlines {
        Deadlines {
            limits,
            lingers: false,
            forget_removals: false,
            armed: Armed::default(),
        }
    }

    /// The deadlines armed now, for a test to watch.
    pub fn armed(&self) -> Armed {
        Arc::clone(&self.armed)
    }
}

/// One worker's deadline timers.
#[derive(Debug)]
pub struct DeadlineTimers {
    worker: usize,
    config: Deadlines,
}

impl Parts for Deadlines {
    type Store = Heap;
    type Timers = DeadlineTimers;

    fn store(&self, _: usize) -> Heap {
        Heap
    }

    fn timers(&self, worker: usize) -> DeadlineTimers {
        DeadlineTimers {
            worker,
            config: self.clone(),
        }
    }
}

impl DeadlineTimers {
    fn armed(&self) -> std::sync::MutexGuard<'_, HashMap<Key, (Instant, Expiry, Phase)>> {
        self.config.armed.lock().unwrap()
    }
}

impl Timers for DeadlineTimers {
    fn update(&mut self, token: Token, report: &Report, now: Instant) {
        let key = (self.worker, token);
        let limit = self.config.limits.iter().find(|(p, ..)| *p == report.phase);
        match limit {
            Some(&(_, limit, expiry)) => {
                self.armed()
                    .insert(key, (now + limit, expiry, report.phase));
            }
            None => {
                self.armed().remove(&key);
            }
        }
    }

    fn remove(&mut self, token: Token) {
        if !self.config.forget_removals {
            self.armed().remove(&(self.worker, token));
        }
    }

    fn timeout(&mut self, now: Instant) -> Option<Duration> {
        let worker = self.worker;
        let armed = self.armed();
        let next = armed
            .iter()
            .filter(|((w, _), _)| *w == worker)
            .map(|(_, (at, ..))| *at)
            .min()?;
        Some(next.saturating_duration_since(now))
    }

    fn next_expired(&mut self, now: Instant) -> Option<(Token, Expiry)> {
        let worker = self.worker;
        let mut armed = self.armed();
        let (&key, &(_, expiry, _)) = armed
            .iter()
            .find(|((w, _), (at, ..))| *w == worker && *at <= now)?;
        armed.remove(&key);
        Some((key.1, expiry))
    }

    fn lingers(&self) -> bool {
        self.config.lingers
    }
}

/// The demo's routes plus what the tests need: `/slow/{ms}` (sleeps, and
/// is marked blocking), `/panic`, and `/track` (records how many threads
/// are inside it at once for the client named by `X-Client`).
pub fn test_app() -> App {
    test_app_with(Gate::default())
}

/// [`test_app`] plus `/gate`, a blocking route whose handler waits at
/// `gate`, and `/big/{n}`, `n` bytes of a body shared by every response.
pub fn test_app_with(gate: Gate) -> App {
    use eventcore_http::{Method, Response};
    use eventcore_router::Router;
    static INSIDE: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);
    let track_gate = gate.clone();
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
        .get("/gate", move |_| {
            gate.pass();
            Ok(Response::text("through the gate"))
        })
        .get("/big/{n:[0-9]+}", |ctx| {
            let n: usize = ctx.params.get("n").unwrap_or_default().parse()?;
            Ok(Response::text("").with_body_shared(big_body(n)))
        })
        .route(Method::Get, "/track", move |ctx| {
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
            let query = String::from_utf8_lossy(ctx.request.query().unwrap_or(b""));
            // A client's first request waits at the gate (edge case 4).
            if query == "0" {
                track_gate.pass();
            }
            enter(-1);
            Ok(Response::text(format!("{inside} {query}")))
        })
        .build()
        .unwrap();
    App::new(router)
        .blocking("/slow")
        .blocking("/track")
        .blocking("/gate")
}

/// The first `n` bytes of one shared pattern (64 MiB at most), made once.
pub fn big_body(n: usize) -> Arc<[u8]> {
    static BIG: std::sync::OnceLock<Arc<[u8]>> = std::sync::OnceLock::new();
    let all = BIG.get_or_init(|| pattern(64 << 20).into());
    if n == all.len() {
        return Arc::clone(all);
    }
    all[..n.min(all.len())].into()
}

/// Sets this process's soft RLIMIT_NOFILE with util-linux's `prlimit`
/// (part of every Debian system), which spares the test an unsafe block.
pub fn set_fd_limit(soft: u64) {
    let status = std::process::Command::new("prlimit")
        .arg(format!("--pid={}", std::process::id()))
        .arg(format!("--nofile={soft}:"))
        .status()
        .expect("prlimit runs");
    assert!(status.success(), "prlimit --nofile={soft}");
}

/// This process's soft RLIMIT_NOFILE, from `/proc/self/limits`.
pub fn fd_limit() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    line.split_whitespace().nth(3).unwrap().parse().unwrap()
}

/// Everything the server sends until it closes; a reset counts as a close
/// (what came before it is kept).
pub fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    match stream.read_to_end(&mut got) {
        Ok(_) => got,
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => got,
        Err(e) => panic!("reading: {e}"),
    }
}

/// Reads a byte at a time until `pattern` has come (so that nothing after
/// it is taken); what came. A close before it fails the test.
pub fn read_until(stream: &mut TcpStream, pattern: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    let mut byte = [0u8];
    while !got.ends_with(pattern) {
        let n = stream.read(&mut byte).expect("reading");
        assert_eq!(n, 1, "closed after {:?}", String::from_utf8_lossy(&got));
        got.push(byte[0]);
    }
    got
}
