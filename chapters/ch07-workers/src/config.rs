//! The server's settings: the seed's `Config` struct, less what later
//! chapters add. Those come with the later chapter's [`Parts`](crate::Parts)
//! (the pool's sizes in chapter 8, the timeouts in chapter 9) or belong to
//! the final crate (logging, the command line), so this struct never has to
//! learn them.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use eventcore_http::Limits;

use crate::store::Retain;

// ANCHOR: model
/// Where handlers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// The seed's: one accept thread deals connections round-robin to the
    /// workers; a worker's loop hands every ready connection to its thread
    /// pool (registered one-shot) and re-arms it when the task is done.
    Seed,
    /// Thread-per-core, like nginx: each worker accepts on its own
    /// `SO_REUSEPORT` listener and runs handlers on its loop; only routes
    /// marked blocking go to its pool.
    Inline,
}
// ANCHOR_END: model

impl FromStr for Model {
    type Err = String;

    fn from_str(s: &str) -> Result<Model, String> {
        match s {
            "seed" => Ok(Model::Seed),
            "inline" => Ok(Model::Inline),
            other => Err(format!("unknown model {other:?} (seed or inline)")),
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Model::Seed => "seed",
            Model::Inline => "inline",
        })
    }
}

// ANCHOR: config
#[derive(Debug, Clone)]
pub struct Config {
    /// Port 0 picks a free port; [`Server::local_addr`](crate::Server::local_addr) tells which.
    pub addr: SocketAddr,
    /// Event-loop threads; 0 means one per core, as in the seed (and that
    /// is the default).
    pub workers: usize,
    pub model: Model,
    /// Threads in each worker's pool (the seed's `num_threads_per_worker`).
    pub pool_threads: usize,
    /// Requests waiting for a pool thread, per worker, beyond which a
    /// request is answered `503 Service Unavailable` and its connection
    /// closed. The seed's queue has no bound: under a flood of slow
    /// requests it grows until memory runs out.
    pub pool_queue: usize,
    /// Connections accepted per readiness event before the loop looks at
    /// its other events (the seed's `accept_batch_size`).
    pub accept_batch: usize,
    /// The listen queue; the kernel caps it at `net.core.somaxconn`.
    pub backlog: i32,
    /// Pending output per connection above which it is not read (backpressure).
    pub high_water: usize,
    /// The parser's limits (chapter 4): 414, 431 and 413 come from here.
    pub limits: Limits,
    /// What an idle keep-alive connection keeps of its buffers and parser.
    pub retain: Retain,
    /// `TCP_NODELAY`: small responses leave at once instead of waiting for
    /// an ACK (Nagle's algorithm). Set on the listener, so that accepted
    /// sockets inherit it without a syscall each.
    pub nodelay: bool,
    /// `SO_REUSEADDR`: a restarted server binds its port while connections
    /// of the old one linger in TIME_WAIT.
    pub reuseaddr: bool,
    /// `SO_REUSEPORT` for the seed model's one listener too, so that
    /// several processes can share the port. The inline model always sets
    /// it: that is how its workers share one.
    pub reuseport: bool,
}
// ANCHOR_END: config

impl Default for Config {
    fn default() -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            workers: 0,
            model: Model::Inline,
            pool_threads: 4,
            pool_queue: 1024,
            accept_batch: 100,
            backlog: 4096,
            high_water: 64 * 1024,
            limits: Limits::default(),
            retain: Retain::Small,
            nodelay: true,
            reuseaddr: true,
            reuseport: false,
        }
    }
}
