//! A router like the seed's examples, and what it answers for a list of
//! requests: `cargo run -p ch05-router --example routes`.

use eventcore_http::{Method, Parser, Progress, Response};
use eventcore_router::Router;

// ANCHOR: main
fn main() {
    // The router catches the /boom panic and logs it; skip Rust's default message.
    std::panic::set_hook(Box::new(|_| {}));
    let router = Router::builder()
        .middleware(|ctx, next| {
            // Post-processing: every response says who served it.
            Ok(next.run(ctx)?.with_header("Server", "eventcore"))
        })
        .middleware_at("/api", |ctx, next| {
            match ctx.request.header("authorization") {
                Some(b"Bearer secret") => next.run(ctx),
                // RFC 9110 section 15.5.2: a 401 says how to authenticate.
                _ => Ok(Response::error(401).with_header("WWW-Authenticate", "Bearer")),
            }
        })
        .get("/", |_| Ok(Response::html("<h1>home</h1>")))
        .get("/api/users", |_| Ok(Response::json(r#"["ada","grace"]"#)))
        .get("/api/users/{id:[0-9]+}", |ctx| {
            let id = ctx.params.get("id").unwrap_or("?");
            Ok(Response::json(format!(r#"{{"id":{id}}}"#)))
        })
        .regex(Method::Get, "/static/.+\\.css", |_| {
            Ok(Response::text("body{}"))
        })
        .get("/boom", |_| panic!("a handler bug"))
        .build()
        .expect("valid routes");

    for (line, key) in [
        ("GET /", None),
        ("GET /api/users", Some("secret")),
        ("GET /api/users/42", Some("secret")),
        ("GET /api/users/42", None),
        ("GET /api/users/abc", Some("secret")),
        ("DELETE /api/users", Some("secret")),
        ("HEAD /", None),
        ("OPTIONS /api/users", Some("secret")),
        ("GET /static/site.css", None),
        ("GET /boom", None),
    ] {
        let key = key
            .map(|k| format!("Authorization: Bearer {k}\r\n"))
            .unwrap_or_default();
        let raw = format!("{line} HTTP/1.1\r\nHost: demo\r\n{key}\r\n");
        let mut parser = Parser::default();
        let Ok(Progress::Complete { .. }) = parser.parse(raw.as_bytes()) else {
            unreachable!("the requests above are valid");
        };
        let response = router.handle(parser.request(raw.as_bytes()));
        let allow = response
            .headers()
            .find(|(n, _)| *n == "Allow")
            .map(|(_, v)| format!("  Allow: {v}"));
        println!(
            "{line:<26} {key:<5} -> {} {}{}",
            response.status,
            String::from_utf8_lossy(response.body.as_bytes()).trim_end(),
            allow.unwrap_or_default(),
            key = if key.is_empty() { "" } else { "+key" },
        );
    }
}
// ANCHOR_END: main
