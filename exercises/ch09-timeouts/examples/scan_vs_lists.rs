//! The seed's timeout manager (exercise 2's `Scan`) against chapter 9's
//! `Deadlines`, with 1,000, 10,000 and 19,000 idle connections: what one
//! check costs when nothing is due, and how long the loop may then sleep.
//!
//! ```text
//! cargo run --release -p ch09-timeouts-exercises --example scan_vs_lists
//! ```
//!
//! A check is what the worker does after each batch of events: `Scan`
//! walks every connection when its period has come (the seed: every 5 s),
//! `Deadlines` looks at the fronts of its lists. Each is timed over many
//! checks and the median of 7 rounds is printed; then how long each lets
//! an idle server sleep, with the seed's 5 s period and 60 s timeout.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ch09_timeouts_exercises::e2_scan::Scan;
use eventcore_poller::Token;
use eventcore_timeouts::{Deadlines, Timeouts};
use eventcore_workers::{Phase, Report, Timers};

const IDLE: Report = Report {
    phase: Phase::Idle,
    moved: 100,
    reading: true,
    answered: 1,
};

/// Median nanoseconds per call of `check`, over 7 rounds of `calls`.
fn per_check(calls: u32, mut check: impl FnMut(u32)) -> f64 {
    let mut rounds: Vec<f64> = (0..7)
        .map(|_| {
            let started = Instant::now();
            for i in 0..calls {
                check(i);
            }
            started.elapsed().as_nanos() as f64 / f64::from(calls)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[3]
}

fn main() {
    let seed_period = Duration::from_secs(5);
    // Longer than the run's simulated clock: nothing ever expires, so
    // every check costs what a check with nothing due costs.
    let idle = Duration::from_secs(1 << 40);
    println!("connections  scan µs/check  lists µs/check  scan sleeps  lists sleep");
    for n in [1_000usize, 10_000, 19_000] {
        let t0 = Instant::now();
        let tokens: Vec<Token> = (0..n).map(|slot| Token::slot(slot, 0)).collect();
        let mut scan = Scan::new(idle, seed_period);
        let timeouts = Timeouts {
            idle,
            ..Timeouts::default()
        };
        let mut lists = Deadlines::new(timeouts, n);
        for &token in &tokens {
            scan.update(token, &IDLE, t0);
            lists.update(token, &IDLE, t0);
        }
        let scan_sleep = scan.timeout(t0).unwrap_or_default();
        let mut default_lists = Deadlines::new(Timeouts::default(), n);
        for &token in &tokens {
            default_lists.update(token, &IDLE, t0);
        }
        let lists_sleep = default_lists.timeout(t0).unwrap_or_default();
        // The simulated clock moves 5 s per check, so that every one of
        // the scan's is due and walks all n connections.
        let mut step = 0u32;
        let scan_ns = per_check(300, |_| {
            step += 1;
            black_box(scan.next_expired(t0 + seed_period * step));
        });
        let mut step = 0u32;
        let lists_ns = per_check(1_000_000, |_| {
            step += 1;
            black_box(lists.next_expired(t0 + seed_period * step));
        });
        println!(
            "{n:>11}  {:>13.2}  {:>14.4}  {:>10.1} s  {:>9.1} s",
            scan_ns / 1e3,
            lists_ns / 1e3,
            scan_sleep.as_secs_f64(),
            lists_sleep.as_secs_f64(),
        );
    }
}
