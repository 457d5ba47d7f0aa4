//! [`Slots`] against a simple model: a map from the tokens handed out to
//! the values they were given for, plus every token ever removed. Any mix
//! of inserts, removes and lookups, with live and stale tokens, must agree.

use std::collections::HashMap;

use eventcore_poller::{Slots, Token};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Insert(u16),
    /// Remove the n-th token handed out so far (live or stale).
    Remove(usize),
    Get(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u16>().prop_map(Op::Insert),
        2 => any::<usize>().prop_map(Op::Remove),
        2 => any::<usize>().prop_map(Op::Get),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn slots_agree_with_a_map(ops in prop::collection::vec(op(), 1..200)) {
        let mut slots = Slots::new();
        let mut model: HashMap<Token, u16> = HashMap::new();
        // Every token handed out, in order, so that ops can name old ones.
        let mut issued: Vec<Token> = Vec::new();
        let mut most_alive = 0;
        for op in ops {
            match op {
                Op::Insert(value) => {
                    let token = slots.insert(value).unwrap();
                    // A new token is never one handed out before, even
                    // when its slot is reused.
                    prop_assert!(!issued.contains(&token), "token {token:?} reissued");
                    issued.push(token);
                    model.insert(token, value);
                    // Freed slots are used before new ones: no index
                    // reaches the most values ever alive at once.
                    most_alive = most_alive.max(model.len());
                    prop_assert!(token.slot_and_generation().0 < most_alive);
                }
                Op::Remove(n) if !issued.is_empty() => {
                    let token = issued[n % issued.len()];
                    prop_assert_eq!(slots.remove(token), model.remove(&token));
                }
                Op::Get(n) if !issued.is_empty() => {
                    let token = issued[n % issued.len()];
                    prop_assert_eq!(slots.get(token), model.get(&token));
                }
                _ => {}
            }
            prop_assert_eq!(slots.len(), model.len());
            let mut live: Vec<Token> = slots.tokens().collect();
            let mut expected: Vec<Token> = model.keys().copied().collect();
            live.sort_by_key(|t| t.0);
            expected.sort_by_key(|t| t.0);
            prop_assert_eq!(live, expected);
        }
    }
}
