//! A worker: one event-loop thread with its own poller, connection table
//! and thread pool.
//!
//! Nothing else touches the table. Other threads talk to a worker only
//! through its [`Mailbox`]: the acceptor posts new sockets, pool threads
//! post connections they are done with, and the worker takes both when its
//! waker fires. That is what makes the seed's "no shared state" true: the
//! seed's worker guards its `unordered_map<int, ConnectionPtr>` with a
//! mutex because callbacks on pool threads reach into it.
//!
//! Each table slot holds its connection (here), is empty, or is marked
//! away while the connection is on the pool. A connection's readiness
//! token is its slot and the slot's generation (chapter 3), so an event
//! that was queued for a closed connection never reaches the next one in
//! the same slot.

use std::cell::RefCell;
use std::io;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use eventcore_http::{DateCache, Limits};
use eventcore_poller::{Backend, Event, Interest, Mode, Poller, Token, Waker};
use eventcore_sockets::Socket;
use eventcore_threadpool::ThreadPool;

use crate::acceptor::Listening;
use crate::connection::{Connection, Env, Outcome};
use crate::{App, Model};

// The connection tokens use slots below 2^32 - 2 (see `Token::slot`).
const WAKER: Token = Token(u64::MAX);
const LISTENER: Token = Token(u64::MAX - 1);

// ANCHOR: mailbox
/// What other threads hand a worker.
#[derive(Debug, Default)]
struct Mail {
    /// New connections from the acceptor (the seed's model).
    incoming: Vec<Socket>,
    /// Connections a pool task is done with.
    returned: Vec<Returned>,
    /// The waker was woken and the worker has not taken the mail since:
    /// later posts need no wake-up, so a burst costs one eventfd write.
    woken: bool,
}

#[derive(Debug)]
struct Returned {
    slot: usize,
    conn: Box<Connection>,
    outcome: Outcome,
}

/// The part of a worker that other threads hold.
#[derive(Debug)]
pub(crate) struct Shared {
    mail: Mutex<Mail>,
    waker: Waker,
    stop: AtomicBool,
    /// Open connections, for [`Server::connections`](crate::Server::connections).
    connections: AtomicUsize,
}

impl Shared {
    fn post(&self, put: impl FnOnce(&mut Mail)) {
        let wake = {
            let mut mail = self.mail.lock().unwrap_or_else(PoisonError::into_inner);
            put(&mut mail);
            !std::mem::replace(&mut mail.woken, true)
        };
        if wake {
            // Fails only if the eventfd counter would overflow, which
            // needs 2^64 wakes nobody took: then the worker is awake anyway.
            let _ = self.waker.wake();
        }
    }

    /// Hands a new connection to this worker.
    pub(crate) fn deliver(&self, sock: Socket) {
        self.post(|mail| mail.incoming.push(sock));
    }
}
// ANCHOR_END: mailbox

impl Shared {
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        let _ = self.waker.wake();
    }

    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }
}

// ANCHOR: slots
/// A table slot.
#[derive(Debug)]
enum Entry {
    Free,
    Here(Box<Connection>),
    /// On the pool; it comes back through the mailbox.
    Away,
}

#[derive(Debug)]
struct Slot {
    generation: u32,
    entry: Entry,
}
// ANCHOR_END: slots

/// What a worker needs to know from the server's `Config`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub model: Model,
    pub high_water: usize,
    pub limits: Limits,
}

#[derive(Debug)]
pub(crate) struct Worker {
    settings: Settings,
    app: Arc<App>,
    poller: Poller,
    shared: Arc<Shared>,
    /// The inline model's own listener.
    listening: Option<Listening>,
    pool: ThreadPool,
    slots: Vec<Slot>,
    free: Vec<usize>,
    date: DateCache,
    /// The mailbox's vectors from the last `take_mail`, kept for the next.
    spare: Mail,
    /// The inline model's batch of accepted sockets, kept likewise.
    accepted: Vec<Socket>,
}

/// `on_ready`, with a panic turned into a closed connection. Nothing in it
/// should panic (the router catches handlers' panics), but a bug there must
/// cost one connection, not a worker thread or a slot stuck `Away`.
fn guarded(conn: &mut Connection, env: &Env<'_>, read_closed: bool) -> Outcome {
    std::panic::catch_unwind(AssertUnwindSafe(|| conn.on_ready(env, read_closed))).unwrap_or_else(
        |_| {
            log::error!("a connection's state machine panicked; closing it");
            Outcome::Close
        },
    )
}

thread_local! {
    /// Each pool thread's copy of the Date field.
    static POOL_DATE: RefCell<DateCache> = RefCell::new(DateCache::default());
}

impl Worker {
    pub(crate) fn new(
        id: usize,
        settings: Settings,
        app: Arc<App>,
        listener: Option<(Socket, usize)>,
        pool_threads: usize,
    ) -> io::Result<Worker> {
        let mut poller = Poller::new(Backend::Epoll)?;
        let shared = Arc::new(Shared {
            mail: Mutex::new(Mail::default()),
            waker: Waker::new()?,
            stop: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
        });
        poller.register(&shared.waker, WAKER, Interest::READABLE, Mode::LEVEL)?;
        let listening = match listener {
            Some((sock, batch)) => Some(Listening::new(sock, LISTENER, batch, &mut poller)?),
            None => None,
        };
        let pool = ThreadPool::builder()
            .name(&format!("worker-{id}-pool"))
            .threads(pool_threads.max(1))
            .build()?;
        Ok(Worker {
            settings,
            app,
            poller,
            shared,
            listening,
            pool,
            slots: Vec::new(),
            free: Vec::new(),
            date: DateCache::default(),
            spare: Mail::default(),
            accepted: Vec::new(),
        })
    }

    pub(crate) fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
    }

    // ANCHOR: run
    /// The event loop, until [`Shared::stop`].
    pub(crate) fn run(mut self) -> io::Result<()> {
        let mut events = Vec::new();
        // Checked before every wait, after `take_mail` may have reset the
        // waker: a stop that came with mail in the same batch is not lost.
        while !self.shared.stop.load(Ordering::Acquire) {
            // No timeout, unless accepting is paused after EMFILE: an idle
            // worker sleeps until something happens (the seed wakes every
            // 100 ms to look for idle connections; chapter 9 gives timeouts
            // a timer instead).
            let timeout = self.listening.as_ref().and_then(Listening::timeout);
            self.poller.wait(&mut events, timeout)?;
            // One clock read per batch of events serves every response in it.
            self.date.update(SystemTime::now());
            let mut accept = self.resume_listener();
            for event in &events {
                match event.token {
                    WAKER => self.take_mail(),
                    LISTENER => accept = true,
                    token => self.on_event(token, event),
                }
            }
            if accept {
                self.accept();
            }
        }
        // Chapter 9 finishes in-flight requests first; here the pool gets a
        // moment for its tasks, and every connection closes as it drops.
        self.pool.shutdown(Duration::from_secs(1));
        Ok(())
    }
    // ANCHOR_END: run

    fn resume_listener(&mut self) -> bool {
        match &mut self.listening {
            Some(listening) => listening.resume(&mut self.poller),
            None => false,
        }
    }

    /// The inline model: accept a batch on this worker's own listener.
    fn accept(&mut self) {
        let Some(mut listening) = self.listening.take() else {
            return;
        };
        let mut accepted = std::mem::take(&mut self.accepted);
        listening.accept(&mut self.poller, |sock| accepted.push(sock));
        self.listening = Some(listening);
        for sock in accepted.drain(..) {
            self.add(sock);
        }
        self.accepted = accepted;
    }

    // ANCHOR: take_mail
    fn take_mail(&mut self) {
        // Fails only if the counter is already 0 (a spurious wake-up):
        // harmless, and the mail is taken either way.
        let _ = self.shared.waker.reset();
        // Swap in the vectors of the last round, emptied but with their
        // capacity, so that taking the mail allocates nothing.
        let mut mail = std::mem::take(&mut self.spare);
        {
            let mut shared = self
                .shared
                .mail
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            std::mem::swap(&mut *shared, &mut mail);
            shared.woken = false;
        }
        for sock in mail.incoming.drain(..) {
            self.add(sock);
        }
        for Returned {
            slot,
            conn,
            outcome,
        } in mail.returned.drain(..)
        {
            self.settle(slot, conn, outcome);
        }
        self.spare = mail;
    }
    // ANCHOR_END: take_mail

    // ANCHOR: add
    /// Steps 4 and 5 of the request flow: a slot, a token, a registration.
    fn add(&mut self, sock: Socket) {
        let slot = self.free.pop().unwrap_or_else(|| {
            self.slots.push(Slot {
                generation: 0,
                entry: Entry::Free,
            });
            self.slots.len() - 1
        });
        let token = Token::slot(slot, self.slots[slot].generation);
        let (interest, mode) = self.registration(Interest::READABLE);
        if let Err(e) = self.poller.register(&sock, token, interest, mode) {
            // ENOMEM or the epoll limit: refuse this client, keep the others.
            log::warn!("register: {e}");
            self.free.push(slot);
            return;
        }
        let conn = Connection::new(sock, self.settings.limits);
        self.slots[slot].entry = Entry::Here(Box::new(conn));
        self.shared.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// How a connection that wants `interest` is registered. The seed's
    /// model arms one event at a time, for what the connection waits for.
    /// The inline model registers both directions edge-triggered, and
    /// re-registers only when the connection comes back from the pool or
    /// yields its turn: an edge comes only on a change, so a writable
    /// socket does not wake the loop again and again, and a keep-alive
    /// request costs no `epoll_ctl`.
    fn registration(&self, interest: Interest) -> (Interest, Mode) {
        match self.settings.model {
            Model::Seed => (interest, Mode::EDGE_ONESHOT),
            Model::Inline => (Interest::BOTH, Mode::EDGE),
        }
    }
    // ANCHOR_END: add

    // ANCHOR: on_event
    fn on_event(&mut self, token: Token, event: &Event) {
        let (slot, generation) = token.slot_and_generation();
        let Some(entry) = self.slots.get_mut(slot) else {
            return;
        };
        if entry.generation != generation {
            return; // for the slot's previous occupant
        }
        // Away on the pool: whatever this event announces, the worker
        // re-registers the connection when it comes back, which reports it
        // again if it still holds.
        let Entry::Here(conn) = &mut entry.entry else {
            return;
        };
        match self.settings.model {
            Model::Seed => {
                let Entry::Here(conn) = std::mem::replace(&mut entry.entry, Entry::Away) else {
                    unreachable!("matched Here above");
                };
                self.dispatch(slot, conn, event.read_closed);
            }
            Model::Inline => {
                let env = Env {
                    app: &self.app,
                    date: &self.date,
                    high_water: self.settings.high_water,
                    may_block: false,
                };
                match guarded(conn, &env, event.read_closed) {
                    // Registered for both directions already.
                    Outcome::Wait(_) => {}
                    // Bytes are left: MOD makes the poller report the
                    // connection again, after the others ready now.
                    Outcome::Yield(_) => {
                        let (interest, mode) = (Interest::BOTH, Mode::EDGE);
                        if self
                            .poller
                            .reregister(conn.socket(), token, interest, mode)
                            .is_err()
                        {
                            self.close(slot);
                        }
                    }
                    Outcome::Blocking => {
                        let Entry::Here(conn) = std::mem::replace(&mut entry.entry, Entry::Away)
                        else {
                            unreachable!("matched Here above");
                        };
                        self.dispatch(slot, conn, event.read_closed);
                    }
                    Outcome::Close => self.close(slot),
                }
            }
        }
    }
    // ANCHOR_END: on_event

    // ANCHOR: dispatch
    /// Step 7: the connection goes to the pool, moved into the task. Until
    /// it comes back no other thread can touch it: what EPOLLONESHOT
    /// guarantees the seed at run time, ownership guarantees here at
    /// compile time.
    fn dispatch(&mut self, slot: usize, mut conn: Box<Connection>, read_closed: bool) {
        let app = Arc::clone(&self.app);
        let shared = Arc::clone(&self.shared);
        let high_water = self.settings.high_water;
        let task = move || {
            let outcome = POOL_DATE.with(|date| {
                let mut date = date.borrow_mut();
                date.update(SystemTime::now());
                let env = Env {
                    app: &app,
                    date: &date,
                    high_water,
                    may_block: true,
                };
                guarded(&mut conn, &env, read_closed)
            });
            shared.post(|mail| {
                mail.returned.push(Returned {
                    slot,
                    conn,
                    outcome,
                })
            });
        };
        if self.pool.submit(task).is_err() {
            // Shut down: the task, and the connection in it, were dropped.
            self.release(slot);
        }
    }

    /// A connection back from the pool: close it, or put it back and re-arm.
    fn settle(&mut self, slot: usize, conn: Box<Connection>, outcome: Outcome) {
        let interest = match outcome {
            Outcome::Wait(interest) | Outcome::Yield(interest) => interest,
            Outcome::Blocking => return self.dispatch(slot, conn, false),
            Outcome::Close => {
                let _ = self.poller.deregister(conn.socket());
                return self.release(slot);
            }
        };
        let token = Token::slot(slot, self.slots[slot].generation);
        let (interest, mode) = self.registration(interest);
        // EPOLL_CTL_MOD re-arms a one-shot registration, and in both models
        // re-checks readiness: bytes that arrived while the connection was
        // away are reported by the next wait.
        match self.poller.reregister(conn.socket(), token, interest, mode) {
            Ok(()) => self.slots[slot].entry = Entry::Here(conn),
            Err(_) => self.release(slot),
        }
    }
    // ANCHOR_END: dispatch

    /// Step 17: deregister, then close the fd by dropping the connection.
    /// (A connection that comes back from the pool to be closed takes the
    /// same two steps in `settle`.)
    fn close(&mut self, slot: usize) {
        if let Entry::Here(conn) = std::mem::replace(&mut self.slots[slot].entry, Entry::Free) {
            let _ = self.poller.deregister(conn.socket());
        }
        self.release(slot);
    }

    /// Empties a slot for its next occupant, with a new generation.
    fn release(&mut self, slot: usize) {
        let entry = &mut self.slots[slot];
        entry.entry = Entry::Free;
        entry.generation = entry.generation.wrapping_add(1);
        self.free.push(slot);
        self.shared.connections.fetch_sub(1, Ordering::Relaxed);
    }
}
