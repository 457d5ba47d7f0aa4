#[path = "../../../chapters/ch07-workers/tests/support/mod.rs"]
mod support;

#[path = "../../../chapters/ch04-parser/tests/support/counting_alloc.rs"]
mod counting_alloc;

use ch08_pooling_exercises::e1_counted_pool::CountedPool;
use counting_alloc::allocations_in;
use eventcore_http::Limits;
use eventcore_workers::{Config, Model, NoTimers, Parts, Retain, Server, Store, Work, demo};

#[test]
fn the_work_given_back_last_is_taken_first() {
    let mut pool = CountedPool::new(4);
    let a = pool.take(Limits::default());
    let b = pool.take(Limits::default());
    let b_at: *const Work = &*b;
    pool.give(a);
    pool.give(b);
    assert_eq!(pool.len(), 2);
    assert!(std::ptr::eq(&*pool.take(Limits::default()), b_at));
    assert_eq!(pool.len(), 1);
}

#[test]
fn the_pool_keeps_at_most_max() {
    let mut pool = CountedPool::new(3);
    let works: Vec<_> = (0..5).map(|_| pool.take(Limits::default())).collect();
    for work in works {
        pool.give(work);
    }
    assert_eq!(pool.len(), 3);
}

#[test]
fn a_warm_pool_allocates_nothing() {
    let mut pool = CountedPool::new(8);
    let works: Vec<_> = (0..8).map(|_| pool.take(Limits::default())).collect();
    // Room for 8 was made up front: giving them back allocates nothing.
    let allocations = allocations_in(|| {
        for work in works {
            pool.give(work);
        }
    });
    assert_eq!(allocations, 0, "giving back");
    let allocations = allocations_in(|| {
        for _ in 0..100 {
            let a = pool.take(Limits::default());
            let b = pool.take(Limits::default());
            pool.give(a);
            pool.give(b);
        }
    });
    assert_eq!(allocations, 0);
}

/// The pool as a server's store: each worker gets one of 16.
#[derive(Debug, Clone, Copy)]
struct Counted;

impl Parts for Counted {
    type Store = CountedPool;
    type Timers = NoTimers;

    fn store(&self, _: usize) -> CountedPool {
        CountedPool::new(16)
    }

    fn timers(&self, _: usize) -> NoTimers {
        NoTimers
    }
}

#[test]
fn a_server_runs_on_it() {
    let config = Config {
        retain: Retain::Nothing,
        ..support::config(Model::Inline, 1, 2)
    };
    let server = Server::start_with(config, demo::app(), Counted).unwrap();
    let mut client = support::Client::connect(&server);
    for _ in 0..3 {
        assert_eq!(client.get("/plaintext").body, b"Hello, World!");
    }
}
