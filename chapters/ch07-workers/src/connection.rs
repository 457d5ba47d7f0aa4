//! One client connection: its socket, its two buffers, its parser, and the
//! state machine that turns readiness into answered requests.
//!
//! [`Connection::on_ready`] is the seed's `handle_read`, `process_request`
//! and `handle_write` in one call: read, answer every complete request,
//! write, and say what to wait for next. It touches nothing but the
//! connection and the read-only [`Env`], so it runs the same on the event
//! loop (the inline model) and on a pool thread (the seed's model); the
//! worker decides where, and what to do with the [`Outcome`].

use std::io;

use eventcore_buffer::{Buffer, SPILL_SIZE};
use eventcore_http::response::Context;
use eventcore_http::{
    DateCache, Limits, Method, Parser, Progress, Response, Version, write_response,
};
use eventcore_poller::Interest;
use eventcore_sockets::Socket;

use crate::App;

// ANCHOR: state
/// Where a connection is in its life. The seed's four states map onto
/// ownership: *connecting* is an accepted socket with no `Connection` yet
/// (in a worker's mailbox, or for a moment on the accepting worker's
/// stack), *disconnected* is a dropped `Connection` (its fd closed by
/// `Drop`), so only the two states in between are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Reading requests and answering them.
    Connected,
    /// The last response is queued (the request or an error said close):
    /// no more reading, close once the output has gone.
    Disconnecting,
}
// ANCHOR_END: state

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
    /// The output reached the high-water mark.
    Backlogged,
    /// The next request's route may block and this thread may not.
    Blocking,
    /// The connection is closing: nothing more is read or answered.
    Closing,
}

/// What `on_ready` needs besides the connection: shared and read-only.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub app: &'a App,
    pub date: &'a DateCache,
    /// Stop reading (and answering) while this many bytes wait to be sent.
    pub high_water: usize,
    /// False on the event loop: a blocking route stops processing there.
    pub may_block: bool,
}
// ANCHOR_END: env

// ANCHOR: connection
#[derive(Debug)]
pub struct Connection {
    sock: Socket,
    /// Bytes read and not yet consumed by a complete request.
    input: Buffer,
    /// Responses not yet taken by the socket.
    output: Buffer,
    parser: Parser,
    state: State,
    /// `read` returned 0: the client will send nothing more.
    peer_closed: bool,
    /// `100 Continue` went out for the request being read.
    continue_sent: bool,
}
// ANCHOR_END: connection

/// Bytes a connection may read per readiness event before it yields: a
/// turn. Enough for any request within the default limits, and a bound on
/// how long one client can keep its worker from the others.
const BYTES_PER_TURN: usize = 1 << 20;

/// A buffer that grew past this for a large request or response goes back
/// to nothing once it is empty, so that one large upload does not pin its
/// memory for the rest of the connection's life. Chapter 8 pools them.
const KEEP_BUFFER: usize = 64 * 1024;

/// The interim response for `Expect: 100-continue` (RFC 9110 section 10.1.1).
const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

impl Connection {
    pub fn new(sock: Socket, limits: Limits) -> Connection {
        Connection {
            sock,
            input: Buffer::new(),
            output: Buffer::new(),
            parser: Parser::new(limits),
            state: State::Connected,
            peer_closed: false,
            continue_sent: false,
        }
    }

    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    pub fn state(&self) -> State {
        self.state
    }

    // ANCHOR: on_ready
    /// Handles one readiness event: steps 8 to 14 of the seed's request
    /// flow. `read_closed` is the event's hint that the peer's FIN has
    /// arrived (see the short-read rule below).
    pub fn on_ready(&mut self, env: &Env<'_>, read_closed: bool) -> Outcome {
        // Edge-triggered: this event may be the only notice of bytes that
        // are already there, so start by assuming there is something to read.
        let mut readable = true;
        let mut turn = 0;
        loop {
            // Steps 9-12: answer every complete request already read. Bytes
            // may be waiting from before a pause or a trip to the pool.
            let stop = self.process(env);
            // Step 13: write until the output is empty or the socket is
            // full; before a trip to the pool too, so that answers already
            // made don't wait for a slow handler.
            if self.flush().is_err() {
                return Outcome::Close;
            }
            if self.output.readable_bytes() >= env.high_water {
                break; // backpressure: read nothing more until EPOLLOUT
            }
            match stop {
                Stop::Blocking => return Outcome::Blocking,
                // The output had filled up and has room again: answer the
                // requests still waiting before reading new ones.
                Stop::Backlogged => continue,
                Stop::Closing => break,
                Stop::NeedInput => {}
            }
            if !readable || self.peer_closed {
                break;
            }
            if turn >= BYTES_PER_TURN {
                return match self.next_step(env) {
                    Outcome::Wait(interest) => Outcome::Yield(interest),
                    other => other,
                };
            }
            // Step 8: one read, then back to answering what it brought.
            // Answering between reads keeps the input to about one request
            // plus one read, however fast the client sends.
            match self.input.read_from_fd(&self.sock) {
                Ok(0) => self.peer_closed = true,
                // A read shorter than the spill area emptied the socket's
                // receive queue, and new bytes will make a new edge (the
                // `et_vs_lt` measurement of chapter 3): skip the read that
                // would only say WouldBlock. Not when the FIN came with this
                // edge, though: no later edge would announce it.
                Ok(n) => {
                    turn += n;
                    readable = read_closed || n >= SPILL_SIZE;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => readable = false,
                Err(_) => return Outcome::Close,
            }
        }
        self.next_step(env)
    }
    // ANCHOR_END: on_ready

    // ANCHOR: process
    /// Answers the complete requests at the front of the input, in order,
    /// and says why it stopped.
    fn process(&mut self, env: &Env<'_>) -> Stop {
        loop {
            if self.state != State::Connected {
                return Stop::Closing;
            }
            if self.output.readable_bytes() >= env.high_water {
                return Stop::Backlogged;
            }
            match self.parser.parse(self.input.peek()) {
                Ok(Progress::Partial) => {
                    if self.parser.expects_continue() && !self.continue_sent {
                        self.output.append(CONTINUE);
                        self.continue_sent = true;
                    }
                    return Stop::NeedInput;
                }
                Ok(Progress::Complete { len }) => {
                    if env.app.is_blocking(&self.parser.request(self.input.peek())) {
                        if !env.may_block {
                            return Stop::Blocking;
                        }
                        // Answers already made go out before a slow handler
                        // runs; a failed send shows again at the next flush.
                        let _ = self.flush();
                    }
                    let request = self.parser.request(self.input.peek());
                    let context = Context {
                        head_request: request.method() == Method::Head,
                        close: !request.keep_alive(),
                        http10_keep_alive: request.version() == Version::Http10
                            && request.keep_alive(),
                    };
                    // The router catches a panicking handler and answers 500.
                    let response = env.app.router().handle(request);
                    self.respond(&response, context, env.date);
                    self.input.retrieve(len);
                    self.parser.reset();
                    self.continue_sent = false;
                }
                Err(error) => {
                    // RFC 9112 section 9.6 lets a server close at any time;
                    // after a parse error it must, since where the next
                    // request would start is unknown.
                    let context = Context {
                        close: error.closes_connection(),
                        ..Context::default()
                    };
                    self.respond(&Response::error(error.status()), context, env.date);
                    self.input.retrieve_all();
                    self.parser.reset();
                }
            }
        }
    }
    // ANCHOR_END: process

    // ANCHOR: respond
    /// Queues a response. A large body goes out straight from the response
    /// with the queued head in one gathered write, and only what the socket
    /// did not take is copied into the output buffer.
    fn respond(&mut self, response: &Response, context: Context, date: &DateCache) {
        let rest = write_response(&mut self.output, response, context, date);
        if !rest.is_empty() {
            let sent = match self.output.send_with(&self.sock, rest) {
                Ok(sent) => sent.body,
                // Full or failed: the flush that follows will find out which.
                Err(_) => 0,
            };
            self.output.append(&rest[sent..]);
        }
        if context.close || response.close {
            self.state = State::Disconnecting;
        }
    }
    // ANCHOR_END: respond

    // ANCHOR: flush
    /// Sends until the output is empty (`Ok`) or the socket is full (`Ok`,
    /// output left); any other error means the peer is gone.
    fn flush(&mut self) -> io::Result<()> {
        while !self.output.is_empty() {
            match self.output.send_to(&self.sock) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    // ANCHOR_END: flush

    // ANCHOR: discard_input
    /// Reads and drops what the client has sent so far. Closing a socket
    /// with unread bytes makes the kernel send RST instead of FIN, and a
    /// client that gets the RST before it has read our last response (an
    /// error after a bad request, or the answer to a `Connection: close`
    /// followed by more pipelined bytes) may lose the response with it.
    /// This covers bytes that have arrived; chapter 9 waits a little for
    /// more (nginx's "lingering close").
    fn discard_input(&mut self) {
        const BUDGET: usize = 1 << 20;
        let mut dropped = 0;
        while dropped < BUDGET {
            match self.input.read_from_fd(&self.sock) {
                Ok(0) | Err(_) => break,
                Ok(n) => dropped += n,
            }
            self.input.retrieve_all();
        }
    }
    // ANCHOR_END: discard_input

    // ANCHOR: next_step
    /// What to wait for, now that reading and writing have gone as far as
    /// they can.
    fn next_step(&mut self, env: &Env<'_>) -> Outcome {
        for buffer in [&mut self.input, &mut self.output] {
            if buffer.is_empty() && buffer.allocated_bytes() > KEEP_BUFFER {
                buffer.release();
            }
        }
        let pending = !self.output.is_empty();
        let done = match self.state {
            State::Disconnecting => !pending,
            // A half-closed client has had every complete request answered;
            // bytes left in the input are a request that will never be
            // finished (the client vanished mid-request).
            State::Connected => self.peer_closed && !pending,
        };
        if done {
            // Our FIN after the last response, before close(2) drops the fd.
            let _ = self.sock.shutdown(std::net::Shutdown::Write);
            if !self.peer_closed {
                self.discard_input();
            }
            return Outcome::Close;
        }
        Outcome::Wait(Interest {
            readable: self.state == State::Connected
                && !self.peer_closed
                && self.output.readable_bytes() < env.high_water,
            writable: pending,
        })
    }
    // ANCHOR_END: next_step
}

#[cfg(test)]
mod tests {
    use super::*;
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
        (Connection::new(sock, Limits::default()), client)
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
            .build()
            .unwrap();
        App::new(router).blocking("/slow")
    }

    fn ready(conn: &mut Connection, app: &App, may_block: bool) -> Outcome {
        ready_with(conn, app, may_block, false)
    }

    fn ready_with(conn: &mut Connection, app: &App, may_block: bool, read_closed: bool) -> Outcome {
        let mut date = DateCache::default();
        date.update(std::time::SystemTime::now());
        let env = Env {
            app,
            date: &date,
            high_water: 64 * 1024,
            may_block,
        };
        conn.on_ready(&env, read_closed)
    }

    fn read_some(client: &mut TcpStream) -> String {
        let mut buf = vec![0; 4096];
        let n = client.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[test]
    fn a_request_is_answered_and_the_connection_waits_for_more() {
        let (mut conn, mut client) = pair();
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
        let router = Router::builder()
            .post("/sink", |_| Ok(Response::new(204)))
            .build()
            .unwrap();
        let app = App::new(router);
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
            matches!(ready(&mut conn, &app, false), Outcome::Yield(_)),
            "a connection with {queued} bytes to read did not give up its turn"
        );
    }
}
