//! Tests for exercise 1. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ch06_threadpool_exercises::e1_wait_group::WaitGroup;

#[test]
fn an_empty_group_is_done_at_once() {
    assert!(WaitGroup::new().wait_timeout(Duration::ZERO));
}

#[test]
fn wait_returns_when_the_last_worker_is_done() {
    let group = Arc::new(WaitGroup::new());
    let workers: Vec<_> = (1..=4u64)
        .map(|i| {
            group.add();
            let group = Arc::clone(&group);
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(10 * i));
                group.done();
            })
        })
        .collect();
    let start = Instant::now();
    assert!(group.wait_timeout(Duration::from_secs(10)));
    assert!(
        start.elapsed() >= Duration::from_millis(35),
        "returned before the slowest worker"
    );
    for w in workers {
        w.join().unwrap();
    }
}

#[test]
fn wait_times_out_while_work_is_outstanding() {
    let group = WaitGroup::new();
    group.add();
    let start = Instant::now();
    assert!(!group.wait_timeout(Duration::from_millis(50)));
    assert!(start.elapsed() >= Duration::from_millis(50));
    group.done();
    assert!(group.wait_timeout(Duration::ZERO));
}

#[test]
fn many_waiters_all_wake() {
    let group = Arc::new(WaitGroup::new());
    group.add();
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let group = Arc::clone(&group);
            thread::spawn(move || group.wait_timeout(Duration::from_secs(10)))
        })
        .collect();
    thread::sleep(Duration::from_millis(20));
    group.done();
    assert!(waiters.into_iter().all(|w| w.join().unwrap()));
}

#[test]
#[should_panic(expected = "without a matching add")]
fn done_without_add_is_a_bug() {
    WaitGroup::new().done();
}
