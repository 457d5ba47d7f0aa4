//! The server as a library user builds it: routes, middleware and the
//! fallbacks of chapter 5's router, the routes that may block (chapter 7),
//! and the [`Settings`]; then [`Builder::run`] serves until SIGINT or
//! SIGTERM and drains, or [`Builder::start`] returns a [`Running`] server
//! to stop when the program wants.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use eventcore_http::{Method, Response};
use eventcore_pooling::{PoolStats, Pooling};
use eventcore_router::{Ctx, Error, HandlerResult, Next, Router, RouterBuilder};
use eventcore_workers::{App, Model, Stats, example, signal};

use crate::panic::in_handler;
use crate::settings::Settings;

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
        Builder {
            router: Router::builder(),
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

    /// The routes under `prefix` may block (a file, a database): in the
    /// inline model they run on the worker's pool, not on its loop.
    pub fn blocking(mut self, prefix: &str) -> Builder {
        self.blocking.push(prefix.to_string());
        self
    }

    fn app(self) -> io::Result<(App, Settings)> {
        let router = self
            .router
            .build()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        let app = self
            .blocking
            .iter()
            .fold(App::new(router), |app, prefix| app.blocking(prefix));
        Ok((app, self.settings))
    }

    /// Binds and starts serving; returns once connections are accepted.
    pub fn start(self) -> io::Result<Running> {
        let (app, settings) = self.app()?;
        Running::start(app, &settings)
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
}

impl Running {
    /// Starts `app` (chapter 7's router plus blocking routes) with `settings`.
    pub fn start(app: App, settings: &Settings) -> io::Result<Running> {
        let (config, parts, drain) = settings
            .compose()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        let pooling = parts.pooling.clone();
        let server = eventcore_workers::Server::start_with(config, app, parts)?;
        Ok(Running {
            server,
            pooling,
            drain,
        })
    }

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
        self.server.drain(self.drain)
    }

    /// Stops now, closing every connection.
    pub fn stop(self) -> io::Result<()> {
        self.server.stop()
    }

    /// Waits for SIGINT or SIGTERM, then drains; a second signal during the
    /// drain returns at once with [`io::ErrorKind::Interrupted`]. The
    /// calling thread must have blocked both signals before any thread
    /// started ([`signal::block_termination`]), as [`Builder::run`] and the
    /// binary do.
    pub fn run(self) -> io::Result<()> {
        log::info!(
            "listening on http://{} ({} workers, {} model)",
            self.local_addr(),
            self.workers(),
            self.model()
        );
        let signal = signal::wait_for_termination()?;
        log::info!(
            "signal {signal}: draining for at most {:?}; a second signal stops at once",
            self.drain
        );
        match example::drain_or_second_signal(self.server, self.drain) {
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
