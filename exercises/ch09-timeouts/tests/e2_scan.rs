#[path = "../../../chapters/ch07-workers/tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ch09_timeouts_exercises::e2_scan::Scan;
use eventcore_poller::Token;
use eventcore_pooling::{Pool, Pooling};
use eventcore_timeouts::{Deadlines, Timeouts};
use eventcore_workers::{
    Config, Expiry, Model, Parts, Phase, Report, Retain, Server, Timers, demo,
};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn idle() -> Report {
    Report {
        phase: Phase::Idle,
        moved: 0,
        reading: true,
        answered: 0,
    }
}

#[test]
fn it_wakes_every_period_even_with_nothing_to_do_and_the_lists_do_not() {
    let t0 = Instant::now();
    let mut scan = Scan::new(ms(600), ms(50));
    assert_eq!(scan.timeout(t0), Some(ms(50)));
    assert_eq!(scan.next_expired(t0 + ms(50)), None);
    assert_eq!(scan.timeout(t0 + ms(50)), Some(ms(50)));
    let mut lists = Deadlines::new(Timeouts::default(), 0);
    assert_eq!(lists.timeout(t0), None);
}

#[test]
fn an_idle_connection_goes_at_the_first_walk_after_its_timeout() {
    let t0 = Instant::now();
    let mut scan = Scan::new(ms(100), ms(40));
    let _ = scan.timeout(t0);
    let a = Token(7);
    scan.update(a, &idle(), t0);
    // Walks at 40, 80 and 120 ms: idle for 100 ms only by the third.
    assert_eq!(scan.next_expired(t0 + ms(40)), None);
    assert_eq!(scan.next_expired(t0 + ms(80)), None);
    assert_eq!(scan.next_expired(t0 + ms(120)), Some((a, Expiry::Close)));
    assert_eq!(scan.next_expired(t0 + ms(120)), None);
}

#[test]
fn a_busy_connection_is_left_alone() {
    let t0 = Instant::now();
    let mut scan = Scan::new(ms(10), ms(10));
    let _ = scan.timeout(t0);
    let busy = Report {
        phase: Phase::Head,
        ..idle()
    };
    scan.update(Token(1), &busy, t0);
    assert_eq!(scan.next_expired(t0 + ms(100)), None);
}

/// A server whose idle connections the seed's scan closes.
#[derive(Debug, Clone, Copy)]
struct Scanned;

impl Parts for Scanned {
    type Store = Pool;
    type Timers = Scan;

    fn store(&self, worker: usize) -> Pool {
        Pooling::default().store(worker)
    }

    fn timers(&self, _: usize) -> Scan {
        Scan::new(ms(200), ms(50))
    }
}

#[test]
fn a_server_with_it_closes_an_idle_connection() {
    let config = Config {
        retain: Retain::Nothing,
        ..support::config(Model::Inline, 1, 2)
    };
    let server = Server::start_with(config, demo::app(), Scanned).unwrap();
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    stream.set_read_timeout(Some(support::HANG)).unwrap();
    stream
        .write_all(support::get("/plaintext").as_bytes())
        .unwrap();
    support::read_until(&mut stream, b"Hello, World!");
    let answered = Instant::now();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert!(answered.elapsed() >= ms(200));
}
