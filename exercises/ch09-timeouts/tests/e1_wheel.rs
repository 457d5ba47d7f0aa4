use std::collections::HashMap;
use std::time::{Duration, Instant};

use ch09_timeouts_exercises::e1_wheel::Wheel;
use eventcore_poller::Token;
use proptest::prelude::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn a_deadline_fires_once_at_its_time_and_not_before() {
    let t0 = Instant::now();
    let mut wheel = Wheel::new(t0, ms(10), 8);
    let a = Token(1);
    wheel.arm(a, t0 + ms(25));
    assert!(wheel.expired(t0 + ms(24)).is_empty());
    assert_eq!(wheel.expired(t0 + ms(25)), vec![a]);
    assert!(wheel.expired(t0 + ms(100)).is_empty());
    assert!(wheel.is_empty());
}

#[test]
fn a_deadline_several_turns_away_waits_for_its_turn() {
    let t0 = Instant::now();
    // 8 buckets of 10 ms: one turn is 80 ms.
    let mut wheel = Wheel::new(t0, ms(10), 8);
    let far = Token(2);
    wheel.arm(far, t0 + ms(250));
    for step in 1..25 {
        assert!(
            wheel.expired(t0 + ms(step * 10)).is_empty(),
            "at {step}0 ms"
        );
    }
    assert_eq!(wheel.expired(t0 + ms(250)), vec![far]);
}

#[test]
fn cancelled_and_rearmed_deadlines_do_not_fire_early() {
    let t0 = Instant::now();
    let mut wheel = Wheel::new(t0, ms(10), 8);
    let (a, b) = (Token(1), Token(2));
    wheel.arm(a, t0 + ms(30));
    wheel.arm(b, t0 + ms(30));
    wheel.cancel(a);
    wheel.arm(b, t0 + ms(70));
    assert!(wheel.expired(t0 + ms(50)).is_empty());
    assert_eq!(wheel.expired(t0 + ms(70)), vec![b]);
}

#[derive(Debug, Clone)]
enum Op {
    Arm(u64, u64),
    Cancel(u64),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..8u64, 0..400u64).prop_map(|(t, d)| Op::Arm(t, d)),
        1 => (0..8u64).prop_map(Op::Cancel),
        2 => (0..120u64).prop_map(Op::Advance),
    ]
}

proptest! {
    #[test]
    fn the_wheel_agrees_with_a_searched_map(ops in proptest::collection::vec(op(), 0..100)) {
        let t0 = Instant::now();
        let mut wheel = Wheel::new(t0, ms(7), 5);
        let mut model: HashMap<u64, u64> = HashMap::new();
        let mut now = 0;
        for op in ops {
            match op {
                // Deadlines from now on, or already past by up to 50 ms.
                Op::Arm(t, d) => {
                    let at = (now + d).saturating_sub(50);
                    wheel.arm(Token(t), t0 + ms(at));
                    model.insert(t, at);
                }
                Op::Cancel(t) => {
                    wheel.cancel(Token(t));
                    model.remove(&t);
                }
                Op::Advance(step) => {
                    now += step;
                    let mut got: Vec<u64> = wheel.expired(t0 + ms(now)).iter().map(|t| t.0).collect();
                    got.sort();
                    let mut want: Vec<u64> = model.iter().filter(|&(_, &at)| at <= now).map(|(&t, _)| t).collect();
                    want.sort();
                    for t in &want {
                        model.remove(t);
                    }
                    prop_assert_eq!(got, want);
                }
            }
            prop_assert_eq!(wheel.len(), model.len());
        }
    }
}
