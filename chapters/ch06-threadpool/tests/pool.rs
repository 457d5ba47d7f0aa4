//! The thread pool and its queue under concurrency: every task exactly
//! once, shutdown drains, panics are survived and logged, full and closed
//! queues refuse, and nothing waits without a bound.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use eventcore_threadpool::{BlockingQueue, Job, PushError, Rejected, SubmitError, ThreadPool};

/// Every wait in these tests is bounded by this.
const LIMIT: Duration = Duration::from_secs(30);

// ANCHOR: exactly_once
#[test]
fn every_task_runs_exactly_once_with_concurrent_submitters() {
    const SUBMITTERS: usize = 4;
    const TASKS: usize = 2_000;
    let pool = Arc::new(
        ThreadPool::builder()
            .name("once")
            .threads(4)
            .build()
            .unwrap(),
    );
    let runs: Arc<Vec<AtomicUsize>> = Arc::new(
        (0..SUBMITTERS * TASKS)
            .map(|_| AtomicUsize::new(0))
            .collect(),
    );
    let submitters: Vec<_> = (0..SUBMITTERS)
        .map(|s| {
            let (pool, runs) = (Arc::clone(&pool), Arc::clone(&runs));
            thread::spawn(move || {
                for t in 0..TASKS {
                    let runs = Arc::clone(&runs);
                    pool.submit(move || {
                        runs[s * TASKS + t].fetch_add(1, Ordering::Relaxed);
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for s in submitters {
        s.join().unwrap();
    }
    let report = pool.shutdown(LIMIT);
    assert_eq!(report.still_running, 0);
    assert_eq!(report.joined, 4);
    assert!(
        runs.iter().all(|r| r.load(Ordering::Relaxed) == 1),
        "a task ran twice or never"
    );
    assert_eq!(pool.completed(), (SUBMITTERS * TASKS) as u64);
}
// ANCHOR_END: exactly_once

#[test]
fn shutdown_finishes_the_queued_tasks_first() {
    let pool = ThreadPool::builder()
        .name("drain")
        .threads(2)
        .build()
        .unwrap();
    let done = Arc::new(AtomicUsize::new(0));
    for _ in 0..100 {
        let done = Arc::clone(&done);
        pool.submit(move || {
            thread::sleep(Duration::from_micros(200));
            done.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    }
    let report = pool.shutdown(LIMIT);
    assert_eq!(
        done.load(Ordering::Relaxed),
        100,
        "queued work is finished, not dropped"
    );
    assert_eq!((report.joined, report.still_running), (2, 0));
    assert_eq!(pool.submit(|| ()), Err(SubmitError::ShutDown));
}

// ANCHOR: panics
#[test]
fn panicking_tasks_are_logged_and_do_not_shrink_the_pool() {
    logger::install();
    let pool = ThreadPool::builder()
        .name("sturdy")
        .threads(2)
        .build()
        .unwrap();
    for i in 0..10 {
        pool.submit(move || panic!("task {i} fails")).unwrap();
    }
    // Afterwards both threads still take work: make each one hold a task
    // until the other has one too, so a single surviving thread would deadlock
    // (and time out) instead of passing.
    let names = Arc::new(Mutex::new(HashSet::new()));
    let barrier = Arc::new(std::sync::Barrier::new(2));
    for _ in 0..2 {
        let (names, barrier) = (Arc::clone(&names), Arc::clone(&barrier));
        pool.submit(move || {
            names
                .lock()
                .unwrap()
                .insert(thread::current().name().map(str::to_string));
            barrier.wait();
        })
        .unwrap();
    }
    let report = pool.shutdown(LIMIT);
    assert_eq!(
        report.still_running, 0,
        "two threads must be left to meet at the barrier"
    );
    assert_eq!(pool.panicked(), 10);
    assert_eq!(pool.completed(), 2);
    let names = names.lock().unwrap();
    assert_eq!(names.len(), 2);
    assert!(
        names
            .iter()
            .all(|n| n.as_deref().is_some_and(|n| n.starts_with("sturdy-")))
    );
    let logged = logger::records();
    assert!(
        logged
            .iter()
            .any(|r| r.contains("task 3 fails") && r.contains("sturdy-")),
        "panics are reported through log: {logged:?}"
    );
}
// ANCHOR_END: panics

#[test]
fn a_full_bounded_pool_refuses_or_waits() {
    let pool = Arc::new(
        ThreadPool::builder()
            .name("bounded")
            .threads(1)
            .capacity(2)
            .build()
            .unwrap(),
    );
    let (release, gate) = mpsc::channel::<()>();
    let gate = Arc::new(Mutex::new(gate));
    let blocker = |gate: &Arc<Mutex<mpsc::Receiver<()>>>| {
        let gate = Arc::clone(gate);
        move || {
            let _ = gate.lock().unwrap().recv_timeout(LIMIT);
        }
    };
    // The only thread takes the first task and blocks in it...
    pool.submit(blocker(&gate)).unwrap();
    let deadline = Instant::now() + LIMIT;
    while pool.queued() > 0 {
        assert!(Instant::now() < deadline, "the thread never took the task");
        thread::sleep(Duration::from_millis(1));
    }
    // ...so two more fill the queue, and a third is refused.
    pool.submit(blocker(&gate)).unwrap();
    pool.submit(blocker(&gate)).unwrap();
    assert_eq!(pool.submit(|| ()), Err(SubmitError::Full));

    // submit_wait blocks until the thread takes a task from the queue.
    let waiter = {
        let pool = Arc::clone(&pool);
        thread::spawn(move || pool.submit_wait(|| ()))
    };
    thread::sleep(Duration::from_millis(50));
    assert!(
        !waiter.is_finished(),
        "submit_wait returned while the queue was full"
    );
    for _ in 0..3 {
        release.send(()).unwrap();
    }
    assert_eq!(waiter.join().unwrap(), Ok(()));
    assert_eq!(pool.shutdown(LIMIT).still_running, 0);
    assert_eq!(pool.completed(), 4);
}

// ANCHOR: typed_jobs
/// A job of a plain type: what chapter 7's worker sends to its pool (a
/// connection), here a number and the gate it waits at.
struct Square {
    n: u64,
    gate: Arc<Mutex<mpsc::Receiver<()>>>,
    results: mpsc::Sender<u64>,
}

impl Job for Square {
    fn run(self) {
        let _ = self.gate.lock().unwrap().recv_timeout(LIMIT);
        let _ = self.results.send(self.n * self.n);
    }
}

#[test]
fn a_pool_of_plain_jobs_gives_back_the_job_it_refuses() {
    let pool: ThreadPool<Square> = ThreadPool::builder()
        .name("typed")
        .threads(1)
        .capacity(1)
        .build_for()
        .unwrap();
    let (release, gate) = mpsc::channel::<()>();
    let gate = Arc::new(Mutex::new(gate));
    let (results, squares) = mpsc::channel();
    let job = |n| Square {
        n,
        gate: Arc::clone(&gate),
        results: results.clone(),
    };
    pool.push(job(2)).unwrap();
    let deadline = Instant::now() + LIMIT;
    while pool.queued() > 0 {
        assert!(Instant::now() < deadline, "the thread never took the job");
        thread::sleep(Duration::from_millis(1));
    }
    pool.push(job(3)).unwrap();
    // The queue is full: the job comes back whole, with the reason.
    let Err(Rejected { job: back, reason }) = pool.push(job(4)) else {
        panic!("a full queue took a job");
    };
    assert_eq!((back.n, reason), (4, SubmitError::Full));
    release.send(()).unwrap();
    release.send(()).unwrap();
    assert_eq!(pool.shutdown(LIMIT).still_running, 0);
    let Err(Rejected { job: late, reason }) = pool.push(job(5)) else {
        panic!("a shut-down pool took a job");
    };
    assert_eq!((late.n, reason), (5, SubmitError::ShutDown));
    assert_eq!(squares.try_iter().collect::<Vec<_>>(), vec![4, 9]);
}
// ANCHOR_END: typed_jobs

// ANCHOR: drop_deadline
#[test]
fn dropping_a_pool_with_a_stuck_task_returns_at_its_deadline() {
    let pool = ThreadPool::builder()
        .name("stuck")
        .threads(1)
        .drop_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let (release, gate) = mpsc::channel::<()>();
    let started = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&started);
    pool.submit(move || {
        flag.store(true, Ordering::Release);
        let _ = gate.recv_timeout(LIMIT);
    })
    .unwrap();
    let deadline = Instant::now() + LIMIT;
    while !started.load(Ordering::Acquire) {
        assert!(Instant::now() < deadline, "the task never started");
        thread::yield_now();
    }
    let start = Instant::now();
    drop(pool);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(100) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    // Let the detached thread finish.
    let _ = release.send(());
}
// ANCHOR_END: drop_deadline

#[test]
fn close_wakes_blocked_consumers_and_producers() {
    let queue = Arc::new(BlockingQueue::<u32>::bounded(1));
    queue.push(1).unwrap();
    let producer = {
        let q = Arc::clone(&queue);
        thread::spawn(move || q.push(2))
    };
    let empty = Arc::new(BlockingQueue::<u32>::unbounded());
    let consumer = {
        let q = Arc::clone(&empty);
        thread::spawn(move || q.pop())
    };
    thread::sleep(Duration::from_millis(30));
    queue.close();
    empty.close();
    assert_eq!(producer.join().unwrap(), Err(PushError::Closed(2)));
    assert_eq!(consumer.join().unwrap(), None);
    assert_eq!(
        queue.pop(),
        Some(1),
        "items queued before close are still handed out"
    );
}

#[test]
fn many_producers_and_consumers_lose_nothing() {
    let queue = Arc::new(BlockingQueue::bounded(16));
    let consumers: Vec<_> = (0..3)
        .map(|_| {
            let q = Arc::clone(&queue);
            thread::spawn(move || {
                let mut sum = 0u64;
                while let Some(v) = q.pop() {
                    sum += v;
                }
                sum
            })
        })
        .collect();
    let producers: Vec<_> = (0..4u64)
        .map(|p| {
            let q = Arc::clone(&queue);
            thread::spawn(move || {
                for i in 0..5_000 {
                    q.push(p * 5_000 + i).unwrap();
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    queue.close();
    let total: u64 = consumers.into_iter().map(|c| c.join().unwrap()).sum();
    assert_eq!(total, (0..20_000u64).sum::<u64>());
}

/// A `log` backend that keeps error records in memory, so a test can see
/// what the pool reported.
mod logger {
    use std::sync::{Mutex, Once};

    static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

    struct Capture;

    impl log::Log for Capture {
        fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
            metadata.level() <= log::Level::Warn
        }
        fn log(&self, record: &log::Record<'_>) {
            if self.enabled(record.metadata()) {
                RECORDS.lock().unwrap().push(record.args().to_string());
            }
        }
        fn flush(&self) {}
    }

    pub fn install() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            log::set_logger(&Capture).expect("no other logger in this test binary");
            log::set_max_level(log::LevelFilter::Warn);
        });
    }

    pub fn records() -> Vec<String> {
        RECORDS.lock().unwrap().clone()
    }
}
