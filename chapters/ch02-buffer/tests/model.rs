//! The Buffer against a model: random sequences of operations applied both to
//! a `Buffer` and to a plain `VecDeque<u8>`, which is obviously right. After
//! every step the content, the three sizes and the searches must agree.

use std::collections::VecDeque;

use eventcore_buffer::{Buffer, PREPEND, search};
use proptest::prelude::*;

// ANCHOR: ops
#[derive(Debug, Clone)]
enum Op {
    Append(Vec<u8>),
    /// Retrieve this share (0..=100 %) of the readable bytes.
    Retrieve(u8),
    RetrieveAll,
    TakeBytes(u8),
    /// Prepend up to this many bytes (cut to what is prependable).
    Prepend(Vec<u8>),
    EnsureWritable(usize),
    /// Write into the writable tail directly, then commit.
    WriteInPlace(Vec<u8>),
    Shrink(usize),
    Release,
}

fn op() -> impl Strategy<Value = Op> {
    // Bytes drawn mostly from "\r\n" and a letter, so line ends are common.
    let byte = prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'a'), any::<u8>()];
    let bytes = |max| proptest::collection::vec(byte.clone(), 0..max);
    prop_oneof![
        4 => bytes(300).prop_map(Op::Append),
        3 => any::<u8>().prop_map(Op::Retrieve),
        1 => Just(Op::RetrieveAll),
        1 => any::<u8>().prop_map(Op::TakeBytes),
        1 => bytes(PREPEND + 40).prop_map(Op::Prepend),
        1 => (0usize..5000).prop_map(Op::EnsureWritable),
        2 => bytes(300).prop_map(Op::WriteInPlace),
        1 => (0usize..600).prop_map(Op::Shrink),
        1 => Just(Op::Release),
    ]
}
// ANCHOR_END: ops

fn share(len: usize, percent: u8) -> usize {
    len * usize::from(percent.min(100)) / 100
}

// ANCHOR: apply
fn apply(buf: &mut Buffer, model: &mut VecDeque<u8>, op: &Op) {
    match op {
        Op::Append(data) => {
            buf.append(data);
            model.extend(data);
        }
        Op::Retrieve(p) => {
            let n = share(model.len(), *p);
            buf.retrieve(n);
            model.drain(..n);
        }
        Op::RetrieveAll => {
            buf.retrieve_all();
            model.clear();
        }
        Op::TakeBytes(p) => {
            let n = share(model.len(), *p);
            let taken = buf.take_bytes(n);
            let expected: Vec<u8> = model.drain(..n).collect();
            assert_eq!(taken, expected);
        }
        Op::Prepend(data) => {
            let room = if buf.allocated_bytes() == 0 {
                PREPEND
            } else {
                buf.prependable_bytes()
            };
            let data = &data[..data.len().min(room)];
            buf.prepend(data);
            for &b in data.iter().rev() {
                model.push_front(b);
            }
        }
        Op::EnsureWritable(n) => {
            buf.ensure_writable(*n);
            assert!(buf.writable_bytes() >= *n);
        }
        Op::WriteInPlace(data) => {
            buf.ensure_writable(data.len());
            buf.writable_slice()[..data.len()].copy_from_slice(data);
            buf.commit(data.len());
            model.extend(data);
        }
        Op::Shrink(keep) => buf.shrink(*keep),
        Op::Release => buf.release(),
    }
}
// ANCHOR_END: apply

fn check(buf: &Buffer, model: &VecDeque<u8>) {
    let (a, b) = model.as_slices();
    let expected = [a, b].concat();
    assert_eq!(buf.peek(), &expected[..], "content");
    assert_eq!(buf.readable_bytes(), model.len());
    assert_eq!(buf.is_empty(), model.is_empty());
    // The three regions tile the storage exactly.
    let total = buf.prependable_bytes() + buf.readable_bytes() + buf.writable_bytes();
    assert_eq!(total, buf.allocated_bytes(), "regions tile the storage");
    assert_eq!(buf.find_crlf(), search::find_crlf_naive(&expected));
    assert_eq!(
        buf.find_double_crlf_from(0),
        expected.windows(4).position(|w| w == b"\r\n\r\n")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn buffer_behaves_like_a_deque(ops in proptest::collection::vec(op(), 1..40)) {
        let mut buf = Buffer::new();
        let mut model = VecDeque::new();
        for op in &ops {
            apply(&mut buf, &mut model, op);
            check(&buf, &model);
        }
    }

    /// Searching again from `old_len - 3` after more bytes arrive finds the
    /// same end of head as searching everything, wherever the split falls.
    #[test]
    fn resumed_head_search_equals_full_search(
        chunks in proptest::collection::vec(
            proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'x')], 0..12),
            1..12,
        )
    ) {
        let mut buf = Buffer::new();
        let mut scanned = 0;
        let mut found = None;
        for chunk in &chunks {
            buf.append(chunk);
            if found.is_none() {
                found = buf.find_double_crlf_from(scanned);
                scanned = buf.readable_bytes().saturating_sub(3);
            }
        }
        prop_assert_eq!(found, buf.find_double_crlf_from(0));
    }
}
