//! The status endpoint: the server's counters in the Prometheus text
//! format (version 0.0.4), at the path `status_path` names. Off unless it
//! is set. Like nginx's `stub_status`, it says how many connections were
//! accepted and handled, how many are open and what they wait for
//! (reading, writing, idle), and how many requests were answered, here by
//! status class too.
//!
//! Connections are counted by chapter 7's workers anyway ([`Stats`]); the
//! requests by this module as chapter 7's [`Observer`], per worker, on a
//! cache line of its own, so that counting costs a few uncontended
//! increments per request. A scrape adds the workers up.
//!
//! It tells anyone who can reach it how busy the server is: serve it on a
//! loopback address, or put a middleware in front of its path.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use eventcore_http::Response;
use eventcore_workers::{Exchange, Observer, Stats, StatsHandle};

/// One worker's answered requests by status class: 1xx to 5xx.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Classes([AtomicU64; 5]);

/// The counters behind the endpoint.
#[derive(Debug)]
pub struct Status {
    workers: Box<[Classes]>,
    /// The server's connection counters, once it has started.
    server: OnceLock<StatsHandle>,
}

impl Status {
    pub fn new(workers: usize) -> Arc<Status> {
        Arc::new(Status {
            workers: (0..workers.max(1)).map(|_| Classes::default()).collect(),
            server: OnceLock::new(),
        })
    }

    /// The server whose connections the endpoint reports.
    pub fn attach(&self, server: StatsHandle) {
        let _ = self.server.set(server);
    }

    /// Responses by class (1xx, 2xx, ... 5xx), over all workers.
    pub fn responses(&self) -> [u64; 5] {
        let mut sum = [0; 5];
        for worker in self.workers.iter() {
            for (total, count) in sum.iter_mut().zip(&worker.0) {
                *total += count.load(Ordering::Relaxed);
            }
        }
        sum
    }

    // ANCHOR: render
    /// The Prometheus text.
    pub fn render(&self) -> String {
        let stats = self.server.get().map(StatsHandle::get).unwrap_or_default();
        let responses = self.responses();
        let mut out = String::with_capacity(2048);
        let mut metric = |name: &str, kind: &str, help: &str, rows: &[(&str, u64)]| {
            let _ = writeln!(out, "# HELP eventcore_{name} {help}");
            let _ = writeln!(out, "# TYPE eventcore_{name} {kind}");
            for (labels, value) in rows {
                let _ = writeln!(out, "eventcore_{name}{labels} {value}");
            }
        };
        let Stats {
            connections,
            accepted,
            over_limit,
            idle,
            reading,
            writing,
            ..
        } = stats;
        metric(
            "connections_accepted_total",
            "counter",
            "Connections accepted.",
            &[("", accepted)],
        );
        metric(
            "connections_handled_total",
            "counter",
            "Connections accepted and served (not turned away at the connection limit).",
            &[("", accepted.saturating_sub(over_limit))],
        );
        metric(
            "connections_active",
            "gauge",
            "Connections open.",
            &[("", connections as u64)],
        );
        metric(
            "connections",
            "gauge",
            "Open connections by what they wait for.",
            &[
                ("{state=\"reading\"}", reading as u64),
                ("{state=\"writing\"}", writing as u64),
                ("{state=\"idle\"}", idle as u64),
            ],
        );
        metric(
            "requests_total",
            "counter",
            "Responses sent, to requests and to requests that could not be parsed.",
            &[("", responses.iter().sum())],
        );
        metric(
            "responses_total",
            "counter",
            "Responses by status class.",
            &[
                ("{class=\"1xx\"}", responses[0]),
                ("{class=\"2xx\"}", responses[1]),
                ("{class=\"3xx\"}", responses[2]),
                ("{class=\"4xx\"}", responses[3]),
                ("{class=\"5xx\"}", responses[4]),
            ],
        );
        metric(
            "accept_pauses_total",
            "counter",
            "Times accepting paused for want of file descriptors.",
            &[("", stats.accept_pauses)],
        );
        metric(
            "evicted_total",
            "counter",
            "Idle connections closed to make room at the connection limit.",
            &[("", stats.evicted)],
        );
        metric(
            "refused_total",
            "counter",
            "Requests answered 503 because a pool queue was full.",
            &[("", stats.refused)],
        );
        out
    }
    // ANCHOR_END: render

    /// The endpoint's response.
    pub fn response(&self) -> Response {
        // A constant field value, which the check lets through.
        Response::text(self.render())
            .try_content_type("text/plain; version=0.0.4; charset=utf-8")
            .unwrap_or_else(|_| Response::error(500))
    }
}

impl Observer for Status {
    #[inline]
    fn answered(&self, exchange: &Exchange<'_>) {
        let worker = &self.workers[exchange.worker % self.workers.len()];
        let class = usize::from(exchange.status / 100).clamp(1, 5) - 1;
        worker.0[class].fetch_add(1, Ordering::Relaxed);
    }
}
