//! Tests for exercise 1. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use ch07_workers_exercises::e1_pipeline_client::pipeline;
use eventcore_workers::{Config, Model, Server, demo};

fn server(model: Model) -> Server {
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        workers: 1,
        model,
        ..Config::default()
    };
    Server::start(config, demo::app()).unwrap()
}

#[test]
fn a_hundred_pipelined_requests_come_back_in_order() {
    for model in [Model::Inline, Model::Seed] {
        let server = server(model);
        let paths: Vec<String> = (0..100).map(|i| format!("/users/{i}")).collect();
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        let answers = pipeline(server.local_addr(), &paths).unwrap();
        assert_eq!(answers.len(), 100);
        for (i, (status, body)) in answers.iter().enumerate() {
            assert_eq!(*status, 200);
            assert_eq!(String::from_utf8_lossy(body), format!("user {i}"));
        }
    }
}

#[test]
fn statuses_and_empty_bodies_are_kept_apart() {
    let server = server(Model::Inline);
    let answers = pipeline(
        server.local_addr(),
        &["/json", "/users/x", "/plaintext", "/users/5"],
    )
    .unwrap();
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [200, 404, 200, 200]);
    assert_eq!(answers[0].1, br#"{"message":"Hello, World!"}"#);
    assert_eq!(answers[2].1, b"Hello, World!");
    assert_eq!(answers[3].1, b"user 5");
}

#[test]
fn a_server_that_closes_early_is_an_error() {
    let server = server(Model::Inline);
    // The second request is malformed: the server answers 400 and closes,
    // so the third answer never comes.
    let err = pipeline(
        server.local_addr(),
        &["/plaintext", "/bad path", "/plaintext"],
    )
    .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
}
