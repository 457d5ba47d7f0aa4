//! The chapter's event loop: an echo server for many clients on one thread.
//!
//! It is the seed's worker loop without HTTP and without a thread pool:
//! wait for events, and for each ready connection read until `WouldBlock`,
//! send back what arrived, and ask for "writable" only while output is
//! pending. Chapter 7 grows this loop into the server's worker.
//!
//! Each connection lives in a slot of a [`Slots`] table; its token is the
//! slot index plus the slot's generation, which goes up whenever the slot
//! is emptied. An event that was queued for a connection closed earlier in
//! the same batch carries the old generation and is dropped, even if a new
//! connection already took the slot (and, likely, the same fd number).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use eventcore_buffer::{Buffer, SPILL_SIZE};
use eventcore_sockets::{SockFlags, Socket};

use crate::{Backend, Event, Interest, Mode, Poller, Slots, Token, Trigger, Waker};

const LISTENER: Token = Token(u64::MAX);
const WAKER: Token = Token(u64::MAX - 1);

// ANCHOR: config
/// How to run the loop.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub backend: Backend,
    pub trigger: Trigger,
    /// Stop reading from a connection while this many bytes wait to be sent
    /// to it: a client that sends but never reads can't grow memory forever.
    pub high_water: usize,
    /// End a read burst at a short read instead of at `WouldBlock`, which
    /// saves one `read` per burst (see `read_until_blocked` in the source).
    /// Off by default, as in the seed.
    pub stop_at_short_read: bool,
}
// ANCHOR_END: config

impl Default for Config {
    fn default() -> Config {
        Config {
            backend: Backend::Epoll,
            trigger: Trigger::Edge,
            high_water: 256 * 1024,
            stop_at_short_read: false,
        }
    }
}

/// What the loop did, for tests and measurements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub accepted: u64,
    pub closed: u64,
    /// Calls to `wait`, and the events they returned.
    pub waits: u64,
    pub events: u64,
    /// Syscalls on connections: reads (including the one that says
    /// `WouldBlock`), sends, and registration changes.
    pub reads: u64,
    pub sends: u64,
    pub reregisters: u64,
    /// Bytes read (and so echoed).
    pub bytes: u64,
}

// ANCHOR: conn
#[derive(Debug)]
struct Conn {
    sock: Socket,
    /// Bytes read and not yet sent back: one buffer serves both directions.
    buf: Buffer,
    /// What the poller currently watches for this connection.
    interest: Interest,
    /// The peer shut down its sending side (read returned 0).
    peer_done: bool,
    /// Reading stopped at the high-water mark before `WouldBlock`.
    paused: bool,
}
// ANCHOR_END: conn

/// Stops a running [`EchoServer`] from another thread.
#[derive(Debug, Clone)]
pub struct StopHandle {
    stop: Arc<AtomicBool>,
    waker: Arc<Waker>,
}

impl StopHandle {
    pub fn stop(&self) -> io::Result<()> {
        self.stop.store(true, Ordering::Release);
        self.waker.wake()
    }
}

/// The echo event loop: a listener, a poller, a waker and the connections.
#[derive(Debug)]
pub struct EchoServer {
    poller: Poller,
    listener: Socket,
    waker: Arc<Waker>,
    stop: Arc<AtomicBool>,
    mode: Mode,
    high_water: usize,
    stop_at_short_read: bool,
    conns: Slots<Conn>,
    stats: Stats,
}

impl EchoServer {
    /// Serves on `listener`, which must be non-blocking (as from `Socket::listen_on`).
    pub fn new(listener: Socket, config: Config) -> io::Result<EchoServer> {
        let mode = Mode {
            trigger: config.trigger,
            oneshot: false,
        };
        let mut poller = Poller::new(config.backend)?;
        poller.register(&listener, LISTENER, Interest::READABLE, mode)?;
        let waker = Arc::new(Waker::new()?);
        poller.register(&*waker, WAKER, Interest::READABLE, Mode::LEVEL)?;
        Ok(EchoServer {
            poller,
            listener,
            waker,
            stop: Arc::new(AtomicBool::new(false)),
            mode,
            high_water: config.high_water,
            stop_at_short_read: config.stop_at_short_read,
            conns: Slots::new(),
            stats: Stats::default(),
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            stop: Arc::clone(&self.stop),
            waker: Arc::clone(&self.waker),
        }
    }

    // ANCHOR: run
    /// Runs until [`StopHandle::stop`]; returns what it did.
    pub fn run(&mut self) -> io::Result<Stats> {
        let mut events = Vec::new();
        while !self.stop.load(Ordering::Acquire) {
            self.poller.wait(&mut events, None)?;
            self.stats.waits += 1;
            self.stats.events += events.len() as u64;
            for event in &events {
                match event.token {
                    LISTENER => self.accept_all()?,
                    WAKER => self.waker.reset()?,
                    token => self.on_event(token, event)?,
                }
            }
        }
        Ok(self.stats)
    }
    // ANCHOR_END: run

    /// Accepts until the queue is empty (edge mode gives one event for a burst).
    fn accept_all(&mut self) -> io::Result<()> {
        loop {
            match self.listener.accept(SockFlags::NONBLOCKING) {
                Ok((sock, _peer)) => self.add(sock)?,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.poller.drained(&self.listener, Interest::READABLE);
                    return Ok(());
                }
                // The client gave up while queued: nothing to do.
                Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
                Err(e) => {
                    // EMFILE and friends: chapter 9 handles running out of
                    // fds; here we only stop accepting for this round.
                    eprintln!("accept: {e}");
                    return Ok(());
                }
            }
        }
    }

    fn add(&mut self, sock: Socket) -> io::Result<()> {
        let conn = Conn {
            sock,
            buf: Buffer::new(),
            interest: Interest::READABLE,
            peer_done: false,
            paused: false,
        };
        let Ok(token) = self.conns.insert(conn) else {
            return Ok(()); // 4 billion connections: drop this one
        };
        let sock = &self.conns.get(token).expect("just inserted").sock;
        if let Err(e) = self
            .poller
            .register(sock, token, Interest::READABLE, self.mode)
        {
            self.conns.remove(token);
            return Err(e);
        }
        self.stats.accepted += 1;
        Ok(())
    }

    // ANCHOR: on_event
    fn on_event(&mut self, token: Token, event: &Event) -> io::Result<()> {
        // None: the connection was closed earlier in this batch, and the
        // event is for the slot's previous occupant.
        let Some(conn) = self.conns.get_mut(token) else {
            return Ok(());
        };
        let stats = &mut self.stats;
        // A short read may end the burst only if the peer hasn't closed:
        // the FIN came with this edge, and no later edge would announce it.
        let short_read_ends = self.stop_at_short_read && !event.read_closed;
        let mut failed = false;
        let mut read_now = event.readable || event.error;
        loop {
            if read_now && !conn.peer_done {
                failed |= read_until_blocked(
                    conn,
                    &mut self.poller,
                    self.high_water,
                    short_read_ends,
                    stats,
                );
            }
            if !conn.buf.is_empty() && !failed {
                failed |= send_until_blocked(conn, &mut self.poller, stats);
            }
            // Reading paused at the high-water mark and the output drained
            // since: no edge will come for bytes already waiting, so read now.
            read_now = conn.paused && conn.buf.readable_bytes() < self.high_water && !failed;
            if !read_now {
                break;
            }
        }
        if failed || (conn.peer_done && conn.buf.is_empty()) {
            self.close(token);
            return Ok(());
        }
        // Watch for writable only while output is pending, and for readable
        // only while we want to read: level-triggering would otherwise report
        // a writable socket (or a paused or finished reader) on every wait.
        let wanted = Interest {
            readable: !conn.peer_done && !conn.paused,
            writable: !conn.buf.is_empty(),
        };
        if wanted != conn.interest {
            self.poller
                .reregister(&conn.sock, token, wanted, self.mode)?;
            conn.interest = wanted;
            self.stats.reregisters += 1;
        }
        Ok(())
    }
    // ANCHOR_END: on_event

    fn close(&mut self, token: Token) {
        if let Some(conn) = self.conns.remove(token) {
            // Deregister before the fd is closed (when `conn.sock` drops).
            let _ = self.poller.deregister(&conn.sock);
            self.stats.closed += 1;
        }
    }
}

// ANCHOR: read_until_blocked
/// Reads until `WouldBlock` (edge-triggering's rule: the kernel will not say
/// "readable" again for bytes that are already there), end of file, or the
/// high-water mark. Returns true if the connection failed.
///
/// With `short_read_ends`, a read that returned less than it asked for ends
/// the burst too, saving the read that would only say `WouldBlock`: on a
/// stream socket a short read means the receive queue was empty at that
/// moment, and bytes arriving later make a new edge (epoll(7) says as much).
/// `read_from_fd` always asks for at least `SPILL_SIZE` bytes, so fewer than
/// that is short for sure.
fn read_until_blocked(
    conn: &mut Conn,
    poller: &mut Poller,
    high_water: usize,
    short_read_ends: bool,
    stats: &mut Stats,
) -> bool {
    loop {
        if conn.buf.readable_bytes() >= high_water {
            conn.paused = true;
            return false;
        }
        stats.reads += 1;
        match conn.buf.read_from_fd(&conn.sock) {
            Ok(0) => {
                conn.peer_done = true;
                conn.paused = false;
                return false;
            }
            Ok(n) => {
                stats.bytes += n as u64;
                if short_read_ends && n < SPILL_SIZE {
                    conn.paused = false;
                    poller.drained(&conn.sock, Interest::READABLE);
                    return false;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                conn.paused = false;
                poller.drained(&conn.sock, Interest::READABLE);
                return false;
            }
            Err(_) => return true,
        }
    }
}
// ANCHOR_END: read_until_blocked

/// Sends until the buffer is empty or the socket is full. Returns true if the connection failed.
fn send_until_blocked(conn: &mut Conn, poller: &mut Poller, stats: &mut Stats) -> bool {
    while !conn.buf.is_empty() {
        stats.sends += 1;
        match conn.buf.send_to(&conn.sock) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                poller.drained(&conn.sock, Interest::WRITABLE);
                return false;
            }
            Err(_) => return true,
        }
    }
    // Everything went out; a buffer that grew for a burst keeps its memory
    // until the connection closes (chapter 8 pools buffers instead).
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_slot_and_generation() {
        let t = Token::slot(7, 3);
        assert_eq!(t.slot_and_generation(), (7, 3));
        assert_ne!(
            Token::slot(7, 3),
            Token::slot(7, 4),
            "a reused slot gets a new token"
        );
        assert_eq!(
            Token::slot(123_456, u32::MAX).slot_and_generation(),
            (123_456, u32::MAX)
        );
        assert_ne!(Token::slot(0, 0), LISTENER);
        assert_ne!(Token::slot(0, 0), WAKER);
    }
}
