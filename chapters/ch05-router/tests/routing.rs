//! The router, driven by real parsed requests: the seed's routing examples,
//! precedence, 404/405/HEAD/OPTIONS, middleware order and short-circuits,
//! parameters, errors and panics.

use std::sync::{Arc, Mutex};

use eventcore_http::{Method, Parser, Progress, Response};
use eventcore_router::{Ctx, HandlerResult, PatternError, Router};

/// Parses `method path` into a request and lets `router` answer it.
fn call(router: &Router, method: &str, path: &str) -> Response {
    let raw = format!("{method} {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    let mut parser = Parser::default();
    assert_eq!(
        parser.parse(raw.as_bytes()),
        Ok(Progress::Complete { len: raw.len() })
    );
    router.handle(parser.request(raw.as_bytes()))
}

fn body(response: &Response) -> String {
    String::from_utf8_lossy(response.body.as_bytes()).into_owned()
}

fn header<'r>(response: &'r Response, name: &str) -> Option<&'r str> {
    response
        .headers()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn text(s: &'static str) -> impl Fn(&Ctx<'_>) -> HandlerResult + Send + Sync + 'static {
    move |_| Ok(Response::text(s))
}

// ANCHOR: seed_examples
#[test]
fn the_seeds_routing_examples() {
    let router = Router::builder()
        .get("/api/users", text("list"))
        .regex(Method::Get, "/api/users/[0-9]+", text("one user"))
        .get("/api/items/{id:[0-9]+}", |ctx| {
            Ok(Response::text(format!(
                "item {}",
                ctx.params.get("id").unwrap_or("?")
            )))
        })
        .build()
        .unwrap();
    // Exact match.
    assert_eq!(body(&call(&router, "GET", "/api/users")), "list");
    // Regex match, against the whole path.
    assert_eq!(body(&call(&router, "GET", "/api/users/123")), "one user");
    assert_eq!(call(&router, "GET", "/api/users/123/posts").status, 404);
    assert_eq!(call(&router, "GET", "/api/users/12a").status, 404);
    // The seed's regex has no group, so it captures nothing; a named
    // parameter does ("Captures: id=123" needs one).
    assert_eq!(body(&call(&router, "GET", "/api/items/123")), "item 123");
}
// ANCHOR_END: seed_examples

#[test]
fn exact_routes_win_over_patterns_and_the_first_pattern_wins() {
    let router = Router::builder()
        .get("/users/{name}", text("first pattern"))
        .get("/users/{id:[0-9]+}", text("second pattern"))
        .get("/users/me", text("exact"))
        .build()
        .unwrap();
    assert_eq!(
        body(&call(&router, "GET", "/users/me")),
        "exact",
        "exact first, even if registered last"
    );
    assert_eq!(
        body(&call(&router, "GET", "/users/42")),
        "first pattern",
        "registration order"
    );
}

#[test]
fn query_strings_do_not_take_part_in_routing() {
    let router = Router::builder()
        .get("/search", text("found"))
        .build()
        .unwrap();
    assert_eq!(
        body(&call(&router, "GET", "/search?q=rust&page=2")),
        "found"
    );
}

// ANCHOR: fallbacks
#[test]
fn not_found_method_not_allowed_head_and_options() {
    let router = Router::builder()
        .get("/page", text("the page"))
        .post("/page", text("posted"))
        .route(Method::Delete, "/things/{id}", text("deleted"))
        .build()
        .unwrap();
    assert_eq!(call(&router, "GET", "/nowhere").status, 404);

    // The path exists, the method does not: 405 and what is allowed.
    let put = call(&router, "PUT", "/page");
    assert_eq!(put.status, 405);
    assert_eq!(header(&put, "Allow"), Some("GET, POST, HEAD, OPTIONS"));
    assert_eq!(
        header(&call(&router, "GET", "/things/7"), "Allow"),
        Some("DELETE, OPTIONS")
    );

    // HEAD falls back to GET (the writer drops the body).
    let head = call(&router, "HEAD", "/page");
    assert_eq!((head.status, body(&head)), (200, "the page".to_string()));

    // OPTIONS lists the methods, for a path and for the server.
    let options = call(&router, "OPTIONS", "/page");
    assert_eq!(options.status, 204);
    assert_eq!(header(&options, "Allow"), Some("GET, POST, HEAD, OPTIONS"));
    let star = call(&router, "OPTIONS", "*");
    assert_eq!(
        header(&star, "Allow"),
        Some("GET, POST, DELETE, HEAD, OPTIONS")
    );
    assert_eq!(call(&router, "OPTIONS", "/nowhere").status, 404);
}
// ANCHOR_END: fallbacks

#[test]
fn a_custom_not_found_handler_answers_unknown_paths() {
    let router = Router::builder()
        .get("/", text("home"))
        .not_found(|ctx| {
            let path = String::from_utf8_lossy(ctx.request.path()).into_owned();
            Ok(Response::text(format!("no {path} here")).with_status(404))
        })
        .build()
        .unwrap();
    let response = call(&router, "GET", "/missing");
    assert_eq!(
        (response.status, body(&response)),
        (404, "no /missing here".to_string())
    );
}

// ANCHOR: middleware_test
#[test]
fn middleware_runs_in_registration_order_and_only_in_scope() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let record = |name: &'static str| {
        let log = Arc::clone(&log);
        move |ctx: &Ctx<'_>, next: eventcore_router::Next<'_>| {
            log.lock().unwrap().push(format!("{name} in"));
            let response = next.run(ctx);
            log.lock().unwrap().push(format!("{name} out"));
            response
        }
    };
    let router = Router::builder()
        .middleware(record("global"))
        .middleware_at("/api", record("api"))
        .middleware(record("timing"))
        .get("/api/users", text("users"))
        .get("/apiary", text("bees"))
        .build()
        .unwrap();

    call(&router, "GET", "/api/users");
    assert_eq!(
        *log.lock().unwrap(),
        [
            "global in",
            "api in",
            "timing in",
            "timing out",
            "api out",
            "global out"
        ]
    );
    log.lock().unwrap().clear();
    // "/api" covers whole segments only: /apiary is not under it.
    call(&router, "GET", "/apiary");
    assert_eq!(
        *log.lock().unwrap(),
        ["global in", "timing in", "timing out", "global out"]
    );
}
// ANCHOR_END: middleware_test

#[test]
fn middleware_can_short_circuit_and_post_process() {
    let router = Router::builder()
        .middleware(|ctx, next| {
            let response = next.run(ctx)?;
            Ok(response.with_header("X-Served-By", "eventcore"))
        })
        .middleware_at("/admin", |ctx, next| {
            match ctx.request.header("authorization") {
                Some(b"Bearer letmein") => next.run(ctx),
                // RFC 9110 section 15.5.2: a 401 says how to authenticate.
                _ => Ok(Response::error(401).with_header("WWW-Authenticate", "Bearer")),
            }
        })
        .get("/admin/panel", text("secrets"))
        .build()
        .unwrap();
    let denied = call(&router, "GET", "/admin/panel");
    assert_eq!(denied.status, 401, "the handler never ran");
    assert_eq!(
        header(&denied, "X-Served-By"),
        Some("eventcore"),
        "outer middleware still post-processes"
    );
    // Middleware sees 404s too.
    assert_eq!(
        header(&call(&router, "GET", "/nope"), "X-Served-By"),
        Some("eventcore")
    );
}

// ANCHOR: panic_test
#[test]
fn a_panicking_handler_gets_a_500_and_the_router_keeps_working() {
    let router = Router::builder()
        .get("/boom", |_| panic!("handler bug"))
        .get("/fail", |_| Err("database unreachable".into()))
        .get("/ok", text("fine"))
        .error_handler(|_, error| Response::text(format!("sorry: {error}")).with_status(500))
        .build()
        .unwrap();
    let boom = call(&router, "GET", "/boom");
    assert_eq!(
        (boom.status, body(&boom)),
        (500, "sorry: handler panicked: handler bug".to_string())
    );
    let fail = call(&router, "GET", "/fail");
    assert_eq!(
        (fail.status, body(&fail)),
        (500, "sorry: database unreachable".to_string())
    );
    for _ in 0..3 {
        assert_eq!(body(&call(&router, "GET", "/ok")), "fine");
    }
}
// ANCHOR_END: panic_test

#[test]
fn an_error_handler_that_panics_still_yields_a_500() {
    let router = Router::builder()
        .get("/fail", |_| Err("x".into()))
        .error_handler(|_, _| panic!("the error handler is broken too"))
        .build()
        .unwrap();
    assert_eq!(call(&router, "GET", "/fail").status, 500);
}

#[test]
fn bad_patterns_and_duplicates_fail_at_build_time() {
    assert!(matches!(
        Router::builder().get("/a/{id", text("x")).build(),
        Err(PatternError::Unclosed(_))
    ));
    assert!(matches!(
        Router::builder()
            .regex(Method::Get, "/a/(", text("x"))
            .build(),
        Err(PatternError::Regex(_))
    ));
    assert!(matches!(
        Router::builder()
            .get("/a", text("x"))
            .get("/a", text("y"))
            .build(),
        Err(PatternError::DuplicateRoute(_))
    ));
    assert!(matches!(
        Router::builder()
            .get("/u/{id}", text("x"))
            .get("/u/{id}", text("y"))
            .build(),
        Err(PatternError::DuplicateRoute(_))
    ));
}

#[test]
fn the_regex_set_prefilter_gives_the_same_answers() {
    let build = |set: bool| {
        Router::builder()
            .get("/a/{x:[0-9]+}", text("digits"))
            .get("/a/{x}", text("anything"))
            .get("/b/{y}/c", |ctx| {
                Ok(Response::text(
                    ctx.params.get("y").unwrap_or("").to_string(),
                ))
            })
            .regex_set(set)
            .build()
            .unwrap()
    };
    let (plain, with_set) = (build(false), build(true));
    for path in ["/a/1", "/a/z", "/b/q/c", "/b/q", "/"] {
        let (p, s) = (call(&plain, "GET", path), call(&with_set, "GET", path));
        assert_eq!((p.status, body(&p)), (s.status, body(&s)), "{path}");
    }
}

#[test]
fn a_router_is_shared_across_threads_without_a_lock() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Router>();
    let router = Arc::new(Router::builder().get("/", text("hi")).build().unwrap());
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let router = Arc::clone(&router);
            std::thread::spawn(move || (0..100).all(|_| body(&call(&router, "GET", "/")) == "hi"))
        })
        .collect();
    assert!(threads.into_iter().all(|t| t.join().unwrap()));
}

#[test]
fn methods_no_registry_names_are_routed_by_their_bytes() {
    // Registered methods find their table by the parser's variant, the
    // others by comparing bytes, case-sensitively (RFC 9110 section 9.1).
    let router = Router::builder()
        .route(Method::Other(b"PURGE"), "/cache", text("purged"))
        .get("/cache", text("got"))
        .build()
        .unwrap();
    assert_eq!(body(&call(&router, "PURGE", "/cache")), "purged");
    assert_eq!(body(&call(&router, "GET", "/cache")), "got");
    assert_eq!(body(&call(&router, "HEAD", "/cache")), "got");
    assert_eq!(call(&router, "purge", "/cache").status, 405);
    assert_eq!(call(&router, "PURGES", "/cache").status, 405);
    assert_eq!(call(&router, "PURGE", "/other").status, 404);
}

#[test]
fn exact_paths_are_found_below_and_above_the_few_that_are_compared_one_by_one() {
    // Up to eight exact paths a method's table compares them one by one,
    // past that it hashes them; either way each finds its own handler,
    // and a path that is not there, however alike, finds none.
    for count in [1, 7, 8, 9, 20] {
        let mut builder = Router::builder();
        for i in 0..count {
            builder = builder.get(&format!("/p{i}"), move |_| {
                Ok(Response::text(format!("route {i}")))
            });
        }
        let router = builder.build().unwrap();
        for i in 0..count {
            assert_eq!(
                body(&call(&router, "GET", &format!("/p{i}"))),
                format!("route {i}")
            );
        }
        for missing in ["/p", "/q0", &format!("/p{count}"), "/p0/"] {
            assert_eq!(
                call(&router, "GET", missing).status,
                404,
                "{count} {missing}"
            );
        }
        let mut twice = Router::builder();
        for i in 0..count {
            twice = twice.get(&format!("/p{i}"), text("a"));
        }
        let twice = twice.get(&format!("/p{}", count - 1), text("b")).build();
        assert!(matches!(twice, Err(PatternError::DuplicateRoute(_))));
    }
}
