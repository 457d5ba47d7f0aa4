//! A table of values addressed by [`Token`]s that cannot go stale.
//!
//! An event loop keeps its connections in a `Vec` and gives the poller the
//! index as the token. The trouble is reuse: a connection closed early in a
//! batch of events frees its slot (and, likely, its fd number), a new
//! connection takes both, and an event still queued for the old one would
//! reach the new one. So each slot counts its uses, and a token carries the
//! slot *and* the count (its generation): an old token no longer matches,
//! and the event is dropped.
//!
//! The free slots form a stack, so the slot freed last is used first: its
//! memory is the most likely to still be in the cache. The table grows
//! when no slot is free and never shrinks; [`Slots::with_capacity`]
//! allocates room up front, so that a table that stays within it never
//! allocates again.
//!
//! Chapter 3's echo loop keeps its connections here, and chapter 7's
//! worker its `Connection`s.

use crate::Token;

// ANCHOR: slots
/// Values in slots, each slot with a generation.
#[derive(Debug, Clone)]
pub struct Slots<T> {
    entries: Vec<Slot<T>>,
    /// Indices of the empty slots, the last freed on top.
    free: Vec<u32>,
    len: usize,
}

#[derive(Debug, Clone)]
struct Slot<T> {
    /// How many times the slot has been emptied: part of every token.
    generation: u32,
    value: Option<T>,
}
// ANCHOR_END: slots

/// Slots are numbered below this: [`Token::slot`] packs the index into 32
/// bits, and the largest two values are left for a loop's own tokens (its
/// listener and its waker, for example).
pub const MAX_SLOTS: usize = u32::MAX as usize - 2;

impl<T> Default for Slots<T> {
    fn default() -> Slots<T> {
        Slots::new()
    }
}

impl<T> Slots<T> {
    /// An empty table that has allocated nothing.
    pub const fn new() -> Slots<T> {
        Slots {
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }

    /// An empty table with room for `capacity` values before it allocates
    /// again.
    pub fn with_capacity(capacity: usize) -> Slots<T> {
        let capacity = capacity.min(MAX_SLOTS);
        Slots {
            entries: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
            len: 0,
        }
    }

    /// Values in the table.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Slots the table can hold without allocating.
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    // ANCHOR: insert
    /// Stores `value` and returns its token, or gives the value back if the
    /// table already has [`MAX_SLOTS`] values.
    pub fn insert(&mut self, value: T) -> Result<Token, T> {
        let index = match self.free.pop() {
            Some(index) => index as usize,
            None if self.entries.len() < MAX_SLOTS => {
                self.entries.push(Slot {
                    generation: 0,
                    value: None,
                });
                self.entries.len() - 1
            }
            None => return Err(value),
        };
        let slot = &mut self.entries[index];
        slot.value = Some(value);
        self.len += 1;
        Ok(Token::slot(index, slot.generation))
    }
    // ANCHOR_END: insert

    // ANCHOR: get
    /// The value `token` was given for, if it is still there.
    pub fn get(&self, token: Token) -> Option<&T> {
        let (index, generation) = token.slot_and_generation();
        let slot = self.entries.get(index)?;
        if slot.generation != generation {
            return None; // the token of an earlier occupant
        }
        slot.value.as_ref()
    }

    pub fn get_mut(&mut self, token: Token) -> Option<&mut T> {
        let (index, generation) = token.slot_and_generation();
        let slot = self.entries.get_mut(index)?;
        if slot.generation != generation {
            return None;
        }
        slot.value.as_mut()
    }

    /// Takes the value out and frees its slot. The slot's generation goes
    /// up, so `token` and every copy of it are stale from now on.
    pub fn remove(&mut self, token: Token) -> Option<T> {
        let (index, generation) = token.slot_and_generation();
        let slot = self.entries.get_mut(index)?;
        if slot.generation != generation {
            return None;
        }
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(index as u32);
        self.len -= 1;
        Some(value)
    }
    // ANCHOR_END: get

    /// The tokens of every value, in slot order.
    pub fn tokens(&self) -> impl Iterator<Item = Token> + '_ {
        self.iter().map(|(token, _)| token)
    }

    /// Every token and value, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (Token, &T)> + '_ {
        self.entries.iter().enumerate().filter_map(|(index, slot)| {
            slot.value
                .as_ref()
                .map(|value| (Token::slot(index, slot.generation), value))
        })
    }

    /// Every token and value, in slot order, to change.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (Token, &mut T)> + '_ {
        self.entries
            .iter_mut()
            .enumerate()
            .filter_map(|(index, slot)| {
                let generation = slot.generation;
                slot.value
                    .as_mut()
                    .map(|value| (Token::slot(index, generation), value))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_slot_is_reused_under_a_new_token() {
        let mut slots = Slots::new();
        let a = slots.insert("a").unwrap();
        let b = slots.insert("b").unwrap();
        assert_eq!(slots.remove(a), Some("a"));
        let c = slots.insert("c").unwrap();
        // Same slot, next generation: the old token finds nothing.
        assert_eq!(c.slot_and_generation(), (0, 1));
        assert_eq!(slots.get(a), None);
        assert_eq!(slots.remove(a), None);
        assert_eq!(slots.get(c), Some(&"c"));
        assert_eq!(slots.get(b), Some(&"b"));
        assert_eq!(slots.len(), 2);
        // In slot order: c took slot 0.
        assert_eq!(slots.tokens().collect::<Vec<_>>(), vec![c, b]);
    }

    #[test]
    fn a_table_within_its_capacity_does_not_grow() {
        let mut slots = Slots::with_capacity(100);
        let tokens: Vec<_> = (0..100).map(|i| slots.insert(i).unwrap()).collect();
        for token in tokens {
            slots.remove(token);
        }
        for i in 0..100 {
            slots.insert(i).unwrap();
        }
        assert_eq!(slots.capacity(), 100);
    }
}
