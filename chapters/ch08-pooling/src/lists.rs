//! Lists of connections threaded through an array indexed by slot: the
//! structure under chapter 8's idle list and chapter 9's timers.
//!
//! Each connection is on at most one of the lists at a time. A link per
//! slot (chapter 3's [`Slots`] numbers them) holds the previous and the
//! next slot on the same list, so that putting a connection at the back
//! of a list, taking it out of whichever list it is on, and taking the
//! front of a list are each a few stores: no allocation once the array has
//! a link per slot, no search. A link remembers its connection's
//! generation, so a token of a closed connection cannot move the next
//! connection in the same slot.
//!
//! [`Slots`]: eventcore_poller::Slots

use eventcore_poller::Token;

/// No slot: the end of a list.
const NIL: u32 = u32::MAX;

// ANCHOR: lists
/// `N` lists of connections, each in the order they were put at its back.
#[derive(Debug, Clone)]
pub struct SlotLists<const N: usize> {
    /// One link per slot number seen so far.
    links: Vec<Link>,
    /// Each list's front and back slot.
    ends: [(u32, u32); N],
    len: usize,
}

#[derive(Debug, Clone, Copy)]
struct Link {
    prev: u32,
    next: u32,
    /// The generation of the connection on a list in this slot.
    generation: u32,
    /// Which list it is on, or `NONE`.
    list: u8,
}
// ANCHOR_END: lists

const NONE: u8 = u8::MAX;

/// Which end of a list a connection goes to.
#[derive(Debug, Clone, Copy)]
enum End {
    Front,
    Back,
}

const UNLINKED: Link = Link {
    prev: NIL,
    next: NIL,
    generation: 0,
    list: NONE,
};

impl<const N: usize> Default for SlotLists<N> {
    fn default() -> SlotLists<N> {
        SlotLists::with_capacity(0)
    }
}

impl<const N: usize> SlotLists<N> {
    /// Empty lists with room for slots `0..slots`: within them they never
    /// allocate.
    pub fn with_capacity(slots: usize) -> SlotLists<N> {
        const { assert!(N < NONE as usize, "too many lists") };
        SlotLists {
            links: vec![UNLINKED; slots],
            ends: [(NIL, NIL); N],
            len: 0,
        }
    }

    /// Connections on all the lists.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The list `token` is on, if it is on one.
    pub fn list_of(&self, token: Token) -> Option<usize> {
        let (slot, generation) = token.slot_and_generation();
        match self.links.get(slot) {
            Some(link) if link.list != NONE && link.generation == generation => {
                Some(usize::from(link.list))
            }
            _ => None,
        }
    }

    // ANCHOR: moves
    /// Puts `token` at the back of `list`, taking it out of whichever list
    /// it was on (or moving it, if it was on this one).
    pub fn push_back(&mut self, list: usize, token: Token) {
        let (slot, generation) = token.slot_and_generation();
        let already_last = self.ends[list].1 == slot as u32
            && self
                .links
                .get(slot)
                .is_some_and(|l| l.generation == generation);
        if !already_last {
            self.insert(list, token, End::Back);
        }
    }

    /// Puts `token` at the front of `list`, taking it out of whichever list
    /// it was on: for a deadline that has already passed, which comes
    /// before any other.
    pub fn push_front(&mut self, list: usize, token: Token) {
        self.insert(list, token, End::Front);
    }

    fn insert(&mut self, list: usize, token: Token, end: End) {
        let (slot, generation) = token.slot_and_generation();
        if slot >= self.links.len() {
            self.links.resize(slot + 1, UNLINKED);
        }
        let slot = slot as u32;
        self.unlink(slot);
        let (head, tail) = self.ends[list];
        let (prev, next) = match end {
            End::Back => (tail, NIL),
            End::Front => (NIL, head),
        };
        self.links[slot as usize] = Link {
            prev,
            next,
            generation,
            list: list as u8,
        };
        match prev {
            NIL => self.ends[list].0 = slot,
            prev => self.links[prev as usize].next = slot,
        }
        match next {
            NIL => self.ends[list].1 = slot,
            next => self.links[next as usize].prev = slot,
        }
        self.len += 1;
    }

    /// Takes `token` off its list, if it is on one.
    pub fn remove(&mut self, token: Token) {
        if self.list_of(token).is_some() {
            self.unlink(token.slot_and_generation().0 as u32);
        }
    }

    /// The connection at the front of `list`.
    pub fn front(&self, list: usize) -> Option<Token> {
        match self.ends[list].0 {
            NIL => None,
            slot => Some(Token::slot(
                slot as usize,
                self.links[slot as usize].generation,
            )),
        }
    }

    /// The connection at the front of `list`, taken off it.
    pub fn pop_front(&mut self, list: usize) -> Option<Token> {
        let token = self.front(list)?;
        self.unlink(self.ends[list].0);
        Some(token)
    }

    fn unlink(&mut self, slot: u32) {
        let link = self.links[slot as usize];
        if link.list == NONE {
            return;
        }
        let ends = &mut self.ends[usize::from(link.list)];
        match link.prev {
            NIL => ends.0 = link.next,
            prev => self.links[prev as usize].next = link.next,
        }
        match link.next {
            NIL => ends.1 = link.prev,
            next => self.links[next as usize].prev = link.prev,
        }
        self.links[slot as usize] = UNLINKED;
        self.len -= 1;
    }
    // ANCHOR_END: moves
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_is_on_one_list_at_a_time() {
        let mut lists = SlotLists::<2>::default();
        let [a, b] = [0, 1].map(|slot| Token::slot(slot, 0));
        lists.push_back(0, a);
        lists.push_back(0, b);
        lists.push_back(1, a);
        assert_eq!(lists.list_of(a), Some(1));
        assert_eq!(lists.front(0), Some(b));
        lists.push_front(0, a);
        assert_eq!(lists.front(0), Some(a));
        lists.push_front(1, a);
        assert_eq!(lists.pop_front(1), Some(a));
        assert_eq!(lists.list_of(a), None);
        assert_eq!(lists.len(), 1);
    }

    #[test]
    fn a_stale_token_does_not_reach_the_slot_s_next_connection() {
        let mut lists = SlotLists::<1>::default();
        let old = Token::slot(7, 0);
        let new = Token::slot(7, 1);
        lists.push_back(0, new);
        lists.remove(old);
        assert_eq!(lists.list_of(old), None);
        assert_eq!(lists.pop_front(0), Some(new));
    }
}
