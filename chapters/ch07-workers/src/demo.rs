//! The demo application: the routes the examples, tests and benchmarks
//! serve from this chapter on, and the final binary's default site.
//!
//! `/plaintext` and `/json` are the TechEmpower benchmark's two simplest
//! tests, which is what every peer in `bench/peers/` serves too.

use eventcore_http::{Method, Response};
use eventcore_router::{Ctx, HandlerResult, Router, RouterBuilder};

use crate::App;

/// The demo's routes, served by chapter 7's workers.
pub fn app() -> App {
    App::new(routes().build().expect("the demo's routes are valid"))
}

// ANCHOR: demo
/// `GET|HEAD /plaintext`, `GET /json`, `POST|PUT /echo` and `GET /users/{id}`,
/// on a router builder that more routes may be added to (the final binary's
/// status endpoint).
pub fn routes() -> RouterBuilder {
    Router::builder()
        .get("/plaintext", |_| Ok(Response::text("Hello, World!")))
        .get("/json", |_| {
            Ok(Response::json(r#"{"message":"Hello, World!"}"#))
        })
        .post("/echo", echo)
        .route(Method::Put, "/echo", echo)
        .get("/users/{id:[0-9]+}", |ctx| {
            // The pattern only matches digits, so the parameter is there.
            let id = ctx.params.get("id").unwrap_or_default();
            Ok(Response::text(format!("user {id}")))
        })
}

/// The request body (already de-chunked by the parser), with the request's
/// Content-Type.
fn echo(ctx: &Ctx<'_>) -> HandlerResult {
    let content_type = ctx
        .request
        .header("content-type")
        .and_then(|v| std::str::from_utf8(v).ok())
        // An empty field is legal (RFC 9110 section 5.5) but no type.
        .filter(|v| !v.is_empty())
        .unwrap_or("application/octet-stream");
    let mut response = Response::new(200).try_content_type(content_type.to_owned())?;
    response.body = ctx.request.body().to_vec().into();
    Ok(response)
}
// ANCHOR_END: demo
