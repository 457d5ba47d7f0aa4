//! hyper 1.x on one tokio thread: `hyper-peer PORT`.
//!
//! A current-thread runtime, so the whole server is one thread, like the
//! other peers pinned to one core. Keep-alive and pipelining are hyper's
//! defaults (on; pipelined responses are flushed together).

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

async fn route(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, content_type, body) = match request.uri().path() {
        "/plaintext" => (StatusCode::OK, "text/plain", &b"Hello, World!"[..]),
        "/json" => (StatusCode::OK, "application/json", &br#"{"message":"Hello, World!"}"#[..]),
        _ => (StatusCode::NOT_FOUND, "text/plain", &b"not found"[..]),
    };
    let response = Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from_static(body)))
        .expect("a valid response");
    Ok(response)
}

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8081);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = TcpListener::bind(addr).await.expect("bind");
        eprintln!("hyper-peer listening on http://{addr}");
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::task::spawn(async move {
                let _ = http1::Builder::new()
                    .pipeline_flush(true)
                    .serve_connection(TokioIo::new(stream), service_fn(route))
                    .await;
            });
        }
    });
}
