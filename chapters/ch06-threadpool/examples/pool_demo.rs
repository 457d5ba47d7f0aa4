//! The pool at work: named threads, a panicking task that the pool
//! survives, a full bounded queue, and a graceful shutdown.
//! `cargo run -p ch06-threadpool --example pool_demo`

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use eventcore_threadpool::{SubmitError, ThreadPool};

/// A minimal `log` backend that prints to stderr, so the pool's panic report shows.
struct Stderr;

impl log::Log for Stderr {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        eprintln!("[{}] {}", record.level(), record.args());
    }
    fn flush(&self) {}
}

// ANCHOR: main
fn main() {
    let _ = log::set_logger(&Stderr).map(|()| log::set_max_level(log::LevelFilter::Info));
    // Quiet the default panic message; the pool logs the panic itself.
    std::panic::set_hook(Box::new(|_| {}));

    let pool = ThreadPool::builder()
        .name("demo")
        .threads(3)
        .capacity(4)
        .build()
        .expect("spawn");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    // Eight tasks, waiting for room when the queue is full; task 5 panics.
    for i in 0..8 {
        let seen = Arc::clone(&seen);
        let task = move || {
            if i == 5 {
                panic!("task {i} hit a bug");
            }
            thread::sleep(Duration::from_millis(20));
            let name = thread::current().name().unwrap_or("?").to_string();
            seen.lock().expect("lock").push((i, name));
        };
        pool.submit_wait(task).expect("the pool is running");
    }
    // A burst that doesn't wait: the bounded queue refuses what doesn't fit.
    let refused = (0..10)
        .filter(|_| {
            pool.submit(|| thread::sleep(Duration::from_millis(20))) == Err(SubmitError::Full)
        })
        .count();
    println!(
        "a burst of 10 more tasks: {refused} refused by the full queue (3 threads, capacity 4)"
    );
    let report = pool.shutdown(Duration::from_secs(5));
    let seen = seen.lock().expect("lock");
    for (i, name) in seen.iter() {
        println!("task {i:>2} ran on {name}");
    }
    println!(
        "completed {}, panicked {}, shutdown joined {} thread(s), {} still running, after {:?}",
        pool.completed(),
        pool.panicked(),
        report.joined,
        report.still_running,
        Duration::from_millis(start.elapsed().as_millis() as u64)
    );
}
// ANCHOR_END: main
