//! What the worker's seams do, over real sockets in both models: the
//! draining stop, the bounded pool queue, and the timers hook (wait
//! timeout, expiry once per batch, a connection's phases) driven by small
//! test timers. Chapter 9 plugs real timers into the same hook.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use eventcore_workers::{Config, Expiry, Model, Phase, Server};
use support::{
    Client, Deadlines, Gate, Recording, config, get, pattern, post, test_app_with, wait_until,
};

both_models!(
    a_drain_closes_idle_connections_and_lets_busy_ones_finish,
    a_drain_that_runs_out_of_time_closes_what_is_left,
    a_full_pool_queue_gets_503_and_a_close,
    a_head_past_its_deadline_gets_408_and_a_close,
    an_idle_connection_past_its_deadline_is_closed_without_a_word,
    a_stale_timer_does_not_touch_the_next_connection_in_its_slot,
    a_closing_connection_lingers_while_the_timers_allow,
);

fn start_recording(model: Model, gate: &Gate, recording: &Recording) -> Server {
    Server::start_with(
        config(model, 2, 2),
        test_app_with(gate.clone()),
        recording.clone(),
    )
    .expect("server starts")
}

/// Reads to the end: what the server sent before it closed.
fn rest(client: &mut Client) -> Vec<u8> {
    let mut all = Vec::new();
    client.stream.read_to_end(&mut all).expect("a clean close");
    all
}

// ANCHOR: drain_test
fn a_drain_closes_idle_connections_and_lets_busy_ones_finish(model: Model) {
    let (gate, recording) = (Gate::default(), Recording::default());
    let server = start_recording(model, &gate, &recording);
    let addr = server.local_addr();
    // One idle keep-alive connection, one in its handler, one halfway
    // through sending a POST body.
    let mut idle = Client::connect(&server);
    assert_eq!(idle.get("/plaintext").status, 200);
    let mut busy = Client::connect(&server);
    busy.send(get("/gate").as_bytes());
    gate.wait_entered(1);
    let body = pattern(100_000);
    let request = post("/echo", &body);
    let (first, second) = request.split_at(request.len() - 50_000);
    let mut uploading = Client::connect(&server);
    uploading.send(first);
    wait_until("the upload is under way", || {
        recording.any(|r| r.phase == Phase::Body)
    });

    let draining = std::thread::spawn(move || server.drain(support::HANG));
    // The idle one is closed at once, without a word.
    assert_eq!(rest(&mut idle), b"");
    // New clients are refused once the listeners are closed.
    wait_until("new connections are refused", || {
        TcpStream::connect(addr).is_err_and(|e| e.kind() == ErrorKind::ConnectionRefused)
    });
    // The upload completes, byte for byte, and is answered with a close.
    uploading.send(second);
    let echo = uploading.answer().unwrap();
    assert!(echo.body == body, "{model}: the echo");
    assert_eq!(echo.header("connection"), Some("close"));
    assert_eq!(rest(&mut uploading), b"");
    // So is the request in its handler, once the handler returns.
    gate.open();
    let answer = busy.answer().unwrap();
    assert_eq!(answer.text(), "through the gate");
    assert_eq!(answer.header("connection"), Some("close"));
    assert_eq!(rest(&mut busy), b"");
    // With nothing left, the drain ends.
    draining.join().unwrap().unwrap();
}
// ANCHOR_END: drain_test

fn a_drain_that_runs_out_of_time_closes_what_is_left(model: Model) {
    let (gate, recording) = (Gate::default(), Recording::default());
    let server = start_recording(model, &gate, &recording);
    // A head that never ends, and a handler held at the gate.
    let mut stuck = Client::connect(&server);
    stuck.send(b"GET /plaintext HTTP/1.1\r\nHost: t\r\n");
    let mut busy = Client::connect(&server);
    busy.send(get("/gate").as_bytes());
    gate.wait_entered(1);
    wait_until("the head is under way", || {
        recording.any(|r| r.phase == Phase::Head)
    });
    server.drain(Duration::from_millis(50)).unwrap();
    // The drain returned with the handler still inside: the unfinished
    // head's connection was closed unanswered.
    assert_eq!(gate.entered(), 1);
    assert_eq!(rest(&mut stuck), b"");
    // The pool thread can't be stopped: it finishes on its own, and its
    // connection closes after the answer it was making.
    gate.open();
    let answer = busy.answer().unwrap();
    assert_eq!(answer.header("connection"), Some("close"));
    assert_eq!(rest(&mut busy), b"");
}

// ANCHOR: refused_test
/// One pool thread and room for one request in the queue: the thread is
/// held at the gate, a second request waits in the queue, and a third is
/// answered 503 at once, with a close, instead of waiting without bound.
fn a_full_pool_queue_gets_503_and_a_close(model: Model) {
    let (gate, recording) = (Gate::default(), Recording::default());
    let config = Config {
        pool_queue: 1,
        ..config(model, 1, 1)
    };
    let server = Server::start_with(config, test_app_with(gate.clone()), recording.clone())
        .expect("server starts");
    let mut inside = Client::connect(&server);
    inside.send(get("/gate").as_bytes());
    gate.wait_entered(1);
    let mut queued = Client::connect(&server);
    queued.send(get("/gate").as_bytes());
    wait_until("two connections on the pool", || {
        recording.count(|r| r.phase == Phase::Away) == 2
    });
    let mut refused = Client::connect(&server);
    refused.send(get("/gate").as_bytes());
    let answer = refused.answer().unwrap();
    assert_eq!(answer.status, 503);
    assert_eq!(answer.header("connection"), Some("close"));
    assert_eq!(rest(&mut refused), b"");
    assert_eq!(server.stats().refused, 1);
    gate.open();
    assert_eq!(inside.answer().unwrap().text(), "through the gate");
    assert_eq!(queued.answer().unwrap().text(), "through the gate");
}
// ANCHOR_END: refused_test

fn start_with_deadlines(model: Model, deadlines: Deadlines) -> Server {
    Server::start_with(
        config(model, 2, 2),
        test_app_with(Gate::default()),
        deadlines,
    )
    .expect("server starts")
}

const SHORT: Duration = Duration::from_millis(30);

// ANCHOR: deadline_test
fn a_head_past_its_deadline_gets_408_and_a_close(model: Model) {
    let deadlines = Deadlines::new(vec![(Phase::Head, SHORT, Expiry::Answer(408))]);
    let server = start_with_deadlines(model, deadlines);
    let mut client = Client::connect(&server);
    client.send(b"GET /plaintext HTTP/1.1\r\nHost: t");
    let answer = client.answer().unwrap();
    assert_eq!(answer.status, 408);
    assert_eq!(answer.header("connection"), Some("close"));
    assert_eq!(rest(&mut client), b"");
}
// ANCHOR_END: deadline_test

fn an_idle_connection_past_its_deadline_is_closed_without_a_word(model: Model) {
    let deadlines = Deadlines::new(vec![(Phase::Idle, SHORT, Expiry::Close)]);
    let server = start_with_deadlines(model, deadlines);
    // A new connection that sends nothing, and one between requests.
    let mut silent = Client::connect(&server);
    let mut kept = Client::connect(&server);
    assert_eq!(kept.get("/plaintext").status, 200);
    assert_eq!(rest(&mut silent), b"");
    assert_eq!(rest(&mut kept), b"");
    wait_until("both closed", || server.connections() == 0);
}

/// Timers that forget to forget: a closed connection's timer stays armed.
/// When it fires, its token names the slot's previous occupant, and the
/// new connection in that slot must not notice.
fn a_stale_timer_does_not_touch_the_next_connection_in_its_slot(model: Model) {
    let mut deadlines = Deadlines::new(vec![(Phase::Head, SHORT, Expiry::Answer(408))]);
    deadlines.forget_removals = true;
    let armed = deadlines.armed();
    // One worker: the second connection takes the first one's slot.
    let server = Server::start_with(
        config(model, 1, 2),
        test_app_with(Gate::default()),
        deadlines,
    )
    .expect("server starts");
    let mut first = Client::connect(&server);
    first.send(b"GET /plaintext HTTP/1.1\r\n");
    wait_until("the head's timer", || armed.lock().unwrap().len() == 1);
    drop(first);
    wait_until("the first connection closed", || server.connections() == 0);
    let mut second = Client::connect(&server);
    assert_eq!(second.get("/plaintext").status, 200);
    // The first connection's timer fires (and finds nothing)...
    wait_until("the stale timer fired", || armed.lock().unwrap().is_empty());
    // ...and the second connection goes on, unanswered by any 408.
    assert_eq!(second.get("/plaintext").status, 200);
    assert_eq!(server.connections(), 1);
}

/// With timers that bound it, a connection that closes after an error
/// keeps reading what the client still sends, until the client closes
/// too: no reset cuts the error response short, however much follows it.
fn a_closing_connection_lingers_while_the_timers_allow(model: Model) {
    let mut deadlines = Deadlines::new(vec![(Phase::Lingering, support::HANG, Expiry::Close)]);
    deadlines.lingers = true;
    let armed = deadlines.armed();
    let server = start_with_deadlines(model, deadlines);
    let mut client = Client::connect(&server);
    client.send(b"BAD REQUEST\r\n\r\n");
    let answer = client.answer().unwrap();
    assert_eq!(answer.status, 400);
    wait_until("the connection lingers", || {
        armed
            .lock()
            .unwrap()
            .values()
            .any(|(.., phase)| *phase == Phase::Lingering)
    });
    // More than one read takes, after the error went out; then our close.
    client.stream.write_all(&pattern(300_000)).unwrap();
    client.stream.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(rest(&mut client), b"");
    wait_until("the lingering connection closed", || {
        server.connections() == 0
    });
}
