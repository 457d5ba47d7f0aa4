//! Exercise 2: a Basic authentication middleware.
//!
//! RFC 7617: the client sends `Authorization: Basic <base64 of user:password>`.
//! A middleware checks it before the handler runs, and answers `401` with a
//! `WWW-Authenticate` challenge when it is missing or wrong.

use eventcore_router::{Ctx, HandlerResult, Next};

/// A middleware that lets a request through only with the right credentials.
///
/// - With `Authorization: Basic <token>` where `<token>` is the standard
///   base64 encoding (RFC 4648, with `=` padding) of `user:password`:
///   call `next.run(ctx)`.
/// - Otherwise (no header, another scheme, bad base64, wrong credentials):
///   return `Response::error(401)` with the header
///   `WWW-Authenticate: Basic realm="eventcore"`, without running the handler.
///
/// The scheme name is case-insensitive (`basic` works too). Write the base64
/// decoder yourself: it is 20 lines.
pub fn basic_auth(
    user: &'static str,
    password: &'static str,
) -> impl Fn(&Ctx<'_>, Next<'_>) -> HandlerResult + Send + Sync + 'static {
    // TODO: your code here: return a closure.
    // (Delete the next line: it only keeps the stub free of unused-variable warnings.)
    let _ = (user, password);
    |_: &Ctx<'_>, _: Next<'_>| -> HandlerResult { todo!("check the Authorization header") }
}
