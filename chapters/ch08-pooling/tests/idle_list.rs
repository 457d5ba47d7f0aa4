//! The idle list against a model: a queue of tokens, searched from end to
//! end. Whatever the sequence of connections going idle, getting busy,
//! closing and being evicted, both give up the same connection next.

use std::collections::VecDeque;

use eventcore_poller::Token;
use eventcore_pooling::IdleList;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// The connection in `slot`, of generation `generation`, went idle.
    Idle(usize, u32),
    /// It got busy, or closed.
    Remove(usize, u32),
    /// Evict the oldest idle connection.
    Evict,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..12usize, 0..3u32).prop_map(|(s, g)| Op::Idle(s, g)),
        2 => (0..12usize, 0..3u32).prop_map(|(s, g)| Op::Remove(s, g)),
        1 => Just(Op::Evict),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_list_evicts_what_a_queue_would(ops in proptest::collection::vec(op(), 0..200)) {
        // Start small: the list must grow for slots beyond its capacity.
        let mut list = IdleList::with_capacity(4);
        let mut model: VecDeque<Token> = VecDeque::new();
        for op in ops {
            match op {
                Op::Idle(slot, generation) => {
                    // A slot holds one connection at a time: whatever was
                    // idle in it is gone.
                    model.retain(|t| t.slot_and_generation().0 != slot);
                    model.push_back(Token::slot(slot, generation));
                    list.push_back(Token::slot(slot, generation));
                }
                Op::Remove(slot, generation) => {
                    let token = Token::slot(slot, generation);
                    model.retain(|t| *t != token);
                    list.remove(token);
                }
                Op::Evict => prop_assert_eq!(list.pop_front(), model.pop_front()),
            }
            prop_assert_eq!(list.len(), model.len());
        }
        while let Some(token) = model.pop_front() {
            prop_assert_eq!(list.pop_front(), Some(token));
        }
        prop_assert_eq!(list.pop_front(), None);
    }
}
