//! Routing an exact path allocates nothing: no parameters to collect, the
//! middleware chain walks a slice, and the handler's static response needs
//! no heap. (A test binary of its own: the counting allocator is global.)

use eventcore_http::{Parser, Progress, Response};
use eventcore_router::Router;

#[path = "../../ch04-parser/tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_in;

// ANCHOR: zero_alloc
#[test]
fn an_exact_route_through_middleware_allocates_nothing() {
    let router = Router::builder()
        .middleware(|ctx, next| next.run(ctx))
        .middleware_at("/api", |ctx, next| next.run(ctx))
        .get("/api/health", |_| Ok(Response::text("ok")))
        .get("/users/{id}", |_| Ok(Response::text("user")))
        .build()
        .unwrap();
    let raw = b"GET /api/health HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut parser = Parser::default();
    assert_eq!(parser.parse(raw), Ok(Progress::Complete { len: raw.len() }));
    let request = parser.request(raw);
    let allocations = allocations_in(|| {
        for _ in 0..100 {
            assert_eq!(router.handle(request).status, 200);
        }
    });
    assert_eq!(allocations, 0);

    // A pattern route does allocate: its parameters are collected.
    let raw = b"GET /users/7 HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut parser = Parser::default();
    assert_eq!(parser.parse(raw), Ok(Progress::Complete { len: raw.len() }));
    let request = parser.request(raw);
    assert!(allocations_in(|| assert_eq!(router.handle(request).status, 200)) > 0);
}
// ANCHOR_END: zero_alloc
