//! The server: listeners, workers and (in the seed's model) the acceptor,
//! wired together by [`Server::start`] and stopped by [`Server::drain`] or
//! [`Server::stop`].

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use eventcore_poller::Waker;
use eventcore_sockets::socket::Family;
use eventcore_sockets::{SockFlags, Socket};

use crate::parts::{Basic, Parts};
use crate::stats::{Counters, Stats, StatsHandle};
use crate::worker::{Settings, Shared, Worker, deal};
use crate::{App, Config, Model, acceptor};

#[derive(Debug)]
struct Acceptor {
    stop: Arc<AtomicBool>,
    waker: Arc<Waker>,
    thread: JoinHandle<io::Result<()>>,
}

/// A running server. Dropping it stops it too.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    model: Model,
    workers: Vec<(Arc<Shared>, JoinHandle<io::Result<()>>)>,
    acceptor: Option<Acceptor>,
    counters: Arc<Counters>,
}

// ANCHOR: listener
/// A listening socket with the options every connection inherits.
fn listener(addr: &SocketAddr, reuseport: bool, config: &Config) -> io::Result<Socket> {
    let sock = Socket::tcp(Family::of(addr), SockFlags::NONBLOCKING)?;
    sock.set_reuseaddr(config.reuseaddr)?;
    // Several sockets on one port, the kernel spreading connections over
    // them by a hash of the connection's addresses and ports.
    sock.set_reuseport(reuseport)?;
    // Accepted sockets inherit TCP_NODELAY (chapter 1 measured it), which
    // saves a setsockopt per connection.
    sock.set_nodelay(config.nodelay)?;
    sock.bind(addr)?;
    sock.listen(config.backlog)?;
    Ok(sock)
}
// ANCHOR_END: listener

impl Server {
    /// Binds, starts the threads with chapter 7's [`Basic`] parts, and
    /// returns once the server accepts.
    pub fn start(config: Config, app: App) -> io::Result<Server> {
        Server::start_with(config, app, Basic)
    }

    // ANCHOR: start
    /// Like [`start`](Server::start), with `parts` making each worker's
    /// store and timers.
    pub fn start_with<P: Parts>(config: Config, app: App, parts: P) -> io::Result<Server> {
        let app = Arc::new(app);
        let settings = Settings {
            model: config.model,
            // 0 would stop every connection before its first read.
            high_water: config.high_water.max(1),
            limits: config.limits,
            retain: config.retain,
            pool_threads: config.pool_threads,
            pool_queue: config.pool_queue,
            linger: false, // the worker asks its timers
            worker: 0,     // each worker sets its own
        };
        // The seed's 0: one worker per core.
        let workers = match config.workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let reuseport = config.model == Model::Inline || config.reuseport;
        let first = listener(&config.addr, reuseport, &config)?;
        // With port 0 the kernel chose one; the other listeners join it.
        let addr = first.local_addr()?;
        let mut listeners = vec![first];
        if config.model == Model::Inline {
            for _ in 1..workers {
                listeners.push(listener(&addr, true, &config)?);
            }
        }
        let mut server = Server {
            addr,
            model: config.model,
            workers: Vec::with_capacity(workers),
            acceptor: None,
            counters: Arc::new(Counters::new(workers)),
        };
        let mut listeners = listeners.into_iter();
        for id in 0..workers {
            let own = match config.model {
                Model::Inline => listeners.next().map(|sock| (sock, config.accept_batch)),
                Model::Seed => None,
            };
            let counters = Arc::clone(&server.counters);
            let worker = Worker::new(id, settings, Arc::clone(&app), own, &parts, counters)?;
            let shared = worker.shared();
            let thread = std::thread::Builder::new()
                .name(format!("worker-{id}"))
                .spawn(move || logged("worker", worker.run()))?;
            server.workers.push((shared, thread));
        }
        if let Some(sock) = listeners.next() {
            // The seed's model: the one listener goes to the accept thread.
            server.acceptor = Some(server.accept_thread(sock, config.accept_batch)?);
        }
        Ok(server)
    }
    // ANCHOR_END: start

    // ANCHOR: accept_thread
    /// The seed's accept thread, dealing to the workers in turn. A worker
    /// whose loop has ended gives the socket back, and the next one in
    /// turn gets it.
    fn accept_thread(&self, sock: Socket, batch: usize) -> io::Result<Acceptor> {
        let stop = Arc::new(AtomicBool::new(false));
        let waker = Arc::new(Waker::new()?);
        let workers: Vec<Arc<Shared>> = self.workers.iter().map(|(s, _)| Arc::clone(s)).collect();
        let shed_to = workers.clone();
        let deliver = move |next: usize, sock: Socket| {
            if deal(&workers, next, sock).is_err() {
                log::error!("no worker is running; closing a new connection");
            }
        };
        let shed = move || shed_to.iter().for_each(|worker| worker.shed());
        let (counters, thread_stop, thread_waker) = (
            Arc::clone(&self.counters),
            Arc::clone(&stop),
            Arc::clone(&waker),
        );
        let thread = std::thread::Builder::new()
            .name("acceptor".into())
            .spawn(move || {
                let result = acceptor::run(
                    sock,
                    batch,
                    counters,
                    thread_stop,
                    thread_waker,
                    deliver,
                    shed,
                );
                logged("acceptor", result)
            })?;
        Ok(Acceptor {
            stop,
            waker,
            thread,
        })
    }
    // ANCHOR_END: accept_thread

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Event-loop threads running.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    pub fn model(&self) -> Model {
        self.model
    }

    /// Connections open right now, over all workers.
    pub fn connections(&self) -> usize {
        self.stats().connections
    }

    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    /// The counters behind [`stats`](Server::stats), for another thread.
    pub fn stats_handle(&self) -> StatsHandle {
        StatsHandle(Arc::clone(&self.counters))
    }

    // ANCHOR: drain
    /// Stops gracefully: no more connections are accepted (the listeners
    /// close), connections with no request under way close at once, and
    /// the others finish the request they are on, answered with
    /// `Connection: close`. Returns when every connection is done, or
    /// after `timeout`, when whatever is left is closed; then the first
    /// error a thread ended with, if any.
    pub fn drain(mut self, timeout: Duration) -> io::Result<()> {
        self.shutdown(timeout)
    }

    /// Stops now: [`drain`](Server::drain) with no time to finish.
    pub fn stop(mut self) -> io::Result<()> {
        self.shutdown(Duration::ZERO)
    }

    fn shutdown(&mut self, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        let mut result = Ok(());
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.stop.store(true, Ordering::Release);
            let _ = acceptor.waker.wake();
            result = result.and(join(acceptor.thread));
        }
        for (shared, _) in &self.workers {
            shared.drain(deadline);
        }
        for (_, thread) in self.workers.drain(..) {
            result = result.and(join(thread));
        }
        result
    }
    // ANCHOR_END: drain
}

/// Logs a thread's error when it happens rather than at `stop`: only
/// `epoll_wait` itself failing ends a loop early, and nobody may call
/// `stop` soon.
fn logged(what: &str, result: io::Result<()>) -> io::Result<()> {
    if let Err(e) = &result {
        log::error!("{what} thread ended: {e}");
    }
    result
}

fn join(thread: JoinHandle<io::Result<()>>) -> io::Result<()> {
    thread
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("a server thread panicked")))
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Err(e) = self.shutdown(Duration::ZERO) {
            log::error!("server stop: {e}");
        }
    }
}
