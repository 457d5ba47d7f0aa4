//! Tests for exercise 2. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use ch05_router_exercises::e2_basic_auth::basic_auth;
use eventcore_http::{Parser, Progress, Response};
use eventcore_router::Router;

fn router() -> Router {
    Router::builder()
        .middleware_at("/admin", basic_auth("ada", "lovelace"))
        .get("/admin/panel", |_| Ok(Response::text("secrets")))
        .get("/public", |_| Ok(Response::text("hello")))
        .build()
        .unwrap()
}

fn call(router: &Router, path: &str, authorization: Option<&str>) -> Response {
    let auth = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let raw = format!("GET {path} HTTP/1.1\r\nHost: a\r\n{auth}\r\n");
    let mut parser = Parser::default();
    assert_eq!(
        parser.parse(raw.as_bytes()),
        Ok(Progress::Complete { len: raw.len() })
    );
    router.handle(parser.request(raw.as_bytes()))
}

fn challenge(response: &Response) -> Option<&str> {
    response
        .headers()
        .find(|(n, _)| n.eq_ignore_ascii_case("www-authenticate"))
        .map(|(_, v)| v)
}

#[test]
fn the_right_credentials_reach_the_handler() {
    // base64("ada:lovelace") = "YWRhOmxvdmVsYWNl"
    let response = call(&router(), "/admin/panel", Some("Basic YWRhOmxvdmVsYWNl"));
    assert_eq!(response.status, 200);
    assert_eq!(response.body.as_bytes(), b"secrets");
    assert_eq!(
        call(&router(), "/admin/panel", Some("basic YWRhOmxvdmVsYWNl")).status,
        200
    );
}

#[test]
fn padding_is_decoded() {
    // base64("ada:lovelace!") = "YWRhOmxvdmVsYWNlIQ==": one byte in the last quad.
    let router = Router::builder()
        .middleware(basic_auth("ada", "lovelace!"))
        .get("/", |_| Ok(Response::text("in")))
        .build()
        .unwrap();
    assert_eq!(
        call(&router, "/", Some("Basic YWRhOmxvdmVsYWNlIQ==")).status,
        200
    );
}

#[test]
fn missing_or_wrong_credentials_get_a_challenge() {
    for auth in [
        None,
        Some("Basic YWRhOndyb25n"), // ada:wrong
        Some("Bearer YWRhOmxvdmVsYWNl"),
        Some("Basic not*base64!"),
        Some("Basic YWRhOmxvdmVsYWN"), // truncated
    ] {
        let response = call(&router(), "/admin/panel", auth);
        assert_eq!(response.status, 401, "{auth:?}");
        assert_eq!(
            challenge(&response),
            Some("Basic realm=\"eventcore\""),
            "{auth:?}"
        );
    }
}

#[test]
fn paths_outside_the_scope_need_no_credentials() {
    let router = router();
    assert_eq!(
        call(&router, "/admin/panel", None).status,
        401,
        "the scope is guarded"
    );
    assert_eq!(
        call(&router, "/public", None).status,
        200,
        "and only the scope"
    );
}
