//! The library as an application embeds it: routes with parameters,
//! middleware, a panicking handler, and a graceful shutdown.

use std::io::{Read, Write};
use std::net::TcpStream;

use eventcore::{Builder, Response, Settings, respond};

fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut client = TcpStream::connect(addr).unwrap();
    write!(
        client,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn an_embedded_server_routes_wraps_and_shuts_down() {
    let settings = Settings {
        port: 0,
        num_workers: 1,
        ..Settings::default()
    };
    let running = Builder::new()
        .settings(settings)
        .get("/users/{id:[0-9]+}", |ctx| {
            let id = ctx.params.get("id").unwrap_or_default();
            Ok(respond::make_json(format!(r#"{{"id":{id}}}"#)))
        })
        .get("/boom", |_| panic!("a handler's bug"))
        .middleware(|ctx, next| Ok(next.run(ctx)?.try_header("server", "eventcore")?))
        .not_found(|_| Ok(Response::text("nothing here").with_status(404)))
        .start()
        .unwrap();
    let addr = running.local_addr();
    let user = get(addr, "/users/7");
    assert!(user.starts_with("HTTP/1.1 200 OK\r\n"), "{user}");
    assert!(
        user.contains("\r\nserver: eventcore\r\n") || user.contains("\r\nServer: eventcore\r\n"),
        "{user}"
    );
    assert!(user.ends_with(r#"{"id":7}"#), "{user}");
    let missing = get(addr, "/users/x");
    assert!(
        missing.starts_with("HTTP/1.1 404 ") && missing.ends_with("nothing here"),
        "{missing}"
    );
    // A panic costs one 500, not the server.
    assert!(get(addr, "/boom").starts_with("HTTP/1.1 500 "));
    assert!(get(addr, "/users/8").ends_with(r#"{"id":8}"#));
    assert!(running.stats().accepted >= 4);
    running.shutdown().unwrap();
    assert!(
        TcpStream::connect(addr).is_err(),
        "still accepting after shutdown"
    );
}

#[test]
fn settings_that_cannot_work_are_refused_before_binding() {
    let settings = Settings {
        port: 0,
        pool_queue: 0,
        ..Settings::default()
    };
    let err = Builder::new().settings(settings).start().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().starts_with("pool_queue: "), "{err}");
    let bad_route = Builder::new()
        .get("/users/{id:[0-9+}", |_| Ok(Response::text("")))
        .start();
    assert_eq!(
        bad_route.unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );
}
