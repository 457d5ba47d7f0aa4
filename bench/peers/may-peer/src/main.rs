//! may_minihttp on one may worker thread: `may-peer PORT`.
//!
//! may runs coroutines on its own worker threads; one worker makes the
//! server one thread doing the work, like the other peers.

use std::io;

use may_minihttp::{HttpServer, HttpService, Request, Response};

#[derive(Clone)]
struct Demo;

impl HttpService for Demo {
    fn call(&mut self, request: Request, response: &mut Response) -> io::Result<()> {
        match request.path() {
            "/plaintext" => {
                response.header("Content-Type: text/plain");
                response.body("Hello, World!");
            }
            "/json" => {
                response.header("Content-Type: application/json");
                response.body(r#"{"message":"Hello, World!"}"#);
            }
            _ => {
                response.status_code(404, "Not Found");
                response.body("not found");
            }
        }
        Ok(())
    }
}

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8083);
    may::config().set_workers(1);
    let addr = format!("127.0.0.1:{port}");
    eprintln!("may-peer listening on http://{addr}");
    let server = HttpServer(Demo).start(&addr).expect("bind");
    let _ = server.join();
}
