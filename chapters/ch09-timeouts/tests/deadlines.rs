//! The deadlines against a model: a map from connection to its deadline,
//! searched whole. Whatever the reports, closes, evictions and clock, both
//! say the same connections are due, with the same answer, and the same
//! wait.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use eventcore_poller::Token;
use eventcore_timeouts::{Deadlines, Timeouts};
use eventcore_workers::{Expiry, Phase, Report, Timers};
use proptest::prelude::*;

const PHASES: [Phase; 6] = [
    Phase::Idle,
    Phase::Head,
    Phase::Body,
    Phase::Writing,
    Phase::Away,
    Phase::Lingering,
];

#[derive(Debug, Clone)]
enum Op {
    /// A report: slot, generation, phase, bytes moved, requests answered.
    Report(usize, u32, usize, u64, u32),
    Close(usize, u32),
    /// Near the fd limit: the worker takes the connection idle the
    /// longest off the lists.
    Evict,
    /// The clock moves on, in ms, and what is due is taken.
    Tick(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..6usize, 0..2u32, 0..6usize, 0..3u64, 0..2u32)
            .prop_map(|(s, g, p, m, a)| Op::Report(s, g, p, m, a)),
        1 => (0..6usize, 0..2u32).prop_map(|(s, g)| Op::Close(s, g)),
        1 => Just(Op::Evict),
        2 => (0..40u64).prop_map(Op::Tick),
    ]
}

/// The model: one entry per slot.
#[derive(Debug, Clone, Copy)]
struct Entry {
    token: Token,
    phase: Phase,
    fresh: bool,
    at: u64,
    moved: u64,
    answered: u32,
    armed: bool,
}

fn limit(phase: Phase) -> u64 {
    match phase {
        Phase::Idle => 50,
        Phase::Head => 20,
        Phase::Body => 30,
        Phase::Writing => 25,
        Phase::Lingering => 10,
        Phase::Away => unreachable!(),
    }
}

fn expiry(phase: Phase) -> Expiry {
    match phase {
        Phase::Head | Phase::Body => Expiry::Answer(408),
        _ => Expiry::Close,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_lists_agree_with_a_searched_map(ops in proptest::collection::vec(op(), 0..120)) {
        let ms = Duration::from_millis;
        let timeouts = Timeouts {
            idle: ms(50),
            head: ms(20),
            body: ms(30),
            write: ms(25),
            linger: ms(10),
        };
        // Small capacity: the lists must grow for higher slots.
        let mut deadlines = Deadlines::new(timeouts, 2);
        let mut model: HashMap<usize, Entry> = HashMap::new();
        let t0 = Instant::now();
        let mut now = 0u64;
        for op in ops {
            match op {
                Op::Report(slot, generation, phase, moved, answered) => {
                    let token = Token::slot(slot, generation);
                    let phase = PHASES[phase];
                    let report = Report { phase, moved, reading: true, answered };
                    deadlines.update(token, &report, t0 + ms(now));
                    if phase == Phase::Away {
                        continue;
                    }
                    // A new connection (nothing moved yet) waits apart from
                    // the kept-alive ones, with the same timeout.
                    let fresh = phase == Phase::Idle && moved == 0;
                    let old = model
                        .get(&slot)
                        .copied()
                        .filter(|e| e.token == token && e.phase == phase && e.fresh == fresh);
                    let rearm = match old {
                        None => true,
                        Some(e) => match phase {
                            Phase::Head => e.answered != answered,
                            Phase::Lingering => false,
                            _ => e.moved != moved,
                        },
                    };
                    let at = if rearm { now + limit(phase) } else { old.map_or(0, |e| e.at) };
                    model.insert(slot, Entry { token, phase, fresh, at, moved, answered, armed: true });
                }
                Op::Close(slot, generation) => {
                    let token = Token::slot(slot, generation);
                    deadlines.remove(token);
                    if model.get(&slot).is_some_and(|e| e.token == token) {
                        model.remove(&slot);
                    }
                }
                Op::Evict => {
                    let longest = model
                        .values()
                        .filter(|e| e.armed && e.phase == Phase::Idle && !e.fresh)
                        .map(|e| e.at)
                        .min();
                    match deadlines.evict() {
                        None => prop_assert_eq!(longest, None),
                        Some(token) => {
                            let (slot, _) = token.slot_and_generation();
                            let entry = model.get(&slot).copied();
                            prop_assert!(entry.is_some_and(|e| e.token == token
                                && e.armed && e.phase == Phase::Idle && !e.fresh));
                            prop_assert_eq!(entry.map(|e| e.at), longest);
                            // Off the lists; whether the worker then closes
                            // it (it does if it is still idle) is `Close`'s.
                            if let Some(e) = model.get_mut(&slot) {
                                e.armed = false;
                            }
                        }
                    }
                }
                Op::Tick(step) => {
                    now += step;
                    let mut due = BTreeSet::new();
                    while let Some((token, expiry)) = deadlines.next_expired(t0 + ms(now)) {
                        due.insert((token.0, format!("{expiry:?}")));
                    }
                    let mut want = BTreeSet::new();
                    for entry in model.values_mut() {
                        if entry.armed && entry.at <= now {
                            want.insert((entry.token.0, format!("{:?}", expiry(entry.phase))));
                            // Fired. The worker closes or answers such a
                            // connection, unless it was away on the pool:
                            // then its next report of the same phase
                            // without progress finds it due at once.
                            entry.armed = false;
                        }
                    }
                    prop_assert_eq!(due, want);
                    let next = model.values().filter(|e| e.armed).map(|e| e.at).min();
                    let wait = deadlines.timeout(t0 + ms(now));
                    prop_assert_eq!(wait.map(|w| w.as_millis() as u64), next.map(|at| at - now));
                }
            }
        }
    }
}
