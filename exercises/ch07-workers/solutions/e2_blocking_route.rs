//! Exercise 2: a route that blocks (reference solution).

use std::time::Duration;

use eventcore_http::Response;
use eventcore_router::Router;
use eventcore_workers::App;

pub fn app_with_reports() -> App {
    let router = Router::builder()
        .get("/plaintext", |_| Ok(Response::text("Hello, World!")))
        .get("/report/{n:[0-9]+}", |ctx| {
            let n = ctx.params.get("n").unwrap_or_default();
            std::thread::sleep(Duration::from_millis(n.parse()?));
            Ok(Response::text(format!("report {n}")))
        })
        .build()
        .expect("valid routes");
    App::new(router).blocking("/report")
}
