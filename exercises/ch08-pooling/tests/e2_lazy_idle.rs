#[path = "../../../chapters/ch07-workers/tests/support/mod.rs"]
mod support;

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use ch08_pooling_exercises::e2_lazy_idle::LazyIdle;
use eventcore_poller::Token;
use eventcore_pooling::Pool;
use eventcore_workers::{Config, Model, Parts, Retain, Server, demo};
use proptest::prelude::*;

#[test]
fn the_oldest_idle_connection_comes_first() {
    let mut idle = LazyIdle::new();
    let [a, b, c] = [0, 1, 2].map(|slot| Token::slot(slot, 0));
    idle.push_back(a);
    idle.push_back(b);
    idle.push_back(c);
    idle.remove(a);
    idle.push_back(a);
    assert_eq!(idle.len(), 3);
    assert_eq!(idle.pop_front(), Some(b));
    assert_eq!(idle.pop_front(), Some(c));
    assert_eq!(idle.pop_front(), Some(a));
    assert_eq!(idle.pop_front(), None);
}

#[test]
fn the_queue_stays_small_however_often_a_connection_goes_idle() {
    let mut idle = LazyIdle::new();
    let token = Token::slot(3, 1);
    for _ in 0..10_000 {
        idle.push_back(token);
        idle.remove(token);
    }
    idle.push_back(token);
    assert_eq!(idle.len(), 1);
    assert!(idle.queued() <= 32, "{} entries queued", idle.queued());
    assert_eq!(idle.pop_front(), Some(token));
}

#[derive(Debug, Clone)]
enum Op {
    Idle(usize, u32),
    Remove(usize, u32),
    Evict,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..12usize, 0..3u32).prop_map(|(s, g)| Op::Idle(s, g)),
        2 => (0..12usize, 0..3u32).prop_map(|(s, g)| Op::Remove(s, g)),
        1 => Just(Op::Evict),
    ]
}

proptest! {
    #[test]
    fn it_evicts_what_a_searched_queue_would(ops in proptest::collection::vec(op(), 0..300)) {
        let mut idle = LazyIdle::new();
        let mut model: VecDeque<Token> = VecDeque::new();
        for op in ops {
            match op {
                Op::Idle(slot, generation) => {
                    model.retain(|t| t.slot_and_generation().0 != slot);
                    model.push_back(Token::slot(slot, generation));
                    idle.push_back(Token::slot(slot, generation));
                }
                Op::Remove(slot, generation) => {
                    let token = Token::slot(slot, generation);
                    model.retain(|t| *t != token);
                    idle.remove(token);
                }
                Op::Evict => prop_assert_eq!(idle.pop_front(), model.pop_front()),
            }
            prop_assert_eq!(idle.len(), model.len());
        }
    }
}

/// A server of at most 4 connections per worker, evicting with yours.
#[derive(Debug, Clone, Copy)]
struct Limited;

impl Parts for Limited {
    type Store = Pool;
    type Timers = LazyIdle;

    fn store(&self, _: usize) -> Pool {
        Pool::new(64 * 1024, Arc::default())
    }

    fn timers(&self, _: usize) -> LazyIdle {
        LazyIdle::new()
    }

    fn limit(&self) -> usize {
        4
    }
}

fn request(stream: &mut TcpStream) -> Vec<u8> {
    stream
        .write_all(support::get("/plaintext").as_bytes())
        .unwrap();
    support::read_until(stream, b"Hello, World!")
}

#[test]
fn at_the_limit_the_oldest_idle_connection_makes_room() {
    let config = Config {
        retain: Retain::Nothing,
        ..support::config(Model::Inline, 1, 2)
    };
    let server = Server::start_with(config, demo::app(), Limited).unwrap();
    let connect = || TcpStream::connect(server.local_addr()).unwrap();
    let mut old: Vec<TcpStream> = (0..4).map(|_| connect()).collect();
    for stream in &mut old {
        assert!(request(stream).starts_with(b"HTTP/1.1 200 OK"));
    }
    let mut newcomer = connect();
    assert!(request(&mut newcomer).starts_with(b"HTTP/1.1 200 OK"));
    // The first one, idle the longest, was closed.
    let mut rest = Vec::new();
    assert_eq!(old[0].read_to_end(&mut rest).unwrap(), 0);
    for stream in &mut old[1..] {
        assert!(request(stream).starts_with(b"HTTP/1.1 200 OK"));
    }
    assert_eq!(server.stats().evicted, 1);
}
