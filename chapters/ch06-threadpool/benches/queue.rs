//! Our `BlockingQueue` against `std::sync::mpsc` and `crossbeam-channel`:
//! `cargo bench -p ch06-threadpool --bench queue`.
//!
//! P producer threads send `iters` integers in total to one consumer (the
//! benchmark thread), which receives them all. The time per message
//! includes the contention between producers and the consumer's wake-ups:
//! what a pool's queue pays per task.

use std::hint::black_box;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use eventcore_threadpool::BlockingQueue;

/// Runs `producers` threads that call `send` for their share of `total`
/// messages while the calling thread calls `recv` `total` times.
fn run<S, R>(producers: usize, total: u64, make: impl Fn() -> (S, R)) -> Duration
where
    S: Fn(u64) + Send + Clone + 'static,
    R: FnMut() -> u64,
{
    let (send, mut recv) = make();
    let start = Instant::now();
    let handles: Vec<_> = (0..producers as u64)
        .map(|p| {
            let send = send.clone();
            let share = total / producers as u64 + u64::from(p < total % producers as u64);
            thread::spawn(move || {
                for i in 0..share {
                    send(black_box(i));
                }
            })
        })
        .collect();
    drop(send);
    let mut sum = 0;
    for _ in 0..total {
        sum += recv();
    }
    black_box(sum);
    for h in handles {
        h.join().expect("producer");
    }
    start.elapsed()
}

fn queues(c: &mut Criterion) {
    let mut group = c.benchmark_group("queue");
    for producers in [1usize, 2, 4] {
        group.bench_with_input(
            BenchmarkId::new("blocking_queue", producers),
            &producers,
            |b, &p| {
                b.iter_custom(|iters| {
                    run(p, iters, || {
                        let q = Arc::new(BlockingQueue::unbounded());
                        let tx = Arc::clone(&q);
                        (
                            move |v| tx.push(v).expect("open"),
                            move || q.pop().expect("item"),
                        )
                    })
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("std_mpsc", producers),
            &producers,
            |b, &p| {
                b.iter_custom(|iters| {
                    run(p, iters, || {
                        let (tx, rx) = std::sync::mpsc::channel();
                        (
                            move |v| tx.send(v).expect("open"),
                            move || rx.recv().expect("item"),
                        )
                    })
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("crossbeam", producers),
            &producers,
            |b, &p| {
                b.iter_custom(|iters| {
                    run(p, iters, || {
                        let (tx, rx) = crossbeam_channel::unbounded();
                        (
                            move |v| tx.send(v).expect("open"),
                            move || rx.recv().expect("item"),
                        )
                    })
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, queues);
criterion_main!(benches);
