//! Criterion benchmarks for routing: `cargo bench -p ch05-router --bench router`.
//!
//! Tables of 10, 100 and 1000 routes. `exact` looks up a path in the hash
//! map; `pattern` must find the *last* registered pattern route, the worst
//! case for trying patterns one by one; `pattern_set` is the same with the
//! `RegexSet` pre-filter. Each iteration is a whole `Router::handle`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use eventcore_http::{Parser, Progress, Response};
use eventcore_router::Router;

fn router(n: usize, exact: bool, set: bool) -> Router {
    let mut builder = Router::builder().regex_set(set);
    for i in 0..n {
        builder = if exact {
            builder.get(&format!("/route{i}/items"), |_| Ok(Response::text("ok")))
        } else {
            builder.get(&format!("/route{i}/items/{{id:[0-9]+}}"), |_| {
                Ok(Response::text("ok"))
            })
        };
    }
    builder.build().expect("valid routes")
}

fn parsed(raw: &[u8]) -> Parser {
    let mut parser = Parser::default();
    assert!(matches!(parser.parse(raw), Ok(Progress::Complete { .. })));
    parser
}

fn routing(c: &mut Criterion) {
    let mut group = c.benchmark_group("route");
    for n in [10usize, 100, 1000] {
        let last = n - 1;
        let exact_raw = format!("GET /route{last}/items HTTP/1.1\r\nHost: a\r\n\r\n").into_bytes();
        let pattern_raw =
            format!("GET /route{last}/items/12345 HTTP/1.1\r\nHost: a\r\n\r\n").into_bytes();
        let cases = [
            ("exact", router(n, true, false), &exact_raw),
            ("pattern", router(n, false, false), &pattern_raw),
            ("pattern_set", router(n, false, true), &pattern_raw),
        ];
        for (name, router, raw) in &cases {
            let parser = parsed(raw);
            let request = parser.request(raw);
            assert_eq!(router.handle(request).status, 200, "{name} {n}");
            group.bench_with_input(BenchmarkId::new(*name, n), &request, |b, request| {
                b.iter(|| router.handle(black_box(*request)).status)
            });
        }
    }
    group.finish();
}

criterion_group!(benches, routing);
criterion_main!(benches);
