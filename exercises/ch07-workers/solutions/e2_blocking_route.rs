//! Exercise 2: a route that blocks (reference solution).

use eventcore_http::Response;
use eventcore_router::Router;
use eventcore_workers::App;

pub fn app_with_reports(make_report: impl Fn(u64) -> String + Send + Sync + 'static) -> App {
    let router = Router::builder()
        .get("/plaintext", |_| Ok(Response::text("Hello, World!")))
        .get("/report/{n:[0-9]+}", move |ctx| {
            let n = ctx.params.get("n").unwrap_or_default().parse()?;
            Ok(Response::text(make_report(n)))
        })
        .build()
        .expect("valid routes");
    App::new(router).blocking("/report")
}
