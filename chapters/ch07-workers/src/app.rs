//! What the server runs: chapter 5's router, plus the routes whose
//! handlers may block.
//!
//! The seed runs every handler on a worker's thread pool. The inline model
//! runs handlers on the event loop itself, which is only safe for handlers
//! that never block; a handler that sleeps, reads a file or waits on a
//! database would stall every connection of its worker. Those routes are
//! marked here, by path prefix, and the inline model hands only them to
//! the pool. The mark lives beside the router rather than in it: which
//! thread runs a handler is this chapter's business, not routing's.
//!
//! An `App` may also carry an [`Observer`], told of every response
//! ([`observe`](crate::observe)).

use std::sync::Arc;

use eventcore_http::Request;
use eventcore_router::{Router, covers};

use crate::observe::Observer;

// ANCHOR: app
/// A router and the path prefixes whose handlers may block.
pub struct App {
    router: Router,
    /// Prefixes without a trailing `/`, matched on whole segments.
    blocking: Vec<Vec<u8>>,
    observer: Option<Arc<dyn Observer>>,
}

impl App {
    pub fn new(router: Router) -> App {
        App {
            router,
            blocking: Vec::new(),
            observer: None,
        }
    }

    /// Tells `observer` of every response (replacing any observer before).
    pub fn observe(mut self, observer: Arc<dyn Observer>) -> App {
        self.observer = Some(observer);
        self
    }

    pub fn observer(&self) -> Option<&dyn Observer> {
        self.observer.as_deref()
    }

    /// Marks every route under `prefix` (`/report` covers `/report` and
    /// `/report/2026`, not `/reports`) as blocking.
    pub fn blocking(mut self, prefix: &str) -> App {
        self.blocking
            .push(prefix.trim_end_matches('/').as_bytes().to_vec());
        self
    }

    pub fn router(&self) -> &Router {
        &self.router
    }

    /// Whether `request`'s handler must run on the pool: the router's rule
    /// for middleware prefixes. With no blocking routes (the demo's case)
    /// this is an empty loop.
    pub fn is_blocking(&self, request: &Request<'_>) -> bool {
        let path = request.path();
        self.blocking.iter().any(|prefix| covers(prefix, path))
    }
}
// ANCHOR_END: app

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("router", &self.router)
            .field("blocking", &self.blocking)
            .field("observed", &self.observer.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventcore_http::{Parser, Progress};

    fn blocking(app: &App, raw: &[u8]) -> bool {
        let mut parser = Parser::default();
        assert!(matches!(parser.parse(raw), Ok(Progress::Complete { .. })));
        app.is_blocking(&parser.request(raw))
    }

    #[test]
    fn blocking_prefixes_match_whole_segments() {
        let app = App::new(Router::builder().build().unwrap()).blocking("/report/");
        assert!(blocking(&app, b"GET /report HTTP/1.1\r\nHost: a\r\n\r\n"));
        assert!(blocking(
            &app,
            b"GET /report/7?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"
        ));
        assert!(!blocking(&app, b"GET /reports HTTP/1.1\r\nHost: a\r\n\r\n"));
        assert!(!blocking(&app, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    }
}
