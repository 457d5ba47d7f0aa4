//! The server as a library user builds it: routes, middleware and the
//! fallbacks of chapter 5's router, the routes that may block (chapter 7),
//! and the [`Settings`]; then [`Builder::run`] serves until SIGINT or
//! SIGTERM and drains, or [`Builder::start`] returns a [`Running`] server
//! to stop when the program wants.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use eventcore_http::{Method, Response};
use eventcore_pooling::{PoolStats, Pooling};
use eventcore_router::{Ctx, Error, HandlerResult, Next, Router, RouterBuilder};
use eventcore_workers::{App, Exchange, Model, Observer, Stats, example, signal};

use crate::access::AccessLog;
use crate::files::Files;
use crate::panic::in_handler;
use crate::settings::Settings;
use crate::status::Status;

// ANCHOR: builder
/// A server under construction. Each method takes and returns it:
///
/// ```no_run
/// eventcore::Builder::new()
///     .get("/hello", |_| Ok(eventcore::Response::text("hello")))
///     .run()
///     .unwrap();
/// ```
pub struct Builder {
    router: RouterBuilder,
    blocking: Vec<String>,
    settings: Settings,
}
// ANCHOR_END: builder

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("blocking", &self.blocking)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

/// A handler, marked as running: a panic in it is the router's to log,
/// with the route (see [`crate::panic`]).
fn marked<F>(handler: F) -> impl Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static
where
    F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
{
    move |ctx| in_handler(|| handler(ctx))
}

impl Builder {
    /// No routes (every request gets 404), the default settings.
    pub fn new() -> Builder {
        Builder::with_router(Router::builder())
    }

    /// Starts from routes made elsewhere (chapter 7's demo, for the
    /// binary). Their handlers are not marked as handlers: a panic in one
    /// is logged by the hook as well as by the router.
    pub fn with_router(router: RouterBuilder) -> Builder {
        Builder {
            router,
            blocking: Vec::new(),
            settings: Settings::default(),
        }
    }

    pub fn settings(mut self, settings: Settings) -> Builder {
        self.settings = settings;
        self
    }

    /// `handler` answers `method` requests for `pattern`: an exact path
    /// (`/about`) or one with parameters (`/users/{id:[0-9]+}`), chapter 5.
    pub fn route<F>(mut self, method: Method<'_>, pattern: &str, handler: F) -> Builder
    where
        F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.router = self.router.route(method, pattern, marked(handler));
        self
    }

    pub fn get<F>(self, pattern: &str, handler: F) -> Builder
    where
        F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.route(Method::Get, pattern, handler)
    }

    pub fn post<F>(self, pattern: &str, handler: F) -> Builder
    where
        F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.route(Method::Post, pattern, handler)
    }

    /// A route given as a regular expression, matched against the whole path.
    pub fn regex<F>(mut self, method: Method<'_>, regex: &str, handler: F) -> Builder
    where
        F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.router = self.router.regex(method, regex, marked(handler));
        self
    }

    /// Middleware around every request, in the order added.
    pub fn middleware<F>(mut self, middleware: F) -> Builder
    where
        F: Fn(&Ctx<'_>, Next<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.router = self.router.middleware(middleware);
        self
    }

    /// Middleware around the requests under `prefix` (whole segments).
    pub fn middleware_at<F>(mut self, prefix: &str, middleware: F) -> Builder
    where
        F: Fn(&Ctx<'_>, Next<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.router = self.router.middleware_at(prefix, middleware);
        self
    }

    /// What a request no route matches gets (by default, 404).
    pub fn not_found<F>(mut self, handler: F) -> Builder
    where
        F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.router = self.router.not_found(marked(handler));
        self
    }

    /// What a request whose handler failed or panicked gets (by default, 500).
    pub fn error_handler<F>(mut self, handler: F) -> Builder
    where
        F: Fn(&Ctx<'_>, &Error) -> Response + Send + Sync + 'static,
    {
        self.router = self.router.error_handler(handler);
        self
    }

    // ANCHOR: files
    /// Serves `files` under `prefix`, on whole segments (`/static` covers
    /// `/static/app.js`, not `/statics`). At `/` the files answer what no
    /// route does; under any other prefix the paths are theirs, routes or
    /// not. The binary's `--root DIR` mounts at `/`.
    pub fn files(mut self, prefix: &str, files: Files) -> Builder {
        let prefix = prefix.trim_end_matches('/').to_string();
        if prefix.is_empty() {
            self.router = (self.router).not_found(marked(move |ctx| {
                Ok(files.serve(&ctx.request, ctx.request.path()))
            }));
        } else {
            let strip = prefix.len();
            self.router = self.router.middleware_at(&prefix, move |ctx, _next| {
                in_handler(|| Ok(files.serve(&ctx.request, &ctx.request.path()[strip..])))
            });
        }
        self
    }
    // ANCHOR_END: files

    /// The routes under `prefix` may block (a file, a database): in the
    /// inline model they run on the worker's pool, not on its loop.
    pub fn blocking(mut self, prefix: &str) -> Builder {
        self.blocking.push(prefix.to_string());
        self
    }

    /// Binds and starts serving; returns once connections are accepted.
    pub fn start(mut self) -> io::Result<Running> {
        if !self.settings.root.is_empty() {
            let root = &self.settings.root;
            let files = Files::new(root)?.list_directories(self.settings.list_directories);
            self = self.files("/", files);
        }
        let settings = self.settings;
        let invalid =
            |e: &dyn std::fmt::Display| io::Error::new(io::ErrorKind::InvalidInput, e.to_string());
        let (config, parts, drain) = settings.compose().map_err(|e| invalid(&e))?;
        let workers = config.workers;
        let status = (!settings.status_path.is_empty()).then(|| Status::new(workers));
        let mut router = self.router;
        if let Some(status) = &status {
            let status = Arc::clone(status);
            router = router.get(&settings.status_path, move |_| Ok(status.response()));
        }
        let access = match settings.access_log.as_str() {
            "" => None,
            target => Some(AccessLog::open(
                target,
                settings.access_log_format,
                workers,
            )?),
        };
        let router = router.build().map_err(|e| invalid(&e))?;
        let mut app = self
            .blocking
            .iter()
            .fold(App::new(router), |app, prefix| app.blocking(prefix));
        if access.is_some() || status.is_some() {
            app = app.observe(Arc::new(Observers {
                access: access.clone(),
                status: status.clone(),
            }));
        }
        let pooling = parts.pooling.clone();
        let server = eventcore_workers::Server::start_with(config, app, parts)?;
        if let Some(status) = &status {
            status.attach(server.stats_handle());
        }
        Ok(Running {
            server,
            pooling,
            drain,
            access,
        })
    }

    /// Serves until SIGINT or SIGTERM, then drains (see [`Running::run`]).
    pub fn run(self) -> io::Result<()> {
        // Before any thread starts, so that no thread but this one sees them.
        signal::block_termination()?;
        self.start()?.run()
    }
}

// ANCHOR: running
/// A server that is serving.
#[derive(Debug)]
pub struct Running {
    server: eventcore_workers::Server,
    pooling: Pooling,
    drain: Duration,
    /// Flushed once the server has stopped (and when the last worker lets
    /// go of it).
    access: Option<Arc<AccessLog>>,
}

/// What the settings ask to observe of each response: the access log, the
/// status counters, or both.
#[derive(Debug)]
struct Observers {
    access: Option<Arc<AccessLog>>,
    status: Option<Arc<Status>>,
}

impl Observer for Observers {
    fn answered(&self, exchange: &Exchange<'_>) {
        if let Some(status) = &self.status {
            status.answered(exchange);
        }
        if let Some(access) = &self.access {
            access.answered(exchange);
        }
    }
}

impl Running {
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    pub fn workers(&self) -> usize {
        self.server.workers()
    }

    pub fn model(&self) -> Model {
        self.server.model()
    }

    /// Connections, accepts, refusals and evictions so far (chapter 7).
    pub fn stats(&self) -> Stats {
        self.server.stats()
    }

    /// The working-memory pools of all workers (chapter 8).
    pub fn pool_stats(&self) -> PoolStats {
        self.pooling.stats()
    }

    /// Stops gracefully: stop accepting, close idle connections, let the
    /// busy ones finish (answered with `Connection: close`) for at most
    /// the drain timeout, then close the rest.
    pub fn shutdown(self) -> io::Result<()> {
        let result = self.server.drain(self.drain);
        flush(self.access);
        result
    }

    /// Stops now, closing every connection.
    pub fn stop(self) -> io::Result<()> {
        let result = self.server.stop();
        flush(self.access);
        result
    }

    /// Waits for SIGINT or SIGTERM, then drains; a second signal during the
    /// drain returns at once with [`io::ErrorKind::Interrupted`]. The
    /// calling thread must have blocked both signals before any thread
    /// started ([`signal::block_termination`]), as [`Builder::run`] and the
    /// binary do.
    pub fn run(self) -> io::Result<()> {
        log::info!(
            "listening on http://{} (workers: {}, model: {}, pid: {})",
            self.local_addr(),
            self.workers(),
            self.model(),
            std::process::id()
        );
        let signal = signal::wait_for_termination()?;
        log::info!(
            "signal {signal}: draining for at most {:?}; a second signal stops at once",
            self.drain
        );
        let drained = example::drain_or_second_signal(self.server, self.drain);
        flush(self.access);
        match drained {
            Some(result) => {
                result?;
                log::info!("stopped");
                Ok(())
            }
            None => Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "a second signal: stopped at once",
            )),
        }
    }
}
// ANCHOR_END: running

/// The access log's last lines, once no worker writes any more.
fn flush(access: Option<Arc<AccessLog>>) {
    if let Some(access) = access {
        access.flush();
    }
}
