//! actix-web 4 with one worker: `actix-peer PORT`.

use actix_web::{App, HttpResponse, HttpServer, web};

async fn plaintext() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain")
        .body("Hello, World!")
}

async fn json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"message":"Hello, World!"}"#)
}

fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8082);
    actix_web::rt::System::new().block_on(async move {
        eprintln!("actix-peer listening on http://127.0.0.1:{port}");
        HttpServer::new(|| {
            App::new()
                .route("/plaintext", web::get().to(plaintext))
                .route("/json", web::get().to(json))
        })
        .workers(1)
        .backlog(4096)
        .max_connections(100_000)
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })
}
