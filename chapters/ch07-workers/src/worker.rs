//! A worker: one event-loop thread with its own poller, connection table,
//! thread pool, store of working memory and timers.
//!
//! Nothing else touches the table. Other threads talk to a worker only
//! through its mailbox ([`Shared`]): the acceptor posts new sockets, pool
//! threads post connections they are done with, the server posts a drain,
//! and the worker takes it all when its waker fires. That is what makes the
//! seed's "no shared state" true: the seed's worker guards its
//! `unordered_map<int, ConnectionPtr>` with a mutex because callbacks on
//! pool threads reach into it.
//!
//! The table is chapter 3's [`Slots`]: a connection's readiness token is
//! its slot and the slot's generation, so an event that was queued for a
//! closed connection never reaches the next one in the same slot. A slot
//! holds its connection, or is marked away while the connection is on the
//! pool.
//!
//! The store and the timers are the worker's type parameters ([`Parts`]):
//! chapter 8 and chapter 9 plug theirs in without a line of this file
//! changing.

use std::cell::RefCell;
use std::io;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use eventcore_http::{DateCache, Limits};
use eventcore_poller::{Backend, Event, Interest, Mode, Poller, Slots, Token, Waker};
use eventcore_sockets::Socket;
use eventcore_threadpool::{Job, Rejected, SubmitError, ThreadPool};

use crate::connection::{Connection, Env, Outcome, Phase, Report};
use crate::listening::Listening;
use crate::parts::Parts;
use crate::stats::{Counters, Phases};
use crate::store::{Heap, Retain, Store};
use crate::timers::{Expiry, Timers};
use crate::{App, Model};

// Slots are numbered below 2^32 - 3 (`MAX_SLOTS`), so no connection token
// can be one of these.
const WAKER: Token = Token(u64::MAX);
const LISTENER: Token = Token(u64::MAX - 1);

/// Idle connections closed at most per shortage of descriptors.
const SHED: usize = 32;

// ANCHOR: mailbox
/// What other threads hand a worker.
#[derive(Debug, Default)]
struct Mail {
    /// New connections from the acceptor (the seed's model).
    incoming: Vec<Socket>,
    /// Connections a pool task is done with.
    returned: Vec<Returned>,
    /// Stop accepting and close once the connections are done, or at this
    /// deadline ([`Server::drain`](crate::Server::drain)).
    drain: Option<Instant>,
    /// The waker was woken and the worker has not taken the mail since:
    /// later posts need no wake-up, so a burst costs one eventfd write.
    woken: bool,
    /// The loop has ended: new connections are refused, not posted.
    ended: bool,
    /// The acceptor ran out of descriptors: close some idle connections.
    shed: bool,
}

#[derive(Debug)]
struct Returned {
    token: Token,
    conn: Connection,
    outcome: Outcome,
}

/// The part of a worker that other threads hold.
#[derive(Debug)]
pub(crate) struct Shared {
    mail: Mutex<Mail>,
    waker: Waker,
    app: Arc<App>,
    /// Set with the drain, for pool tasks: their answers say close.
    draining: AtomicBool,
}

impl Shared {
    fn post(&self, put: impl FnOnce(&mut Mail)) {
        let wake = {
            let mut mail = self.lock();
            put(&mut mail);
            !std::mem::replace(&mut mail.woken, true)
        };
        if wake {
            // Fails only if the eventfd counter would overflow, which
            // needs 2^64 wakes nobody took: then the worker is awake anyway.
            let _ = self.waker.wake();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Mail> {
        self.mail.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands a new connection to this worker, or gives it back if the
    /// worker's loop has ended (so the acceptor can try another).
    pub(crate) fn deliver(&self, sock: Socket) -> Result<(), Socket> {
        {
            let mut mail = self.lock();
            if mail.ended {
                return Err(sock);
            }
            mail.incoming.push(sock);
            if std::mem::replace(&mut mail.woken, true) {
                return Ok(());
            }
        }
        let _ = self.waker.wake();
        Ok(())
    }

    /// Asks the worker to close some idle connections: the process is out
    /// of descriptors.
    pub(crate) fn shed(&self) {
        self.post(|mail| mail.shed = true);
    }

    /// Asks the worker to drain, finishing by `deadline`.
    pub(crate) fn drain(&self, deadline: Instant) {
        self.draining.store(true, Ordering::Release);
        self.post(|mail| {
            mail.drain = Some(mail.drain.map_or(deadline, |d| d.min(deadline)));
        });
    }
}

/// Hands `sock` to worker `next` of `workers`, or to the one after it if
/// that one's loop has ended, and so on; gives it back if none is running.
pub(crate) fn deal(workers: &[Arc<Shared>], next: usize, mut sock: Socket) -> Result<(), Socket> {
    for i in 0..workers.len() {
        match workers[(next + i) % workers.len()].deliver(sock) {
            Ok(()) => return Ok(()),
            Err(back) => sock = back,
        }
    }
    Err(sock)
}
// ANCHOR_END: mailbox

// ANCHOR: slots
/// A table slot's content.
#[derive(Debug)]
enum Entry {
    Here(Connection),
    /// On the pool; it comes back through the mailbox.
    Away,
}
// ANCHOR_END: slots

/// What a worker needs to know from the server's `Config`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub model: Model,
    pub high_water: usize,
    pub limits: Limits,
    pub retain: Retain,
    pub pool_threads: usize,
    pub pool_queue: usize,
    /// Whether the timers bound a lingering close (`Timers::lingers`).
    pub linger: bool,
    /// The worker's number, from 0.
    pub worker: usize,
}

impl Settings {
    fn env<'a>(
        &self,
        app: &'a App,
        date: &'a DateCache,
        draining: &'a AtomicBool,
        may_block: bool,
        token: Option<Token>,
    ) -> Env<'a> {
        Env {
            app,
            date,
            limits: self.limits,
            high_water: self.high_water,
            may_block,
            draining,
            linger: self.linger,
            worker: self.worker,
            token,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Worker<P: Parts> {
    settings: Settings,
    app: Arc<App>,
    poller: Poller,
    shared: Arc<Shared>,
    counters: Arc<Counters>,
    /// The inline model's own listener, until a drain closes it.
    listening: Option<Listening>,
    pool: ThreadPool<Visit>,
    conns: Slots<Entry>,
    /// Connections this worker holds at most (`Parts::limit`).
    limit: usize,
    store: P::Store,
    timers: P::Timers,
    date: DateCache,
    /// Set by a drain: when to stop at the latest.
    draining: Option<Instant>,
    /// The mailbox's vectors from the last `take_mail`, kept for the next.
    spare: Mail,
    /// The inline model's batch of accepted sockets, kept likewise.
    accepted: Vec<Socket>,
}

/// Tells the gauges and the timers what `conn` waits for now.
#[inline]
fn note(
    timers: &mut impl Timers,
    phases: &Phases,
    token: Token,
    conn: &mut Connection,
    report: Report,
    now: Instant,
) {
    phases.shift(&mut conn.gauged, Some(report.phase));
    timers.update(token, &report, now);
}

/// `on_ready`, with a panic turned into a closed connection. Nothing in it
/// should panic (the router catches handlers' panics), but a bug there must
/// cost one connection, not a worker thread or a slot stuck `Away`.
fn guarded(
    conn: &mut Connection,
    env: &Env<'_>,
    store: &mut impl Store,
    read_closed: bool,
) -> Outcome {
    std::panic::catch_unwind(AssertUnwindSafe(|| conn.on_ready(env, store, read_closed)))
        .unwrap_or_else(|_| {
            log::error!("a connection's state machine panicked; closing it");
            Outcome::Close
        })
}

thread_local! {
    /// Each pool thread's copy of the Date field.
    static POOL_DATE: RefCell<DateCache> = RefCell::new(DateCache::default());
}

// ANCHOR: visit
/// A connection's trip to the pool: a plain value, so the pool's queue
/// holds it without a box, and hands it back whole when it is full.
#[derive(Debug)]
struct Visit {
    token: Token,
    conn: Connection,
    read_closed: bool,
    shared: Arc<Shared>,
    settings: Settings,
}

impl Job for Visit {
    fn run(mut self) {
        let outcome = POOL_DATE.with(|date| {
            let mut date = date.borrow_mut();
            date.update(SystemTime::now());
            let shared = &self.shared;
            let env =
                self.settings
                    .env(&shared.app, &date, &shared.draining, true, Some(self.token));
            // The worker equipped the connection before it left, so the
            // heap is not asked for anything here.
            guarded(&mut self.conn, &env, &mut Heap, self.read_closed)
        });
        let Visit {
            token,
            conn,
            shared,
            ..
        } = self;
        shared.post(|mail| {
            mail.returned.push(Returned {
                token,
                conn,
                outcome,
            })
        });
    }
}
// ANCHOR_END: visit

impl<P: Parts> Worker<P> {
    pub(crate) fn new(
        id: usize,
        settings: Settings,
        app: Arc<App>,
        listener: Option<(Socket, usize)>,
        parts: &P,
        counters: Arc<Counters>,
    ) -> io::Result<Worker<P>> {
        let mut poller = Poller::new(Backend::Epoll)?;
        let shared = Arc::new(Shared {
            mail: Mutex::new(Mail::default()),
            waker: Waker::new()?,
            app: Arc::clone(&app),
            draining: AtomicBool::new(false),
        });
        poller.register(&shared.waker, WAKER, Interest::READABLE, Mode::LEVEL)?;
        let listening = match listener {
            Some((sock, batch)) => Some(Listening::new(
                sock,
                LISTENER,
                batch,
                &mut poller,
                Arc::clone(&counters),
            )?),
            None => None,
        };
        let pool = ThreadPool::builder()
            .name(&format!("worker-{id}-pool"))
            .threads(settings.pool_threads.max(1))
            .capacity(settings.pool_queue.max(1))
            .build_for()?;
        let timers = parts.timers(id);
        Ok(Worker {
            settings: Settings {
                linger: timers.lingers(),
                worker: id,
                ..settings
            },
            app,
            poller,
            shared,
            counters,
            listening,
            pool,
            conns: Slots::with_capacity(parts.slots()),
            limit: parts.limit(),
            store: parts.store(id),
            timers,
            date: DateCache::default(),
            draining: None,
            spare: Mail::default(),
            accepted: Vec::new(),
        })
    }

    pub(crate) fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
    }

    // ANCHOR: run
    /// The event loop, until a drain is done or its deadline passes.
    pub(crate) fn run(mut self) -> io::Result<()> {
        let result = self.serve();
        self.finish();
        result
    }

    fn serve(&mut self) -> io::Result<()> {
        let mut events = Vec::new();
        // One clock read per batch of events serves the timers, the
        // drain's deadline and every response's Date field in it.
        let mut now = Instant::now();
        loop {
            if let Some(deadline) = self.draining {
                if self.conns.is_empty() || now >= deadline {
                    return Ok(());
                }
            }
            // Sleep until something happens, or until the next deadline:
            // an idle worker makes no wake-ups (the seed wakes every 100 ms
            // to look for idle connections).
            let timeout = self.timeout(now);
            self.poller.wait(&mut events, timeout)?;
            now = Instant::now();
            self.date.update(SystemTime::now());
            let mut accept = self.resume_listener(now);
            for event in &events {
                match event.token {
                    WAKER => self.take_mail(now),
                    LISTENER => accept = true,
                    token => self.on_event(token, event, now),
                }
            }
            if accept {
                self.accept(now);
            }
            self.expire(now);
        }
    }
    // ANCHOR_END: run

    /// The soonest of the timers' next deadline, the end of an accept
    /// pause, and the drain's deadline.
    fn timeout(&mut self, now: Instant) -> Option<Duration> {
        let pause = self.listening.as_ref().and_then(|l| l.timeout(now));
        let drain = self.draining.map(|d| d.saturating_duration_since(now));
        [self.timers.timeout(now), pause, drain]
            .into_iter()
            .flatten()
            .min()
    }

    /// The loop is over: refuse new mail, give the pool what is left of
    /// the drain's time, and close every connection as the table drops.
    fn finish(&mut self) {
        let refused = {
            let mut mail = self.shared.lock();
            mail.ended = true;
            std::mem::take(&mut mail.incoming)
        };
        drop(refused);
        let left = self.draining.map_or(Duration::ZERO, |d| {
            d.saturating_duration_since(Instant::now())
        });
        self.pool.shutdown(left);
        self.counters
            .connections
            .fetch_sub(self.conns.len(), Ordering::Relaxed);
        self.counters.phases[self.settings.worker].clear();
    }

    fn resume_listener(&mut self, now: Instant) -> bool {
        match &mut self.listening {
            Some(listening) => listening.resume(&mut self.poller, now),
            None => false,
        }
    }

    /// The inline model: accept a batch on this worker's own listener.
    fn accept(&mut self, now: Instant) {
        let Some(mut listening) = self.listening.take() else {
            return;
        };
        let mut accepted = std::mem::take(&mut self.accepted);
        let short = listening.accept(&mut self.poller, |sock| accepted.push(sock));
        for sock in accepted.drain(..) {
            self.add(sock, now);
        }
        self.accepted = accepted;
        // Out of descriptors: idle connections give theirs back, and the
        // clients waiting in the listen queue are accepted at once.
        if short && self.shed() > 0 {
            listening.resume_now(&mut self.poller);
        }
        self.listening = Some(listening);
    }

    /// Closes up to `SHED` idle keep-alive connections, oldest first (the
    /// ones the timers name, as at the connection limit); how many. nginx
    /// does the same when its free connections run low.
    fn shed(&mut self) -> usize {
        let mut shed = 0;
        while shed < SHED && self.make_room() {
            shed += 1;
        }
        if shed > 0 {
            log::warn!("out of file descriptors: closed {shed} idle connections");
        }
        shed
    }

    // ANCHOR: take_mail
    fn take_mail(&mut self, now: Instant) {
        // Fails only if the counter is already 0 (a spurious wake-up):
        // harmless, and the mail is taken either way.
        let _ = self.shared.waker.reset();
        // Swap in the vectors of the last round, emptied but with their
        // capacity, so that taking the mail allocates nothing.
        let mut mail = std::mem::take(&mut self.spare);
        {
            let mut shared = self.shared.lock();
            std::mem::swap(&mut shared.incoming, &mut mail.incoming);
            std::mem::swap(&mut shared.returned, &mut mail.returned);
            mail.drain = shared.drain.take();
            mail.shed = std::mem::take(&mut shared.shed);
            shared.woken = false;
        }
        for sock in mail.incoming.drain(..) {
            self.add(sock, now);
        }
        for Returned {
            token,
            conn,
            outcome,
        } in mail.returned.drain(..)
        {
            self.settle(token, conn, outcome, now);
        }
        if std::mem::take(&mut mail.shed) {
            self.shed();
        }
        if let Some(deadline) = mail.drain.take() {
            self.begin_drain(deadline);
        }
        self.spare = mail;
    }
    // ANCHOR_END: take_mail

    // ANCHOR: add
    /// Steps 4 and 5 of the request flow: a slot, a token, a registration.
    fn add(&mut self, sock: Socket, now: Instant) {
        if self.draining.is_some() {
            return; // accepted before the drain began: closed unanswered
        }
        if self.conns.len() >= self.limit && !self.make_room() {
            return self.turn_away(sock);
        }
        let Ok(token) = self.conns.insert(Entry::Here(Connection::new(sock))) else {
            log::warn!("a worker's table is full; closing a new connection");
            return;
        };
        let (interest, mode) = self.registration(Interest::READABLE);
        let Some(Entry::Here(conn)) = self.conns.get_mut(token) else {
            unreachable!("inserted above");
        };
        if let Err(e) = self.poller.register(conn.socket(), token, interest, mode) {
            // ENOMEM or the epoll limit: refuse this client, keep the others.
            log::warn!("register: {e}");
            self.conns.remove(token);
            return;
        }
        let report = conn.report(self.settings.high_water);
        let phases = &self.counters.phases[self.settings.worker];
        note(&mut self.timers, phases, token, conn, report, now);
        self.counters.connections.fetch_add(1, Ordering::Relaxed);
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

    // ANCHOR: limit
    /// At the connection limit: closes the idle connection the timers name
    /// (the one idle the longest, with chapter 8's). An idle keep-alive
    /// connection may be closed at any time (RFC 9112 section 9.5); its
    /// client opens a new one for its next request.
    fn make_room(&mut self) -> bool {
        while let Some(token) = self.timers.evict() {
            // The timers' word is checked: only a connection still idle.
            if let Some(Entry::Here(conn)) = self.conns.get(token) {
                if conn.phase() == Phase::Idle {
                    Counters::count(&self.counters.evicted);
                    self.close(token);
                    return true;
                }
            }
        }
        false
    }

    /// At the connection limit with no idle connection to close: `503`
    /// and a close, at once, rather than a client left waiting for a slot.
    /// A new socket's send buffer is empty, so the answer goes out whole.
    fn turn_away(&mut self, sock: Socket) {
        Counters::count(&self.counters.over_limit);
        let mut conn = Connection::new(sock);
        let env = self
            .settings
            .env(&self.app, &self.date, &self.shared.draining, false, None);
        let _ = conn.fail(503, &env, &mut self.store);
        conn.recycle(&mut self.store);
    }
    // ANCHOR_END: limit

    // ANCHOR: on_event
    fn on_event(&mut self, token: Token, event: &Event, now: Instant) {
        // Stale (for the slot's previous occupant), or away on the pool:
        // the worker re-registers a connection when it comes back, which
        // reports it again if what this event announces still holds.
        let Some(Entry::Here(conn)) = self.conns.get_mut(token) else {
            return;
        };
        match self.settings.model {
            Model::Seed => self.dispatch(token, event.read_closed, now),
            Model::Inline => {
                let env = self.settings.env(
                    &self.app,
                    &self.date,
                    &self.shared.draining,
                    false,
                    Some(token),
                );
                let outcome = guarded(conn, &env, &mut self.store, event.read_closed);
                // The common case, kept short: registered for both
                // directions already, the connection waits.
                if matches!(outcome, Outcome::Wait(_)) && self.draining.is_none() {
                    conn.park(&mut self.store, self.settings.retain);
                    let report = conn.report(self.settings.high_water);
                    let phases = &self.counters.phases[self.settings.worker];
                    return note(&mut self.timers, phases, token, conn, report, now);
                }
                // Only a connection that yields is registered again, so
                // that the poller reports it after the others ready now.
                let rearm = matches!(outcome, Outcome::Yield(_));
                self.handled(token, outcome, rearm, now);
            }
        }
    }

    /// A connection in the table has handled an event or a deadline: keep
    /// it (registered again if `rearm`), send it to the pool, or close it.
    fn handled(&mut self, token: Token, outcome: Outcome, rearm: bool, now: Instant) {
        let interest = match outcome {
            Outcome::Wait(interest) | Outcome::Yield(interest) => interest,
            Outcome::Blocking => return self.dispatch(token, false, now),
            Outcome::Close => return self.close(token),
        };
        let Some(Entry::Here(conn)) = self.conns.get_mut(token) else {
            return;
        };
        // Draining, a connection with no request under way is done.
        if self.draining.is_some() && conn.phase() == Phase::Idle {
            return self.close(token);
        }
        if rearm {
            let (interest, mode) = match self.settings.model {
                Model::Seed => (interest, Mode::EDGE_ONESHOT),
                Model::Inline => (Interest::BOTH, Mode::EDGE),
            };
            // EPOLL_CTL_MOD re-arms a one-shot registration, and in both
            // models re-checks readiness: bytes that arrived while the
            // connection was away are reported by the next wait.
            if self
                .poller
                .reregister(conn.socket(), token, interest, mode)
                .is_err()
            {
                return self.close(token);
            }
        }
        conn.park(&mut self.store, self.settings.retain);
        let report = conn.report(self.settings.high_water);
        let phases = &self.counters.phases[self.settings.worker];
        note(&mut self.timers, phases, token, conn, report, now);
    }
    // ANCHOR_END: on_event

    // ANCHOR: dispatch
    /// Step 7: the connection goes to the pool, moved into the job. Until
    /// it comes back no other thread can touch it: what EPOLLONESHOT
    /// guarantees the seed at run time, ownership guarantees here at
    /// compile time.
    fn dispatch(&mut self, token: Token, read_closed: bool, now: Instant) {
        let Some(entry) = self.conns.get_mut(token) else {
            return;
        };
        let Entry::Here(mut conn) = std::mem::replace(entry, Entry::Away) else {
            return; // already away
        };
        // The pool thread takes no memory from anyone: it gets it here.
        conn.equip(&mut self.store, self.settings.limits);
        let away = Report {
            phase: Phase::Away,
            ..conn.report(self.settings.high_water)
        };
        let phases = &self.counters.phases[self.settings.worker];
        note(&mut self.timers, phases, token, &mut conn, away, now);
        let visit = Visit {
            token,
            conn,
            read_closed,
            shared: Arc::clone(&self.shared),
            settings: self.settings,
        };
        let Err(Rejected { job, reason }) = self.pool.push(visit) else {
            return;
        };
        // The queue is full (or the pool shut down): the request gets a 503
        // and the connection closes, instead of waiting without bound.
        let mut conn = job.conn;
        let outcome = match reason {
            SubmitError::Full => {
                Counters::count(&self.counters.refused);
                let env = self.settings.env(
                    &self.app,
                    &self.date,
                    &self.shared.draining,
                    false,
                    Some(token),
                );
                conn.fail(503, &env, &mut self.store)
            }
            SubmitError::ShutDown => Outcome::Close,
        };
        self.settle(token, conn, outcome, now);
    }

    /// A connection back from the pool (or refused by it): into its slot,
    /// then kept, sent again, or closed as `outcome` says.
    fn settle(&mut self, token: Token, mut conn: Connection, outcome: Outcome, now: Instant) {
        match self.conns.get_mut(token) {
            Some(entry) if matches!(entry, Entry::Away) => *entry = Entry::Here(conn),
            // Only a slot marked away can take it back.
            _ => {
                self.counters.phases[self.settings.worker].shift(&mut conn.gauged, None);
                return drop(conn);
            }
        }
        self.handled(token, outcome, true, now);
    }
    // ANCHOR_END: dispatch

    // ANCHOR: expire
    /// Once per batch: what the timers say has run out of time.
    fn expire(&mut self, now: Instant) {
        while let Some((token, expiry)) = self.timers.next_expired(now) {
            // A timer outlives its connection like a stale event; one away
            // on the pool is left to its handler (its timer is set again
            // when it comes back).
            let Some(Entry::Here(conn)) = self.conns.get_mut(token) else {
                continue;
            };
            let outcome = match expiry {
                Expiry::Close => Outcome::Close,
                Expiry::Answer(status) => {
                    let env = self.settings.env(
                        &self.app,
                        &self.date,
                        &self.shared.draining,
                        false,
                        Some(token),
                    );
                    conn.fail(status, &env, &mut self.store)
                }
            };
            // The seed's one-shot registration may be for reading, and
            // the answer needs writing: register it again.
            let rearm = self.settings.model == Model::Seed;
            self.handled(token, outcome, rearm, now);
        }
    }
    // ANCHOR_END: expire

    // ANCHOR: drain
    /// Stops accepting and closes the connections that have no request
    /// under way; the others finish theirs (answered with `Connection:
    /// close`) until the loop ends at `deadline`.
    fn begin_drain(&mut self, deadline: Instant) {
        if let Some(current) = self.draining {
            self.draining = Some(current.min(deadline));
            return;
        }
        self.draining = Some(deadline);
        if let Some(listening) = self.listening.take() {
            listening.close(&mut self.poller);
        }
        let idle: Vec<Token> = self
            .conns
            .iter()
            .filter_map(|(token, entry)| match entry {
                Entry::Here(conn) if conn.phase() == Phase::Idle => Some(token),
                _ => None,
            })
            .collect();
        for token in idle {
            self.close(token);
        }
    }
    // ANCHOR_END: drain

    /// Step 17: deregister, then close the fd by dropping the connection,
    /// after its working memory has gone back to the store.
    fn close(&mut self, token: Token) {
        let Some(entry) = self.conns.remove(token) else {
            return;
        };
        if let Entry::Here(mut conn) = entry {
            let _ = self.poller.deregister(conn.socket());
            self.counters.phases[self.settings.worker].shift(&mut conn.gauged, None);
            conn.recycle(&mut self.store);
        }
        self.timers.remove(token);
        self.counters.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parts::Basic;
    use eventcore_router::Router;
    use eventcore_sockets::SockFlags;
    use eventcore_sockets::socket::Family;

    fn worker() -> Worker<Basic> {
        let settings = Settings {
            model: Model::Seed,
            high_water: 1 << 16,
            limits: Limits::default(),
            retain: Retain::Small,
            pool_threads: 1,
            pool_queue: 1,
            linger: false,
            worker: 0,
        };
        let app = Arc::new(App::new(Router::builder().build().unwrap()));
        let counters = Arc::new(Counters::new(1));
        Worker::new(0, settings, app, None, &Basic, counters).unwrap()
    }

    fn socket() -> Socket {
        Socket::tcp(Family::V4, SockFlags::NONBLOCKING).unwrap()
    }

    #[test]
    fn a_worker_whose_loop_has_ended_refuses_connections_and_the_next_takes_them() {
        let ended = worker();
        let ended_shared = ended.shared();
        ended_shared.drain(Instant::now());
        ended.run().unwrap();
        assert!(ended_shared.deliver(socket()).is_err());
        // Not running yet, but its loop hasn't ended: its mailbox takes it.
        let live = worker();
        let workers = [ended_shared, live.shared()];
        assert!(deal(&workers, 0, socket()).is_ok());
        assert_eq!(workers[1].lock().incoming.len(), 1);
        assert!(
            deal(&workers[..1], 0, socket()).is_err(),
            "nobody is running"
        );
    }
}
