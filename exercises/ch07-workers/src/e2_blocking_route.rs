//! Exercise 2: a route that blocks.
//!
//! In the inline model a handler runs on its worker's event loop, so one
//! that blocks stalls every connection of that worker. `App::blocking`
//! marks routes to run on the worker's pool instead.

use eventcore_workers::App;

/// An app with two routes:
/// - `GET /plaintext`: `Hello, World!` (text/plain);
/// - `GET /report/{n}` with `n` all digits: calls `make_report(n)` (a
///   stand-in for a slow query: it may block for as long as it likes) and
///   answers what it returns as text; other `n` are 404.
///
/// Mark `/report` as blocking, so that `/plaintext` stays fast while
/// reports are being made.
pub fn app_with_reports(make_report: impl Fn(u64) -> String + Send + Sync + 'static) -> App {
    // TODO: build a Router (chapter 5) with the two routes, wrap it in
    // App::new, and mark the prefix.
    let _ = make_report;
    todo!("an app with a blocking route")
}
