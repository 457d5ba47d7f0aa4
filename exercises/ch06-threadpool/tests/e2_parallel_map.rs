//! Tests for exercise 2. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use ch06_threadpool_exercises::e2_parallel_map::parallel_map;
use eventcore_threadpool::ThreadPool;

#[test]
fn results_come_back_in_input_order() {
    let pool = ThreadPool::builder()
        .name("map")
        .threads(4)
        .build()
        .unwrap();
    // Later items finish first: order must come from the input, not the clock.
    let items: Vec<u64> = (0..20).collect();
    let out = parallel_map(
        &pool,
        items,
        Arc::new(|x: u64| {
            thread::sleep(Duration::from_millis(20 - x));
            x * x
        }),
    );
    assert_eq!(out, Some((0..20).map(|x| x * x).collect()));
}

#[test]
fn the_work_runs_on_the_pool_threads() {
    let pool = ThreadPool::builder()
        .name("mapper")
        .threads(2)
        .build()
        .unwrap();
    let names = parallel_map(
        &pool,
        vec![(); 8],
        Arc::new(|()| thread::current().name().unwrap_or("").to_string()),
    )
    .unwrap();
    assert!(names.iter().all(|n| n.starts_with("mapper-")), "{names:?}");
}

#[test]
fn a_panicking_item_gives_none_and_the_pool_survives() {
    let pool = ThreadPool::builder()
        .name("fragile")
        .threads(2)
        .build()
        .unwrap();
    let out = parallel_map(
        &pool,
        vec![1, 2, 0, 4],
        Arc::new(|x: u32| {
            assert!(x != 0, "zero is not allowed");
            10 / x
        }),
    );
    assert_eq!(out, None);
    let again = parallel_map(&pool, vec![1, 2], Arc::new(|x: u32| x + 1));
    assert_eq!(again, Some(vec![2, 3]));
}

#[test]
fn an_empty_input_is_an_empty_output() {
    let pool = ThreadPool::new(1).unwrap();
    assert_eq!(
        parallel_map(&pool, Vec::<u8>::new(), Arc::new(|x: u8| x)),
        Some(vec![])
    );
}

#[test]
fn a_shut_down_pool_gives_none() {
    let pool = ThreadPool::new(1).unwrap();
    pool.shutdown(Duration::from_secs(5));
    assert_eq!(parallel_map(&pool, vec![1], Arc::new(|x: u8| x)), None);
}
