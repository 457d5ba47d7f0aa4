//! The server: listeners, workers and (in the seed's model) the acceptor,
//! wired together by [`Server::start`] and stopped by [`Server::stop`].

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use eventcore_poller::Waker;
use eventcore_sockets::socket::Family;
use eventcore_sockets::{SockFlags, Socket};

use crate::worker::{Settings, Shared, Worker};
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
}

// ANCHOR: listener
/// A listening socket with the options every connection inherits.
fn listener(addr: &SocketAddr, reuseport: bool, backlog: i32) -> io::Result<Socket> {
    let sock = Socket::tcp(Family::of(addr), SockFlags::NONBLOCKING)?;
    sock.set_reuseaddr(true)?;
    // Several sockets on one port, the kernel spreading connections over
    // them by a hash of the connection's addresses and ports.
    sock.set_reuseport(reuseport)?;
    // Accepted sockets inherit TCP_NODELAY (chapter 1 measured it), which
    // saves a setsockopt per connection.
    sock.set_nodelay(true)?;
    sock.bind(addr)?;
    sock.listen(backlog)?;
    Ok(sock)
}
// ANCHOR_END: listener

impl Server {
    // ANCHOR: start
    /// Binds, starts the threads, and returns once the server accepts.
    pub fn start(config: Config, app: App) -> io::Result<Server> {
        let app = Arc::new(app);
        let settings = Settings {
            model: config.model,
            // 0 would stop every connection before its first read.
            high_water: config.high_water.max(1),
            limits: config.limits,
        };
        // The seed's 0: one worker per core.
        let workers = match config.workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let reuseport = config.model == Model::Inline;
        let first = listener(&config.addr, reuseport, config.backlog)?;
        // With port 0 the kernel chose one; the other listeners join it.
        let addr = first.local_addr()?;
        let mut listeners = vec![first];
        if config.model == Model::Inline {
            for _ in 1..workers {
                listeners.push(listener(&addr, true, config.backlog)?);
            }
        }
        let mut server = Server {
            addr,
            model: config.model,
            workers: Vec::with_capacity(workers),
            acceptor: None,
        };
        let mut listeners = listeners.into_iter();
        for id in 0..workers {
            let own = match config.model {
                Model::Inline => listeners.next().map(|sock| (sock, config.accept_batch)),
                Model::Seed => None,
            };
            let worker = Worker::new(id, settings, Arc::clone(&app), own, config.pool_threads)?;
            let shared = worker.shared();
            let thread = std::thread::Builder::new()
                .name(format!("worker-{id}"))
                .spawn(move || logged("worker", worker.run()))?;
            server.workers.push((shared, thread));
        }
        if let Some(sock) = listeners.next() {
            // The seed's model: the one listener goes to the accept thread.
            let stop = Arc::new(AtomicBool::new(false));
            let waker = Arc::new(Waker::new()?);
            let shared = server.workers.iter().map(|(s, _)| Arc::clone(s)).collect();
            let (batch, thread_stop, thread_waker) =
                (config.accept_batch, Arc::clone(&stop), Arc::clone(&waker));
            let thread = std::thread::Builder::new()
                .name("acceptor".into())
                .spawn(move || {
                    let result = acceptor::run(sock, batch, shared, thread_stop, thread_waker);
                    logged("acceptor", result)
                })?;
            server.acceptor = Some(Acceptor {
                stop,
                waker,
                thread,
            });
        }
        Ok(server)
    }
    // ANCHOR_END: start

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
        self.workers.iter().map(|(s, _)| s.connections()).sum()
    }

    /// Stops accepting, stops the workers (closing every connection) and
    /// waits for the threads. Returns the first error a thread ended with.
    pub fn stop(mut self) -> io::Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> io::Result<()> {
        let mut result = Ok(());
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.stop.store(true, Ordering::Release);
            let _ = acceptor.waker.wake();
            result = result.and(join(acceptor.thread));
        }
        for (shared, _) in &self.workers {
            shared.stop();
        }
        for (_, thread) in self.workers.drain(..) {
            result = result.and(join(thread));
        }
        result
    }
}

/// Logs a thread's error when it happens rather than at `stop`: only
/// `epoll_wait` itself failing ends a loop, and nobody may call `stop` soon.
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
        if let Err(e) = self.shutdown() {
            log::error!("server stop: {e}");
        }
    }
}
