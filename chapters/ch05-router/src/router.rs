//! The router: which handler answers a request, and what runs around it.
//!
//! A [`RouterBuilder`] collects routes, middleware and fallbacks; `build`
//! compiles every pattern once and returns a [`Router`] that never changes
//! again. Being immutable, it is `Send + Sync` and shared by every worker
//! thread through an `Arc`, without a lock: the seed's "const methods that
//! touch mutable state" cannot happen, because there is no mutable state.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};

use eventcore_http::{Method, Request, Response};
use regex::bytes::{Regex, RegexSet};

use crate::pattern::{self, Params, PatternError};

/// What a handler may fail with; the error handler turns it into a response.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// What handlers and middleware return.
pub type HandlerResult = Result<Response, Error>;

// ANCHOR: ctx
/// What a handler sees: the request and the path parameters its route captured.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub request: Request<'a>,
    pub params: Params<'a>,
}
// ANCHOR_END: ctx

// ANCHOR: types
/// A handler: plain functions and closures.
pub type Handler = Box<dyn Fn(&Ctx<'_>) -> HandlerResult + Send + Sync>;

/// A middleware gets the request and the rest of the chain. It can answer
/// by itself (an auth check), or call `next.run(ctx)` and change what comes
/// back (a header, a timing).
pub type Middleware = Box<dyn Fn(&Ctx<'_>, Next<'_>) -> HandlerResult + Send + Sync>;

/// Turns a handler's error (or panic) into the response the client gets.
pub type ErrorHandler = Box<dyn Fn(&Ctx<'_>, &Error) -> Response + Send + Sync>;
// ANCHOR_END: types

struct Route {
    /// Method and pattern as registered, for messages.
    description: String,
    /// The path or pattern as registered.
    path: String,
    /// `None` for an exact route.
    regex: Option<Regex>,
    names: Vec<String>,
    handler: Handler,
}

/// The routes of one method.
struct MethodTable {
    method: Vec<u8>,
    /// `method` as the parser reports it, if it is a registered one: a
    /// request's table is found by comparing these, not bytes.
    registered: Option<Method<'static>>,
    exact: ExactPaths,
    /// Indexes into `routes`, in registration order.
    patterns: Vec<usize>,
    /// All of `patterns` at once, when the pre-filter is on.
    set: Option<RegexSet>,
}

// ANCHOR: exact_paths
/// A method's exact paths, each with its route's index. A hash costs the
/// same for one route as for a thousand, and most methods have a few: up
/// to `FEW_EXACT`, a lookup compares the path with each one (a slice
/// compare looks at the lengths first, and at the bytes only of those as
/// long). Past that, the hash (the hot path chapter measures both).
enum ExactPaths {
    Few(Vec<(Box<[u8]>, usize)>),
    Hashed(HashMap<Box<[u8]>, usize, BuildHasherDefault<PathHasher>>),
}

const FEW_EXACT: usize = 8;

impl ExactPaths {
    /// Adds `path`; false if it is there already.
    fn insert(&mut self, path: &[u8], route: usize) -> bool {
        if self.get(path).is_some() {
            return false;
        }
        match self {
            ExactPaths::Few(few) => {
                few.push((path.into(), route));
                if few.len() > FEW_EXACT {
                    *self = ExactPaths::Hashed(few.drain(..).collect());
                }
            }
            ExactPaths::Hashed(hashed) => {
                hashed.insert(path.into(), route);
            }
        }
        true
    }

    fn get(&self, path: &[u8]) -> Option<usize> {
        match self {
            ExactPaths::Few(few) => few
                .iter()
                .find(|(known, _)| **known == *path)
                .map(|&(_, route)| route),
            ExactPaths::Hashed(hashed) => hashed.get(path).copied(),
        }
    }
}
// ANCHOR_END: exact_paths

// ANCHOR: path_hasher
/// FNV-1a, for the exact-route table. The standard `HashMap` hashes with
/// SipHash under a random key, which stops an attacker who can choose the
/// keys a table *stores* from filling one bucket. Here the stored keys are
/// the application's own routes, fixed when the router is built; a client
/// only looks paths up, and a lookup costs at most the longest chain among
/// those routes, whatever the path. So the keyed hash buys nothing, and it
/// cost 222 instructions per request, more than the rest of the router
/// (measured in the book's chapter on the hot path). This one takes
/// FNV-1a's step (xor, then multiply by the FNV prime) eight bytes at a
/// time: a multiply per word.
#[derive(Debug, Clone, Copy)]
pub struct PathHasher(u64);

impl Default for PathHasher {
    fn default() -> PathHasher {
        PathHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for PathHasher {
    fn write(&mut self, bytes: &[u8]) {
        const PRIME: u64 = 0x0100_0000_01b3;
        let mut words = bytes.chunks_exact(8);
        for word in words.by_ref() {
            let word = u64::from_le_bytes(word.try_into().expect("chunks of 8"));
            self.0 = (self.0 ^ word).wrapping_mul(PRIME);
        }
        for &b in words.remainder() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }

    fn finish(&self) -> u64 {
        // A multiply carries a bit only upwards, so the low bits, which
        // pick the bucket, would ignore the high bytes of every word (two
        // routes that differ in their eighth byte would share a bucket).
        // Folding the high half down fixes that.
        self.0 ^ (self.0 >> 32)
    }
}
// ANCHOR_END: path_hasher

struct Scoped {
    /// `None`: global. Otherwise a path prefix without a trailing `/`,
    /// matched on whole segments.
    prefix: Option<String>,
    middleware: Middleware,
}

// ANCHOR: next
/// The rest of a middleware chain, ending in the endpoint.
pub struct Next<'a> {
    chain: &'a [Scoped],
    path: &'a [u8],
    endpoint: &'a Endpoint<'a>,
}

impl Next<'_> {
    /// Runs the next middleware whose scope covers the path, or the endpoint.
    pub fn run(self, ctx: &Ctx<'_>) -> HandlerResult {
        let path = self.path;
        match self
            .chain
            .iter()
            .position(|m| in_scope(m.prefix.as_deref(), path))
        {
            Some(i) => {
                let next = Next {
                    chain: &self.chain[i + 1..],
                    ..self
                };
                (self.chain[i].middleware)(ctx, next)
            }
            None => self.endpoint.call(ctx),
        }
    }
}
// ANCHOR_END: next

impl std::fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("remaining", &self.chain.len())
            .finish()
    }
}

// ANCHOR: in_scope
/// Whether a middleware registered for `prefix` runs for `path`.
fn in_scope(prefix: Option<&str>, path: &[u8]) -> bool {
    prefix.is_none_or(|prefix| covers(prefix.as_bytes(), path))
}

/// Whether a path prefix covers `path`, on whole segments: `/api` covers
/// `/api` and `/api/users`, not `/apiary`. The prefix is stored without
/// its trailing `/` (see `middleware_at`), so `/` is empty here and covers
/// everything, `OPTIONS *` included. Public because chapter 7 marks routes
/// by prefix with the same rule.
pub fn covers(prefix: &[u8], path: &[u8]) -> bool {
    prefix.is_empty()
        || (path.starts_with(prefix) && matches!(path.get(prefix.len()), None | Some(b'/')))
}
// ANCHOR_END: in_scope

/// Collects routes, middleware and fallbacks; `build` makes the [`Router`].
pub struct RouterBuilder {
    routes: Vec<(Vec<u8>, Route)>,
    middleware: Vec<Scoped>,
    not_found: Option<Handler>,
    error_handler: Option<ErrorHandler>,
    regex_set: bool,
    error: Option<PatternError>,
}

impl std::fmt::Debug for RouterBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterBuilder")
            .field("routes", &self.routes.len())
            .field("middleware", &self.middleware.len())
            .finish()
    }
}

impl RouterBuilder {
    fn add(
        mut self,
        method: Method<'_>,
        description: &str,
        regex: Option<(String, Vec<String>)>,
        handler: Handler,
    ) -> Self {
        let regex = match regex.map(|(source, names)| Regex::new(&source).map(|r| (r, names))) {
            None => None,
            Some(Ok(compiled)) => Some(compiled),
            Some(Err(e)) => {
                self.error.get_or_insert(PatternError::Regex(e.to_string()));
                return self;
            }
        };
        let (regex, names) = match regex {
            Some((r, n)) => (Some(r), n),
            None => (None, Vec::new()),
        };
        let route = Route {
            description: format!(
                "{} {description}",
                String::from_utf8_lossy(method.as_bytes())
            ),
            path: description.to_string(),
            regex,
            names,
            handler,
        };
        self.routes.push((method.as_bytes().to_vec(), route));
        self
    }

    // ANCHOR: route
    /// A route for `method` and `pattern`: an exact path (`/health`) or a
    /// pattern with parameters (`/users/{id:[0-9]+}`).
    pub fn route<F>(mut self, method: Method<'_>, pattern: &str, handler: F) -> Self
    where
        F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        if !pattern.contains('{') {
            return self.add(method, pattern, None, Box::new(handler));
        }
        match pattern::compile(pattern) {
            Ok(compiled) => self.add(method, pattern, Some(compiled), Box::new(handler)),
            Err(e) => {
                self.error.get_or_insert(e);
                self
            }
        }
    }

    /// A route whose path is a raw regular expression, matched against the
    /// whole path: the seed's `"/api/users/[0-9]+"`. Named groups become parameters.
    pub fn regex<F>(self, method: Method<'_>, regex: &str, handler: F) -> Self
    where
        F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        let names = Regex::new(regex)
            .map(|r| r.capture_names().flatten().map(str::to_string).collect())
            .unwrap_or_default();
        self.add(
            method,
            regex,
            Some((pattern::anchor_raw(regex), names)),
            Box::new(handler),
        )
    }
    // ANCHOR_END: route

    pub fn get<F>(self, pattern: &str, handler: F) -> Self
    where
        F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.route(Method::Get, pattern, handler)
    }

    pub fn post<F>(self, pattern: &str, handler: F) -> Self
    where
        F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.route(Method::Post, pattern, handler)
    }

    /// Middleware for every request, in registration order.
    pub fn middleware<F>(mut self, middleware: F) -> Self
    where
        F: Fn(&Ctx<'_>, Next<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.middleware.push(Scoped {
            prefix: None,
            middleware: Box::new(middleware),
        });
        self
    }

    /// Middleware for paths under `prefix` (whole segments), in registration
    /// order among all middleware.
    pub fn middleware_at<F>(mut self, prefix: &str, middleware: F) -> Self
    where
        F: Fn(&Ctx<'_>, Next<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.middleware.push(Scoped {
            // Trimmed once here, not on every request.
            prefix: Some(prefix.trim_end_matches('/').to_string()),
            middleware: Box::new(middleware),
        });
        self
    }

    /// What answers when no route matches the path (default: the 404 page).
    pub fn not_found<F>(mut self, handler: F) -> Self
    where
        F: Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    {
        self.not_found = Some(Box::new(handler));
        self
    }

    /// What answers when a handler returns an error or panics (default: the 500 page).
    pub fn error_handler<F>(mut self, handler: F) -> Self
    where
        F: Fn(&Ctx<'_>, &Error) -> Response + Send + Sync + 'static,
    {
        self.error_handler = Some(Box::new(handler));
        self
    }

    /// Match pattern routes with one `RegexSet` per method, then run only the
    /// winning route's regex (for its captures). On by default: the
    /// benchmarks show it faster from 10 patterns up, and flat where trying
    /// patterns one by one grows with their number. Off tries them in turn.
    pub fn regex_set(mut self, on: bool) -> Self {
        self.regex_set = on;
        self
    }

    // ANCHOR: build
    /// Compiles the tables. Fails on the first bad pattern or duplicate route.
    pub fn build(self) -> Result<Router, PatternError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut tables: Vec<MethodTable> = Vec::new();
        let mut routes = Vec::with_capacity(self.routes.len());
        for (method, route) in self.routes {
            let index = routes.len();
            let table = match tables.iter().position(|t| t.method == method) {
                Some(t) => &mut tables[t],
                None => {
                    tables.push(MethodTable {
                        registered: Method::registered(&method),
                        method,
                        exact: ExactPaths::Few(Vec::new()),
                        patterns: Vec::new(),
                        set: None,
                    });
                    tables.last_mut().expect("just pushed")
                }
            };
            if let Some(regex) = &route.regex {
                let twice = table
                    .patterns
                    .iter()
                    .any(|&i| routes_source(&routes, i) == Some(regex.as_str()));
                if twice {
                    return Err(PatternError::DuplicateRoute(route.description));
                }
                table.patterns.push(index);
            } else {
                if !table.exact.insert(route.path.as_bytes(), index) {
                    return Err(PatternError::DuplicateRoute(route.description));
                }
            }
            routes.push(route);
        }
        if self.regex_set {
            for table in &mut tables {
                let sources = table
                    .patterns
                    .iter()
                    .filter_map(|&i| routes[i].regex.as_ref().map(Regex::as_str));
                table.set =
                    Some(RegexSet::new(sources).map_err(|e| PatternError::Regex(e.to_string()))?);
            }
        }
        Ok(Router {
            tables,
            routes,
            middleware: self.middleware,
            not_found: self.not_found,
            error_handler: self.error_handler,
        })
    }
    // ANCHOR_END: build
}

fn routes_source(routes: &[Route], i: usize) -> Option<&str> {
    routes[i].regex.as_ref().map(Regex::as_str)
}

/// The built router: immutable, `Send + Sync`, shared across threads.
pub struct Router {
    tables: Vec<MethodTable>,
    routes: Vec<Route>,
    middleware: Vec<Scoped>,
    not_found: Option<Handler>,
    error_handler: Option<ErrorHandler>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field(
                "routes",
                &self
                    .routes
                    .iter()
                    .map(|r| &r.description)
                    .collect::<Vec<_>>(),
            )
            .field("middleware", &self.middleware.len())
            .finish()
    }
}

/// What ends the middleware chain: the matched handler, or an answer the
/// router gives by itself.
enum Endpoint<'r> {
    Handler(&'r Handler),
    /// The path exists for other methods: 405 with `Allow`.
    MethodNotAllowed(String),
    /// OPTIONS with no OPTIONS route: 204 with `Allow`.
    Options(String),
    NotFound(Option<&'r Handler>),
}

impl Endpoint<'_> {
    fn call(&self, ctx: &Ctx<'_>) -> HandlerResult {
        match self {
            Endpoint::Handler(handler) => handler(ctx),
            Endpoint::MethodNotAllowed(allow) => {
                Ok(Response::error(405).with_header("Allow", allow.clone()))
            }
            Endpoint::Options(allow) => Ok(Response::new(204).with_header("Allow", allow.clone())),
            Endpoint::NotFound(Some(handler)) => handler(ctx),
            Endpoint::NotFound(None) => Ok(Response::error(404)),
        }
    }
}

impl Router {
    pub fn builder() -> RouterBuilder {
        RouterBuilder {
            routes: Vec::new(),
            middleware: Vec::new(),
            not_found: None,
            error_handler: None,
            regex_set: true,
            error: None,
        }
    }

    // ANCHOR: find
    /// The route for `method` and `path`, with its parameters: exact paths
    /// first, then patterns in registration order.
    fn find<'r, 'a>(&'r self, method: Method<'_>, path: &'a [u8]) -> Option<(&'r Route, Params<'a>)>
    where
        'r: 'a,
    {
        let table = self.tables.iter().find(|t| match method {
            Method::Other(token) => t.method == token,
            registered => t.registered == Some(registered),
        })?;
        if let Some(i) = table.exact.get(path) {
            return Some((&self.routes[i], Params::default()));
        }
        let winner = match &table.set {
            // One pass over the path for all patterns, then the winner's own regex.
            Some(set) => set.matches(path).iter().next().map(|k| table.patterns[k]),
            None => table.patterns.iter().copied().find(|&i| {
                self.routes[i]
                    .regex
                    .as_ref()
                    .is_some_and(|r| r.is_match(path))
            }),
        }?;
        let route = &self.routes[winner];
        let regex = route.regex.as_ref()?;
        let captures = regex.captures(path)?;
        let pairs = route
            .names
            .iter()
            .filter_map(|name| {
                let value = captures.name(name)?.as_bytes();
                // The parser admits only ASCII in a path, so this never fails.
                Some((name.as_str(), std::str::from_utf8(value).ok()?))
            })
            .collect();
        Some((route, Params::new(pairs)))
    }
    // ANCHOR_END: find

    /// Whether `table` has a route for `path`: the test without the captures.
    fn has_route(&self, table: &MethodTable, path: &[u8]) -> bool {
        table.exact.get(path).is_some()
            || match &table.set {
                Some(set) => set.is_match(path),
                None => table.patterns.iter().any(|&i| {
                    self.routes[i]
                        .regex
                        .as_ref()
                        .is_some_and(|r| r.is_match(path))
                }),
            }
    }

    /// Every method with a route for `path` (every method at all for `*`),
    /// for `Allow` (RFC 9110 section 10.2.1), with HEAD wherever GET is and
    /// OPTIONS wherever anything is.
    fn allowed(&self, path: &[u8], everything: bool) -> Vec<&[u8]> {
        let mut methods: Vec<&[u8]> = self
            .tables
            .iter()
            .filter(|t| everything || self.has_route(t, path))
            .map(|t| &t.method[..])
            .collect();
        if methods.contains(&&b"GET"[..]) && !methods.contains(&&b"HEAD"[..]) {
            methods.push(b"HEAD");
        }
        if !methods.is_empty() && !methods.contains(&&b"OPTIONS"[..]) {
            methods.push(b"OPTIONS");
        }
        methods
    }

    // ANCHOR: resolve
    fn resolve<'r, 'a>(&'r self, request: &Request<'a>) -> (Endpoint<'r>, Params<'a>)
    where
        'r: 'a,
    {
        let method = request.method();
        let path = request.path();
        if let Some((route, params)) = self.find(method, path) {
            return (Endpoint::Handler(&route.handler), params);
        }
        // RFC 9110 section 9.3.2: HEAD is GET without the body.
        if method == Method::Head {
            if let Some((route, params)) = self.find(Method::Get, path) {
                return (Endpoint::Handler(&route.handler), params);
            }
        }
        // OPTIONS * asks about the server as a whole.
        let allowed = self.allowed(path, path == b"*" && method == Method::Options);
        if allowed.is_empty() {
            return (
                Endpoint::NotFound(self.not_found.as_ref()),
                Params::default(),
            );
        }
        let allow = allowed
            .iter()
            .map(|m| String::from_utf8_lossy(m))
            .collect::<Vec<_>>()
            .join(", ");
        let endpoint = if method == Method::Options {
            Endpoint::Options(allow)
        } else {
            Endpoint::MethodNotAllowed(allow)
        };
        (endpoint, Params::default())
    }
    // ANCHOR_END: resolve

    // ANCHOR: handle
    /// Answers `request`: resolves it, runs the middleware chain around the
    /// endpoint, and turns an error or a panic into the error handler's
    /// response. Never panics, and always returns a response.
    pub fn handle(&self, request: Request<'_>) -> Response {
        let (endpoint, params) = self.resolve(&request);
        let ctx = Ctx { request, params };
        let next = Next {
            chain: &self.middleware,
            path: request.path(),
            endpoint: &endpoint,
        };
        // A panicking handler must cost one response, not the worker:
        // catch it here and answer 500 through the error handler.
        let outcome = catch_unwind(AssertUnwindSafe(|| next.run(&ctx)));
        let error: Error = match outcome {
            Ok(Ok(response)) => return response,
            Ok(Err(error)) => error,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a non-string panic".to_string());
                log::error!(
                    "handler for {} {} panicked: {message}",
                    String::from_utf8_lossy(request.method().as_bytes()),
                    String::from_utf8_lossy(request.path())
                );
                format!("handler panicked: {message}").into()
            }
        };
        match &self.error_handler {
            Some(handler) => catch_unwind(AssertUnwindSafe(|| handler(&ctx, &error)))
                .unwrap_or_else(|_| Response::error(500)),
            None => Response::error(500),
        }
    }
    // ANCHOR_END: handle
}
