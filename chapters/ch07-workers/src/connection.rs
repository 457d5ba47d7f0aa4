//! One client connection: its socket, its working memory (two buffers and
//! a parser), and the state machine that turns readiness into answered
//! requests.
//!
//! [`Connection::on_ready`] is the seed's `handle_read`, `process_request`
//! and `handle_write` in one call: read, answer every complete request,
//! write, and say what to wait for next. It touches nothing but the
//! connection, the read-only [`Env`] and the [`Store`] it takes memory
//! from, so it runs the same on the event loop (the inline model) and on a
//! pool thread (the seed's model); the worker decides where, and what to
//! do with the [`Outcome`].
//!
//! The buffers and the parser live in a [`Work`] box of their own, apart
//! from the socket and the few flags that make up an idle connection:
//! between requests the box can go back to the store (chapter 8 pools
//! them), and an idle connection is then a socket and a few bytes.

use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, Ordering};

use eventcore_buffer::{Buffer, PREPEND, SPILL_SIZE};
use eventcore_http::response::{Context, INLINE_BODY_MAX};
use eventcore_http::{
    Body, DateCache, FileBody, Limits, Method, Parser, Progress, Request, Response, Version,
    write_response,
};
use eventcore_poller::{Interest, Token};
use eventcore_sockets::Socket;

use crate::App;
use crate::observe::Exchange;
use crate::store::{Retain, Store};

// ANCHOR: state
/// Where a connection is in its life. The seed's four states map onto
/// ownership: *connecting* is an accepted socket with no `Connection` yet
/// (in a worker's mailbox, or for a moment on the accepting worker's
/// stack), *disconnected* is a dropped `Connection` (its fd closed by
/// `Drop`), so only the states in between are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Reading requests and answering them.
    Connected,
    /// The last response is queued (the request or an error said close):
    /// no more reading, close once the output has gone.
    Disconnecting,
    /// The last response is out and our FIN sent; what the client still
    /// sends is read and dropped until it closes too, so that our close
    /// doesn't turn into a reset that destroys the response in flight. Only
    /// when [`Env::linger`] allows it: it needs a deadline (chapter 9).
    Lingering,
}
// ANCHOR_END: state

// ANCHOR: phase
/// What a connection is waiting for, as a timer sees it: each phase has
/// its own kind of deadline (chapter 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// For a request, none of which has arrived: a new connection, or a
    /// kept-alive one between requests.
    Idle,
    /// For the rest of a request head, some of which has arrived.
    Head,
    /// For the rest of a body whose head is complete.
    Body,
    /// For the socket to take output that is waiting.
    Writing,
    /// For a handler on the pool (the worker reports this one: the
    /// connection itself is on the pool then).
    Away,
    /// For the client to close, after our last response (lingering close).
    Lingering,
}

/// What a connection tells the timers after each event it handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub phase: Phase,
    /// Bytes read plus bytes written since the connection opened: a timer
    /// that sees it unchanged knows the event brought no progress.
    pub moved: u64,
    /// Whether the connection still reads; false while backpressure holds
    /// it (its output is at the high-water mark) or once it is closing.
    pub reading: bool,
    /// Requests answered with the connection's working memory (counting
    /// from 0 when it took it, wrapping): a timer that sees it change
    /// knows that the head being read now is a new request's.
    pub answered: u32,
}
// ANCHOR_END: phase

// ANCHOR: outcome
/// What the owner of the connection should do after [`Connection::on_ready`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Keep it and wake it when the socket is ready for this.
    Wait(Interest),
    /// Keep it, and have the poller report it again at once: it stopped
    /// with bytes still to read, so that the worker's other connections
    /// get their turn.
    Yield(Interest),
    /// The next request's route may block: run `on_ready` again on the
    /// pool (only when [`Env::may_block`] is false).
    Blocking,
    /// Drop it: done, failed, or the peer went away.
    Close,
}
// ANCHOR_END: outcome

// ANCHOR: env
/// Why [`Connection::process`] stopped answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The input holds no complete request.
    NeedInput,
    /// The output reached the high-water mark, or a large body is still
    /// going out (answers after it must wait, to stay in order).
    Backlogged,
    /// The next request's route may block and this thread may not.
    Blocking,
    /// The connection is closing: nothing more is read or answered.
    Closing,
    /// The socket failed (the client is gone).
    Failed,
}

/// What `on_ready` needs besides the connection: shared and read-only.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub app: &'a App,
    pub date: &'a DateCache,
    /// The parser's limits (chapter 4), for working memory made new.
    pub limits: Limits,
    /// Stop reading (and answering) while this many bytes wait to be sent.
    pub high_water: usize,
    /// False on the event loop: a blocking route stops processing there.
    pub may_block: bool,
    /// Set when the server starts shutting down: from then on every answer
    /// says `Connection: close` (even one whose handler was already
    /// running), and a connection with no request under way closes.
    pub draining: &'a AtomicBool,
    /// A connection that closes after an error keeps reading until the
    /// client closes too ([`State::Lingering`]). Only with timers that put
    /// a deadline on it: otherwise it reads what has arrived and closes.
    pub linger: bool,
    /// The worker the connection belongs to, and its token there (none
    /// for a connection turned away before it had one), for the
    /// [`Observer`](crate::Observer).
    pub worker: usize,
    pub token: Option<Token>,
}
// ANCHOR_END: env

impl Env<'_> {
    fn draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    /// Tells the app's observer, if any, of a response queued on `socket`.
    #[inline]
    fn observe(
        &self,
        socket: &Socket,
        request: Option<&Request<'_>>,
        response: &Response,
        context: Context,
    ) {
        if let Some(observer) = self.app.observer() {
            observer.answered(&Exchange {
                worker: self.worker,
                connection: self.token,
                socket,
                request,
                status: response.wire_status(),
                body_bytes: response.wire_body_len(context),
            });
        }
    }
}

// ANCHOR: connection
#[derive(Debug)]
pub struct Connection {
    sock: Socket,
    state: State,
    /// `read` returned 0: the client will send nothing more.
    peer_closed: bool,
    /// Bytes read plus bytes written, for [`Report::moved`].
    moved: u64,
    /// The buffers and the parser; `None` before the first event and,
    /// with [`Retain::Nothing`], while idle.
    work: Option<Box<Work>>,
    /// The phase the worker's gauges count it in ([`Stats`](crate::Stats));
    /// `None` until the worker counts it. In a byte of padding: an idle
    /// connection is no bigger for it.
    pub(crate) gauged: Option<Phase>,
}

/// A connection's working memory: what it needs only while a request is
/// being read or answered.
#[derive(Debug)]
pub struct Work {
    /// Bytes read and not yet consumed by a complete request.
    input: Buffer,
    /// Responses not yet taken by the socket.
    output: Buffer,
    parser: Parser,
    /// A large body whose head is in `output`: sent from where it is,
    /// never copied; `left` bytes of it still to go.
    body: Body,
    left: usize,
    /// The socket holds partial segments back (`TCP_CORK`) while a file
    /// goes out by sendfile; see [`Connection::flush`].
    corked: bool,
    /// `100 Continue` went out for the request being read.
    continue_sent: bool,
    /// Requests answered since this `Work` was taken, for [`Report`].
    answered: u32,
}
// ANCHOR_END: connection

/// Bytes a connection may read per readiness event before it yields: a
/// turn. Enough for any request within the default limits, and a bound on
/// how long one client can keep its worker from the others. Dropping the
/// input of a closing connection counts against the same turn.
const BYTES_PER_TURN: usize = 1 << 20;

/// The most storage an empty buffer keeps between events with
/// [`Retain::Small`]. Enough for a batch of pipelined answers (16 small
/// answers grow the output buffer to 4 KiB), which a connection under
/// steady pipelining needs again on its next event: releasing it would
/// cost an allocation, zeroing and copies per batch (measured: 14% more
/// CPU per pipelined request). A buffer grown past it for a large request
/// or response goes back.
pub const KEEP_IDLE: usize = 16 * 1024 + PREPEND;

/// The interim response for `Expect: 100-continue` (RFC 9110 section 10.1.1).
const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

impl Work {
    /// Empty buffers (no storage until used) and a parser with `limits`.
    pub fn new(limits: Limits) -> Work {
        Work {
            input: Buffer::new(),
            output: Buffer::new(),
            parser: Parser::new(limits),
            body: Body::Empty,
            left: 0,
            corked: false,
            continue_sent: false,
            answered: 0,
        }
    }

    /// Nothing read, nothing to send: what a connection between requests
    /// holds, and what may be handed to the next one.
    pub fn is_clear(&self) -> bool {
        self.input.is_empty() && self.output.is_empty() && !self.sending_body()
    }

    /// Heap bytes held, the box itself included.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of::<Work>()
            + self.input.allocated_bytes()
            + self.output.allocated_bytes()
            + self.parser.heap_bytes()
    }

    /// Gives back what a large request or response left: an empty buffer
    /// that grew past [`KEEP_IDLE`] is released (the next read or response
    /// takes new storage), and the parser keeps a small table.
    #[inline]
    pub fn shrink(&mut self) {
        for buffer in [&mut self.input, &mut self.output] {
            if buffer.is_empty() && buffer.allocated_bytes() > KEEP_IDLE {
                buffer.release();
            }
        }
        if self.input.is_empty() {
            self.parser.shrink();
        }
    }

    /// Ready for another connection: empty, the parser reset. The storage
    /// stays (that is the point of handing a `Work` on).
    pub fn clear(&mut self) {
        self.input.retrieve_all();
        self.output.retrieve_all();
        self.parser.reset();
        self.body = Body::Empty;
        self.left = 0;
        self.corked = false;
        self.continue_sent = false;
        self.answered = 0;
    }

    fn sending_body(&self) -> bool {
        self.left > 0
    }

    /// Output that blocks further answers: the high-water mark reached, or
    /// a body still going out.
    fn blocked(&self, high_water: usize) -> bool {
        self.output.readable_bytes() >= high_water || self.sending_body()
    }
}

impl Connection {
    pub fn new(sock: Socket) -> Connection {
        Connection {
            sock,
            state: State::Connected,
            peer_closed: false,
            moved: 0,
            work: None,
            gauged: None,
        }
    }

    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    pub fn state(&self) -> State {
        self.state
    }

    // ANCHOR: report
    /// What the connection waits for now (see [`Phase`]).
    pub fn phase(&self) -> Phase {
        if self.state == State::Lingering {
            return Phase::Lingering;
        }
        match &self.work {
            None => Phase::Idle,
            Some(work) if !work.output.is_empty() || work.sending_body() => Phase::Writing,
            Some(work) if work.parser.reading_body() => Phase::Body,
            Some(work) if !work.input.is_empty() => Phase::Head,
            Some(_) => Phase::Idle,
        }
    }

    pub fn report(&self, high_water: usize) -> Report {
        let blocked = self.work.as_ref().is_some_and(|w| w.blocked(high_water));
        Report {
            phase: self.phase(),
            moved: self.moved,
            reading: self.state == State::Connected && !self.peer_closed && !blocked,
            answered: self.work.as_ref().map_or(0, |w| w.answered),
        }
    }
    // ANCHOR_END: report

    /// Heap bytes the connection holds besides itself: its working memory,
    /// if it has any.
    pub fn heap_bytes(&self) -> usize {
        self.work.as_ref().map_or(0, |work| work.heap_bytes())
    }

    // ANCHOR: memory
    /// Makes sure the connection has working memory, from `store`. The
    /// worker calls it before sending a connection to the pool, so that the
    /// pool thread never needs the worker's store.
    pub fn equip(&mut self, store: &mut impl Store, limits: Limits) -> &mut Work {
        self.work.get_or_insert_with(|| store.take(limits))
    }

    /// Between events: what the connection keeps of its working memory.
    /// With [`Retain::Small`] a buffer that grew for a large request or
    /// response shrinks back; with [`Retain::Nothing`] a connection with
    /// nothing read and nothing to send hands all of it back to `store`.
    #[inline]
    pub fn park(&mut self, store: &mut impl Store, retain: Retain) {
        let Some(work) = &mut self.work else {
            return;
        };
        match retain {
            Retain::Nothing if work.is_clear() => {
                if let Some(mut work) = self.work.take() {
                    work.clear();
                    store.give(work);
                }
            }
            Retain::Small | Retain::Nothing => work.shrink(),
        }
    }

    /// Hands the working memory back as the connection closes.
    pub fn recycle(mut self, store: &mut impl Store) {
        if let Some(mut work) = self.work.take() {
            work.clear();
            store.give(work);
        }
    }
    // ANCHOR_END: memory

    // ANCHOR: on_ready
    /// Handles one readiness event: steps 8 to 14 of the seed's request
    /// flow. `read_closed` is the event's hint that the peer's FIN has
    /// arrived (see the short-read rule below).
    pub fn on_ready(
        &mut self,
        env: &Env<'_>,
        store: &mut impl Store,
        read_closed: bool,
    ) -> Outcome {
        if self.state == State::Lingering {
            return self.linger(env, store);
        }
        // Edge-triggered: this event may be the only notice of bytes that
        // are already there, so start by assuming there is something to read.
        let mut readable = true;
        let mut turn = 0;
        if self.work.is_none() {
            // Nothing read and nothing to send: a new connection, or an idle
            // one that gave its working memory back. The first read lands in
            // the stack, and memory comes from the store only with bytes: a
            // wake-up for nothing, or the client's FIN, costs it nothing.
            match self.first_read(store, env.limits) {
                Ok(0) => self.peer_closed = true,
                Ok(n) => {
                    turn = n;
                    self.moved += n as u64;
                    readable = read_closed || n >= SPILL_SIZE;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return Outcome::Close,
            }
            if self.work.is_none() {
                return self.next_step(env, turn);
            }
        }
        loop {
            // Steps 9-12: answer every complete request already read. Bytes
            // may be waiting from before a pause or a trip to the pool.
            let stop = self.process(env);
            // Step 13: write until the output is empty or the socket is
            // full; before a trip to the pool too, so that answers already
            // made don't wait for a slow handler.
            if stop == Stop::Failed || self.flush().is_err() {
                return Outcome::Close;
            }
            if self.work().blocked(env.high_water) {
                break; // backpressure: read nothing more until EPOLLOUT
            }
            match stop {
                Stop::Blocking => return Outcome::Blocking,
                // The output was blocked and has drained: answer the
                // requests still waiting before reading new ones.
                Stop::Backlogged => continue,
                Stop::Closing => break,
                Stop::NeedInput | Stop::Failed => {}
            }
            if !readable || self.peer_closed {
                break;
            }
            if turn >= BYTES_PER_TURN {
                return match self.next_step(env, turn) {
                    Outcome::Wait(interest) => Outcome::Yield(interest),
                    other => other,
                };
            }
            // Step 8: one read, then back to answering what it brought.
            // Answering between reads keeps the input to about one request
            // plus one read, however fast the client sends.
            let sock = &self.sock;
            match self.work.as_mut().map(|w| w.input.read_from_fd(sock)) {
                Some(Ok(0)) => self.peer_closed = true,
                // A read shorter than the spill area emptied the socket's
                // receive queue, and new bytes will make a new edge (the
                // `et_vs_lt` measurement of chapter 3): skip the read that
                // would only say WouldBlock. Not when the FIN came with this
                // edge, though: no later edge would announce it.
                Some(Ok(n)) => {
                    turn += n;
                    self.moved += n as u64;
                    readable = read_closed || n >= SPILL_SIZE;
                }
                Some(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => readable = false,
                _ => return Outcome::Close,
            }
        }
        self.next_step(env, turn)
    }
    // ANCHOR_END: on_ready

    // ANCHOR: first_read
    /// Reads into a buffer with no storage, which takes its storage from a
    /// `Work` of `store`'s only if bytes come (chapter 2's
    /// `read_from_fd_with`); that `Work` becomes the connection's.
    fn first_read(&mut self, store: &mut impl Store, limits: Limits) -> io::Result<usize> {
        let mut input = Buffer::new();
        let mut taken = None;
        let n = input.read_from_fd_with(&self.sock, || {
            let work = taken.insert(store.take(limits));
            work.input.take_storage().unwrap_or_default()
        })?;
        if let Some(mut work) = taken {
            work.input = input;
            self.work = Some(work);
        }
        Ok(n)
    }
    // ANCHOR_END: first_read

    /// The working memory; `on_ready` returns before anything uses this
    /// if the connection has none (its first read took one if bytes came).
    fn work(&mut self) -> &mut Work {
        self.work
            .as_deref_mut()
            .expect("a connection is equipped before it works")
    }

    // ANCHOR: process
    /// Answers the complete requests at the front of the input, in order,
    /// and says why it stopped.
    fn process(&mut self, env: &Env<'_>) -> Stop {
        loop {
            if self.state != State::Connected {
                return Stop::Closing;
            }
            let work = self.work();
            if work.blocked(env.high_water) {
                return Stop::Backlogged;
            }
            match work.parser.parse(work.input.peek()) {
                Ok(Progress::Partial) => {
                    if work.parser.expects_continue() && !work.continue_sent {
                        work.output.append(CONTINUE);
                        work.continue_sent = true;
                    }
                    return Stop::NeedInput;
                }
                Ok(Progress::Complete { len }) => {
                    if env.app.is_blocking(&work.parser.request(work.input.peek())) {
                        if !env.may_block {
                            return Stop::Blocking;
                        }
                        // Answers already made go out before a slow handler
                        // runs, and a client already gone gets no handler.
                        if self.flush().is_err() {
                            return Stop::Failed;
                        }
                    }
                    // Borrowed apart from the socket, which the observer sees.
                    let work = self.work.as_deref().expect("equipped above");
                    let request = work.parser.request(work.input.peek());
                    // The router catches a panicking handler and answers 500.
                    let mut response = env.app.router().handle(request);
                    // After the handler: a drain may have begun meanwhile.
                    let context = Context {
                        head_request: request.method() == Method::Head,
                        close: !request.keep_alive() || env.draining(),
                        http10_keep_alive: request.version() == Version::Http10
                            && request.keep_alive(),
                    };
                    env.observe(&self.sock, Some(&request), &response, context);
                    self.respond(&mut response, context, env.date);
                    let work = self.work();
                    work.input.retrieve(len);
                    work.parser.reset();
                    work.continue_sent = false;
                    work.answered = work.answered.wrapping_add(1);
                }
                Err(error) => {
                    // RFC 9112 section 9.6 lets a server close at any time;
                    // after a parse error it must, since where the next
                    // request would start is unknown.
                    let context = Context {
                        close: error.closes_connection() || env.draining(),
                        ..Context::default()
                    };
                    work.input.retrieve_all();
                    work.parser.reset();
                    let mut response = Response::error(error.status());
                    env.observe(&self.sock, None, &response, context);
                    self.respond(&mut response, context, env.date);
                }
            }
        }
    }
    // ANCHOR_END: process

    // ANCHOR: respond
    /// Queues a response. A large body stays where the handler put it: the
    /// connection keeps it and sends it after the head, in gathered writes
    /// (or, for a file, by `sendfile`), however long the client takes to
    /// read it.
    fn respond(&mut self, response: &mut Response, context: Context, date: &DateCache) {
        let work = self.work();
        let rest = write_response(&mut work.output, response, context, date);
        let mut shrunk = false;
        // `rest` is the whole body, or a file's bytes follow (none for a
        // HEAD or a 304): keep the body, not a copy of it.
        let follows = match &response.body {
            Body::File(file) => match response.wire_body_len(context) {
                // A small file is copied like any small body: one `pread`
                // behind its head, and head and body leave in one write.
                // sendfile's setup costs more than copying a few KiB
                // (measured in the book's chapter on serving files).
                len @ 1..=INLINE_BODY_MAX => {
                    // The head is out and promised `len` bytes that the
                    // file no longer has: the close tells the client.
                    shrunk = copy_file(&mut work.output, file, len).is_err();
                    0
                }
                len => len,
            },
            _ => rest.len(),
        };
        if follows > 0 {
            work.body = std::mem::take(&mut response.body);
            work.left = follows;
        }
        if context.close || response.close || shrunk {
            self.state = State::Disconnecting;
        }
    }

    /// Queues `status`'s error page and a close, and writes what it can:
    /// for a request the server won't finish (chapter 9's `408` on a
    /// deadline, the `503` of a full pool queue).
    pub fn fail(&mut self, status: u16, env: &Env<'_>, store: &mut impl Store) -> Outcome {
        let connected = self.state == State::Connected;
        let work = self.equip(store, env.limits);
        // A last answer already on its way, or a body half sent that the
        // error page would cut into: closing is all that is left.
        if !connected || work.sending_body() {
            return Outcome::Close;
        }
        work.input.retrieve_all();
        work.parser.reset();
        let context = Context {
            close: true,
            ..Context::default()
        };
        let mut response = Response::error(status);
        env.observe(&self.sock, None, &response, context);
        self.respond(&mut response, context, env.date);
        if self.flush().is_err() {
            return Outcome::Close;
        }
        self.next_step(env, 0)
    }
    // ANCHOR_END: respond

    // ANCHOR: flush
    /// Sends until the output and any large body are gone (`Ok`) or the
    /// socket is full (`Ok`, output left); any other error means the peer
    /// is gone, or a file being sent shrank under it.
    fn flush(&mut self) -> io::Result<()> {
        let Some(work) = self.work.as_deref_mut() else {
            return Ok(());
        };
        while !work.output.is_empty() || work.left > 0 {
            let file = match &work.body {
                Body::File(file) if work.left > 0 => Some(file),
                _ => None,
            };
            // A file is corked from its head to its last byte. Without it,
            // each sendfile that fills the socket ends in a push of a
            // partial segment, and the rest of the queue goes out later, as
            // the client's ACKs arrive; with it, segments leave full, and a
            // 1 MiB file arrived 1.5 times as fast (measured in the book's
            // chapter on serving files). An error here only costs that.
            if file.is_some() && !work.corked {
                let _ = self.sock.set_cork(true);
                work.corked = true;
            }
            // A file goes after the head: sendfile(2) cannot gather.
            let result = if work.left == 0 || (file.is_some() && !work.output.is_empty()) {
                work.output.send_to(&self.sock)
            } else if let Some(file) = file {
                let at = file.offset + (file.len - work.left as u64);
                match self.sock.send_file(file.file.as_fd(), at, work.left) {
                    // The file shrank: the head promised more than there
                    // is, and only a close can tell the client.
                    Ok(0) => Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
                    Ok(sent) => {
                        work.left -= sent;
                        if work.left == 0 {
                            // Closes the file (or drops a reference).
                            work.body = Body::Empty;
                            // Uncorked, the tail leaves now, not up to
                            // 200 ms later (tcp(7)).
                            let _ = self.sock.set_cork(false);
                            work.corked = false;
                        }
                        Ok(sent)
                    }
                    Err(e) => Err(e),
                }
            } else {
                // Head and body in one gathered write.
                let body = work.body.as_bytes();
                match work
                    .output
                    .send_with(&self.sock, &body[body.len() - work.left..])
                {
                    Ok(sent) => {
                        work.left -= sent.body;
                        if work.left == 0 {
                            // All out: let go of the body (a Vec or a
                            // reference count).
                            work.body = Body::Empty;
                        }
                        Ok(sent.head + sent.body)
                    }
                    Err(e) => Err(e),
                }
            };
            match result {
                Ok(n) => self.moved += n as u64,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    // ANCHOR_END: flush

    // ANCHOR: discard_input
    /// Reads and drops up to `budget` bytes of what the client has sent.
    /// Closing a socket with unread bytes makes the kernel send RST instead
    /// of FIN, and a client that gets the RST before it has read our last
    /// response (an error after a bad request, or the answer to a
    /// `Connection: close` followed by more pipelined bytes) may lose the
    /// response with it. Returns false once the client has closed (or failed).
    fn discard_input(&mut self, budget: usize) -> bool {
        let Some(work) = self.work.as_deref_mut() else {
            return true;
        };
        let mut dropped = 0;
        let open = loop {
            match work.input.read_from_fd(&self.sock) {
                Ok(0) => break false,
                Ok(n) => dropped += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break true,
                Err(_) => break false,
            }
            work.input.retrieve_all();
            if dropped >= budget {
                break true;
            }
        };
        work.input.retrieve_all();
        self.moved += dropped as u64;
        open
    }

    /// A lingering connection's event: drop what came, until the client
    /// closes (or a timer closes the connection).
    fn linger(&mut self, env: &Env<'_>, store: &mut impl Store) -> Outcome {
        self.equip(store, env.limits);
        match self.discard_input(BYTES_PER_TURN) {
            true => Outcome::Wait(Interest::READABLE),
            false => Outcome::Close,
        }
    }
    // ANCHOR_END: discard_input

    // ANCHOR: next_step
    /// What to wait for, now that reading and writing have gone as far as
    /// they can in this turn (`turn` bytes read so far).
    fn next_step(&mut self, env: &Env<'_>, turn: usize) -> Outcome {
        let (pending, clear) = match &self.work {
            Some(work) => (
                !work.output.is_empty() || work.sending_body(),
                work.is_clear(),
            ),
            None => (false, true),
        };
        let done = match self.state {
            State::Disconnecting => !pending,
            // A half-closed client has had every complete request answered;
            // bytes left in the input are a request that will never be
            // finished (the client vanished mid-request). While the server
            // drains, a connection with no request under way closes too.
            State::Connected => (self.peer_closed && !pending) || (clear && env.draining()),
            State::Lingering => false,
        };
        if done {
            // Our FIN after the last response, before close(2) drops the fd.
            let _ = self.sock.shutdown(std::net::Shutdown::Write);
            if self.peer_closed {
                return Outcome::Close;
            }
            if env.linger {
                self.state = State::Lingering;
                return self.linger_or_close();
            }
            // Without a deadline to bound it, only what has arrived is
            // read, within what is left of this turn.
            self.discard_input(BYTES_PER_TURN.saturating_sub(turn));
            return Outcome::Close;
        }
        let blocked = self
            .work
            .as_ref()
            .is_some_and(|w| w.blocked(env.high_water));
        Outcome::Wait(Interest {
            readable: self.state == State::Connected && !self.peer_closed && !blocked,
            writable: pending,
        })
    }
    // ANCHOR_END: next_step

    fn linger_or_close(&mut self) -> Outcome {
        match self.discard_input(SPILL_SIZE) {
            true => Outcome::Wait(Interest::READABLE),
            false => Outcome::Close,
        }
    }
}

// ANCHOR: copy_file
/// `len` bytes of a file body into `output`, behind the head already there.
/// A short read (the file shrank since its `fstat`) commits nothing.
fn copy_file(output: &mut Buffer, file: &FileBody, len: usize) -> io::Result<()> {
    output.ensure_writable(len);
    file.file
        .read_exact_at(&mut output.writable_slice()[..len], file.offset)?;
    output.commit(len);
    Ok(())
}
// ANCHOR_END: copy_file

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Heap;
    use eventcore_router::Router;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};

    use eventcore_sockets::SockFlags;

    /// A server-side `Connection` and the client's end of it, over loopback.
    fn pair() -> (Connection, TcpStream) {
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let listener = Socket::listen_on(&any, 16).unwrap();
        // A blocking accept: the handshake may finish after `connect` returns.
        listener.set_nonblocking(false).unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let (sock, _) = listener.accept(SockFlags::NONBLOCKING).unwrap();
        (Connection::new(sock), client)
    }

    /// Waits (up to 10 s) until the connection's socket is readable, or
    /// also reports the peer's FIN: what the worker's poller would wait for
    /// before calling `on_ready`.
    fn arrived(conn: &Connection, fin: bool) {
        use eventcore_poller::{Backend, Mode, Poller, Token};
        let mut poller = Poller::new(Backend::Epoll).unwrap();
        poller
            .register(conn.socket(), Token(0), Interest::READABLE, Mode::LEVEL)
            .unwrap();
        let mut events = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            poller
                .wait(&mut events, Some(std::time::Duration::from_millis(100)))
                .unwrap();
            if events.iter().any(|e| e.readable && (!fin || e.read_closed)) {
                return;
            }
        }
        panic!("nothing arrived");
    }

    fn app() -> App {
        let router = Router::builder()
            .get("/", |_| Ok(Response::text("hi")))
            .post("/sink", |_| Ok(Response::new(204)))
            .build()
            .unwrap();
        App::new(router).blocking("/slow")
    }

    static NOT_DRAINING: AtomicBool = AtomicBool::new(false);

    fn env<'a>(app: &'a App, date: &'a DateCache, may_block: bool) -> Env<'a> {
        Env {
            app,
            date,
            limits: Limits::default(),
            high_water: 64 * 1024,
            may_block,
            draining: &NOT_DRAINING,
            linger: false,
            worker: 0,
            token: None,
        }
    }

    fn ready(conn: &mut Connection, app: &App, may_block: bool) -> Outcome {
        ready_with(conn, app, may_block, false)
    }

    fn ready_with(conn: &mut Connection, app: &App, may_block: bool, read_closed: bool) -> Outcome {
        let date = DateCache::default();
        conn.on_ready(&env(app, &date, may_block), &mut Heap, read_closed)
    }

    fn read_some(client: &mut TcpStream) -> String {
        let mut buf = vec![0; 4096];
        let n = client.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[test]
    fn a_small_file_is_copied_behind_the_head_and_a_short_one_not_at_all() {
        let path = std::env::temp_dir().join(format!("ch07-copy-file-{}", std::process::id()));
        std::fs::write(&path, b"0123456789").unwrap();
        let file = std::sync::Arc::new(std::fs::File::open(&path).unwrap());
        std::fs::remove_file(&path).unwrap();
        let mut output = Buffer::new();
        output.append(b"head;");
        let part = FileBody {
            file: file.clone(),
            offset: 2,
            len: 5,
        };
        copy_file(&mut output, &part, 5).unwrap();
        assert_eq!(output.peek(), b"head;23456");
        // Claims more than the file has (it shrank after its fstat).
        let past = FileBody {
            file,
            offset: 8,
            len: 5,
        };
        assert!(copy_file(&mut output, &past, 5).is_err());
        assert_eq!(output.peek(), b"head;23456", "nothing of it committed");
    }

    #[test]
    fn a_large_file_is_corked_from_its_head_to_its_last_byte() {
        const LEN: usize = 4 << 20;
        let path = std::env::temp_dir().join(format!("ch07-cork-{}", std::process::id()));
        let bytes: Vec<u8> = (0..LEN).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let file = std::sync::Arc::new(std::fs::File::open(&path).unwrap());
        std::fs::remove_file(&path).unwrap();
        let router = Router::builder()
            .get("/big", move |_| {
                Ok(Response::new(200).with_file(FileBody {
                    file: file.clone(),
                    offset: 0,
                    len: LEN as u64,
                }))
            })
            .get("/", |_| Ok(Response::text("hi")))
            .build()
            .unwrap();
        let app = App::new(router);
        let (mut conn, mut client) = pair();
        // A small send buffer, so that the file cannot leave in one call.
        conn.socket()
            .set_option_int(libc::SOL_SOCKET, libc::SO_SNDBUF, 64 * 1024)
            .unwrap();
        client
            .write_all(b"GET /big HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
            .unwrap();
        arrived(&conn, false);
        assert_eq!(
            ready(&mut conn, &app, false),
            Outcome::Wait(Interest::WRITABLE)
        );
        assert!(conn.socket().cork().unwrap(), "corked while the file goes");
        let mut received = Vec::new();
        let mut buf = vec![0; 256 * 1024];
        while !received.ends_with(b"\r\n\r\nhi") {
            let n = client.read(&mut buf).unwrap();
            assert!(n > 0, "closed after {} bytes", received.len());
            received.extend_from_slice(&buf[..n]);
            ready(&mut conn, &app, false);
        }
        assert!(
            !conn.socket().cork().unwrap(),
            "uncorked after its last byte"
        );
        let head_end = received.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert!(received.starts_with(b"HTTP/1.1 200 OK\r\n"));
        assert_eq!(&received[head_end..head_end + LEN], &bytes[..]);
        assert!(received[head_end + LEN..].starts_with(b"HTTP/1.1 200 OK\r\n"));
    }

    #[test]
    fn a_request_is_answered_and_the_connection_waits_for_more() {
        let (mut conn, mut client) = pair();
        assert_eq!(conn.phase(), Phase::Idle);
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            .unwrap();
        arrived(&conn, false);
        assert_eq!(
            ready(&mut conn, &app(), false),
            Outcome::Wait(Interest::READABLE)
        );
        assert!(read_some(&mut client).starts_with("HTTP/1.1 200 OK\r\n"));
        assert_eq!(conn.state(), State::Connected);
        assert_eq!(conn.phase(), Phase::Idle);
    }

    #[test]
    fn a_blocking_route_stops_the_loop_and_runs_on_the_pool() {
        let (mut conn, mut client) = pair();
        client
            .write_all(b"GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
            .unwrap();
        arrived(&conn, false);
        let app = app();
        assert_eq!(ready(&mut conn, &app, false), Outcome::Blocking);
        assert_eq!(
            ready(&mut conn, &app, true),
            Outcome::Wait(Interest::READABLE)
        );
        assert!(read_some(&mut client).starts_with("HTTP/1.1 404 Not Found\r\n"));
    }

    #[test]
    fn a_parse_error_is_answered_and_closes() {
        let (mut conn, mut client) = pair();
        client.write_all(b"GET / HTTP/2.0\r\n\r\n").unwrap();
        arrived(&conn, false);
        assert_eq!(ready(&mut conn, &app(), false), Outcome::Close);
        let answer = read_some(&mut client);
        assert!(answer.starts_with("HTTP/1.1 505 "), "{answer}");
        assert!(answer.contains("\r\nConnection: close\r\n"));
    }

    #[test]
    fn a_half_closed_client_gets_its_answer_then_the_close() {
        let (mut conn, mut client) = pair();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            .unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        arrived(&conn, true);
        // The FIN came with the data, so the event says so (EPOLLRDHUP).
        assert_eq!(ready_with(&mut conn, &app(), false, true), Outcome::Close);
        drop(conn);
        let mut all = String::new();
        client.read_to_string(&mut all).unwrap();
        assert!(all.starts_with("HTTP/1.1 200 OK\r\n"), "{all}");
    }

    #[test]
    fn expect_100_continue_gets_the_interim_response_before_the_body() {
        let router = Router::builder()
            .post("/up", |ctx| Ok(Response::text(ctx.request.body().to_vec())))
            .build()
            .unwrap();
        let app = App::new(router);
        let (mut conn, mut client) = pair();
        client
            .write_all(
                b"POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n",
            )
            .unwrap();
        arrived(&conn, false);
        assert_eq!(
            ready(&mut conn, &app, false),
            Outcome::Wait(Interest::READABLE)
        );
        assert_eq!(conn.phase(), Phase::Body);
        assert_eq!(read_some(&mut client), "HTTP/1.1 100 Continue\r\n\r\n");
        client.write_all(b"abc").unwrap();
        arrived(&conn, false);
        assert_eq!(
            ready(&mut conn, &app, false),
            Outcome::Wait(Interest::READABLE)
        );
        let answer = read_some(&mut client);
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.ends_with("abc"));
    }

    #[test]
    fn a_connection_yields_after_a_turn_of_reading() {
        // Requests with 60 KB bodies and empty answers: the output never
        // backs up, so only the turn can end the reading.
        let (mut conn, mut client) = pair();
        // A receive buffer that takes everything the client sends, so that
        // no read comes back short (a short read ends a turn by itself).
        conn.socket()
            .set_option_int(libc::SOL_SOCKET, libc::SO_RCVBUF, 4 << 20)
            .unwrap();
        let mut request =
            b"POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 60000\r\n\r\n".to_vec();
        request.resize(request.len() + 60_000, b'x');
        // Fill the kernel's buffers (several MiB on loopback by default).
        client.set_nonblocking(true).unwrap();
        let mut queued = 0;
        while let Ok(n) = client.write(&request[queued % request.len()..]) {
            queued += n;
        }
        // Twice a turn (`BYTES_PER_TURN`, 1 MiB) at least.
        assert!(queued > 2 << 20, "only {queued} bytes queued");
        arrived(&conn, false);
        assert!(
            matches!(ready(&mut conn, &app(), false), Outcome::Yield(_)),
            "a connection with {queued} bytes to read did not give up its turn"
        );
    }

    #[test]
    fn a_blocking_handler_does_not_run_for_a_client_that_is_gone() {
        use std::os::unix::net::UnixStream;
        use std::sync::atomic::AtomicUsize;
        static RAN: AtomicUsize = AtomicUsize::new(0);
        let router = Router::builder()
            .get("/", |_| Ok(Response::text("hi")))
            .get("/report", |_| {
                RAN.fetch_add(1, Ordering::SeqCst);
                Ok(Response::text("made"))
            })
            .build()
            .unwrap();
        let app = App::new(router).blocking("/report");
        // A stream socket pair: after the client shuts down its reading
        // side, every send to it fails (EPIPE), while what it sent before
        // can still be read.
        let (mut client, server) = UnixStream::pair().unwrap();
        server.set_nonblocking(true).unwrap();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /report HTTP/1.1\r\nHost: a\r\n\r\n")
            .unwrap();
        client.shutdown(std::net::Shutdown::Read).unwrap();
        let mut conn = Connection::new(Socket::from(std::os::fd::OwnedFd::from(server)));
        // On the pool (may block): the answer to `/` can't be sent, so the
        // report is never made.
        assert_eq!(ready(&mut conn, &app, true), Outcome::Close);
        assert_eq!(RAN.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_closing_connection_lingers_only_when_allowed() {
        let app = app();
        let date = DateCache::default();
        for linger in [false, true] {
            let (mut conn, mut client) = pair();
            client.write_all(b"GET / HTTP/2.0\r\n\r\n").unwrap();
            arrived(&conn, false);
            let env = Env {
                linger,
                ..env(&app, &date, false)
            };
            let outcome = conn.on_ready(&env, &mut Heap, false);
            assert!(read_some(&mut client).starts_with("HTTP/1.1 505 "));
            if !linger {
                assert_eq!(outcome, Outcome::Close);
                continue;
            }
            assert_eq!(outcome, Outcome::Wait(Interest::READABLE));
            assert_eq!(
                (conn.state(), conn.phase()),
                (State::Lingering, Phase::Lingering)
            );
            // What the client still sends is dropped, until it closes.
            client.write_all(&[b'x'; 100_000]).unwrap();
            client.shutdown(std::net::Shutdown::Write).unwrap();
            let mut outcome = Outcome::Wait(Interest::READABLE);
            while outcome != Outcome::Close {
                arrived(&conn, false);
                outcome = conn.on_ready(&env, &mut Heap, false);
            }
        }
    }

    #[test]
    fn closing_reads_what_was_sent_within_the_turn_and_no_more() {
        // Most of a turn of uploads answered with 204, then a request that
        // says close, then more than a turn of bytes nobody will answer.
        let (mut conn, mut client) = pair();
        conn.socket()
            .set_option_int(libc::SOL_SOCKET, libc::SO_RCVBUF, 8 << 20)
            .unwrap();
        let mut upload =
            b"POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 60000\r\n\r\n".to_vec();
        upload.resize(upload.len() + 60_000, b'u');
        let mut sent = upload.repeat(14);
        sent.extend_from_slice(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        client.write_all(&sent).unwrap();
        client.set_nonblocking(true).unwrap();
        let junk = vec![b'x'; 1 << 16];
        let mut queued = sent.len();
        while let Ok(n) = client.write(&junk) {
            queued += n;
        }
        assert!(queued > 2 * BYTES_PER_TURN, "only {queued} bytes queued");
        arrived(&conn, false);
        assert_eq!(ready(&mut conn, &app(), false), Outcome::Close);
        // All in one event: the requests, and what was dropped after the
        // last one, add up to one turn and the read that crossed its end
        // (a read takes the buffer's room, here up to a few 64 KiB, plus
        // the 64 KiB spill). The answers written are a few hundred bytes.
        // Dropping a whole turn more, as a first version did, is 2 MiB.
        let moved = conn.report(64 * 1024).moved as usize;
        assert!(
            moved <= BYTES_PER_TURN + (256 << 10),
            "{moved} bytes read and written in one event"
        );
    }

    // ANCHOR: retain_test
    #[test]
    fn an_idle_connection_keeps_what_a_small_request_leaves_whatever_it_carried() {
        let (mut conn, mut client) = pair();
        let app = app();
        let mut exchange = |conn: &mut Connection, request: &[u8]| {
            client.write_all(request).unwrap();
            arrived(conn, false);
            // A big request may take several events.
            while conn.phase() != Phase::Idle
                || ready(conn, &app, false) != Outcome::Wait(Interest::READABLE)
            {
                if conn.phase() != Phase::Idle {
                    arrived(conn, false);
                }
            }
            conn.park(&mut Heap, Retain::Small);
            let answer = read_some(&mut client);
            assert!(answer.starts_with("HTTP/1.1 2"), "{answer}");
        };
        exchange(&mut conn, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        let small = conn.heap_bytes();
        // A 60 KiB chunked upload with many fields, answered with 204.
        let mut big = b"POST /sink HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n".to_vec();
        for i in 0..50 {
            big.extend_from_slice(format!("X-Field-{i}: {i}\r\n").as_bytes());
        }
        big.extend_from_slice(b"\r\nf000\r\n");
        big.resize(big.len() + 0xf000, b'x');
        big.extend_from_slice(b"\r\n0\r\n\r\n");
        exchange(&mut conn, &big);
        assert!(
            conn.heap_bytes() <= small,
            "{} > {small}",
            conn.heap_bytes()
        );
        // With Retain::Nothing the idle connection holds nothing at all.
        conn.park(&mut Heap, Retain::Nothing);
        assert_eq!(conn.heap_bytes(), 0);
    }
    // ANCHOR_END: retain_test
}
