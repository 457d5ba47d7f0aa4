//! Exercise 2: a route that blocks.
//!
//! In the inline model a handler runs on its worker's event loop, so one
//! that sleeps stalls every connection of that worker. `App::blocking`
//! marks routes to run on the worker's pool instead.

use eventcore_workers::App;

/// An app with two routes:
/// - `GET /plaintext`: `Hello, World!` (text/plain);
/// - `GET /report/{n}` with `n` all digits: sleeps `n` milliseconds (a
///   stand-in for a slow query), then answers `report {n}`; other `n` are 404.
///
/// Mark `/report` as blocking, so that `/plaintext` stays fast while
/// reports are being made.
pub fn app_with_reports() -> App {
    // TODO: build a Router (chapter 5) with the two routes, wrap it in
    // App::new, and mark the prefix.
    todo!("an app with a blocking route")
}
