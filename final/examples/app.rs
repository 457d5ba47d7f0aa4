//! An application in twenty lines: `cargo run -p eventcore --example app`.
use eventcore::{Builder, Response, respond};

fn main() -> std::io::Result<()> {
    Builder::new()
        // A path parameter, captured by its pattern.
        .get("/users/{id:[0-9]+}", |ctx| {
            let id = ctx.params.get("id").unwrap_or_default();
            Ok(respond::make_json(format!(r#"{{"id":{id}}}"#)))
        })
        .get("/", |_| Ok(respond::make_html("<h1>EventCore</h1>")))
        // Middleware: every response says who served it.
        .middleware(|ctx, next| {
            let response = next.run(ctx)?;
            Ok(response.try_header("server", "eventcore")?)
        })
        .not_found(|_| Ok(Response::text("nothing here").with_status(404)))
        // Until SIGINT or SIGTERM, then a graceful drain.
        .run()
}
