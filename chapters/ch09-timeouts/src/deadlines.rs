//! Deadlines per connection, one kind per phase, in O(1) lists.
//!
//! Every kind of deadline has one duration (the idle timeout, the head
//! timeout...), so the connections armed for one kind reach their
//! deadlines in the order they were armed: a FIFO list per kind is sorted
//! for free, the soonest deadline of each kind is its list's front, and
//! arming, re-arming and cancelling are a move to a list's back or out of
//! it (chapter 8's [`SlotLists`]: a few stores, no allocation, no search).
//! Node.js keeps its timers the same way (one list per duration); nginx
//! keeps them in a red-black tree (O(log n), any duration), the Linux
//! kernel and tokio in timing wheels (O(1), any duration, at a resolution).
//! With a few fixed durations, a list per kind is the simplest that is O(1).
//!
//! Timers are keyed by the connection's token, slot and generation, like
//! chapter 7's events: a deadline left over from a closed connection finds
//! nothing when it fires, and the worker checks the connection is still
//! there anyway.
//!
//! [`SlotLists`]: eventcore_pooling::SlotLists

use std::time::{Duration, Instant};

use eventcore_poller::Token;
use eventcore_pooling::SlotLists;
use eventcore_workers::{Expiry, Phase, Report, Timers};

// ANCHOR: timeouts
/// How long a connection may wait in each phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Between requests, for the first byte of the next (the seed's
    /// `keepalive_timeout_sec`). The connection is closed without a word.
    pub idle: Duration,
    /// For a whole request head, from its first byte, however slowly the
    /// rest trickles in (slowloris). Then `408` and a close.
    pub head: Duration,
    /// Between two reads of a body: a body must keep arriving. Then `408`
    /// and a close.
    pub body: Duration,
    /// For the client to take some of our output (a write that makes no
    /// progress). Then a close: the client is not reading anyway.
    pub write: Duration,
    /// For the client to close after our last response (a lingering
    /// close), in all.
    pub linger: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            idle: Duration::from_secs(60),
            head: Duration::from_secs(10),
            body: Duration::from_secs(30),
            write: Duration::from_secs(30),
            linger: Duration::from_secs(5),
        }
    }
}
// ANCHOR_END: timeouts

impl Timeouts {
    /// The example servers' flags for these settings, in milliseconds
    /// (`--idle-timeout-ms N` and so on): `None` if `flag` is not one of
    /// them.
    pub fn flag(&mut self, flag: &str, value: &str) -> Option<Result<(), String>> {
        let setting = match flag {
            "--idle-timeout-ms" => &mut self.idle,
            "--head-timeout-ms" => &mut self.head,
            "--body-timeout-ms" => &mut self.body,
            "--write-timeout-ms" => &mut self.write,
            "--linger-timeout-ms" => &mut self.linger,
            _ => return None,
        };
        Some(millis(flag, value).map(|d| *setting = d))
    }

    /// The usage line of [`Timeouts::flag`]'s flags.
    pub const USAGE: &str = " [--idle-timeout-ms N] [--head-timeout-ms N] [--body-timeout-ms N] \
        [--write-timeout-ms N] [--linger-timeout-ms N]";
}

/// A flag's value in milliseconds.
pub fn millis(flag: &str, value: &str) -> Result<Duration, String> {
    eventcore_workers::example::number(flag, value).map(|n| Duration::from_millis(n as u64))
}

/// The lists, one per kind of deadline. A new connection that has sent
/// nothing waits on its own list, with the idle timeout: it is never the
/// one closed to make room at the connection limit (its request may be on
/// the way), which takes the front of `IDLE`.
const IDLE: usize = 0;
const HEAD: usize = 1;
const BODY: usize = 2;
const WRITE: usize = 3;
const LINGER: usize = 4;
const FRESH: usize = 5;
const KINDS: usize = 6;

// ANCHOR: deadlines
/// One worker's deadlines.
#[derive(Debug, Clone)]
pub struct Deadlines {
    timeouts: Timeouts,
    lists: SlotLists<KINDS>,
    /// Per slot: when its deadline is, and what the connection last
    /// reported (to tell progress and a new request from a repeat).
    marks: Vec<Mark>,
    /// Deadlines are kept as nanoseconds since this instant: 8 bytes.
    epoch: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    at: u64,
    moved: u64,
    answered: u32,
    /// The connection the mark is for, and the kind of its deadline
    /// (`NONE`: no deadline). Kept while the connection is away on the
    /// pool, so that a trip there does not start a head's deadline again.
    generation: u32,
    kind: u8,
}

const NONE: u8 = u8::MAX;

const UNMARKED: Mark = Mark {
    at: 0,
    moved: 0,
    answered: 0,
    generation: 0,
    kind: NONE,
};
// ANCHOR_END: deadlines

impl Deadlines {
    /// No deadlines yet, with room for slots `0..slots`.
    pub fn new(timeouts: Timeouts, slots: usize) -> Deadlines {
        Deadlines {
            timeouts,
            lists: SlotLists::with_capacity(slots),
            marks: vec![UNMARKED; slots],
            epoch: Instant::now(),
        }
    }

    /// Connections with a deadline.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// When `token`'s deadline is, if it has one.
    pub fn deadline(&self, token: Token) -> Option<Instant> {
        self.lists.list_of(token)?;
        let at = self.marks[token.slot_and_generation().0].at;
        Some(self.epoch + Duration::from_nanos(at))
    }

    fn nanos(&self, instant: Instant) -> u64 {
        instant.saturating_duration_since(self.epoch).as_nanos() as u64
    }

    fn duration(&self, kind: usize) -> Duration {
        let t = &self.timeouts;
        [t.idle, t.head, t.body, t.write, t.linger, t.idle][kind]
    }
}

/// The list a connection's deadline goes on; `None` for one away on the
/// pool, which its handler has, not a timer.
fn kind_of(report: &Report) -> Option<usize> {
    match report.phase {
        Phase::Idle if report.moved == 0 => Some(FRESH),
        Phase::Idle => Some(IDLE),
        Phase::Head => Some(HEAD),
        Phase::Body => Some(BODY),
        Phase::Writing => Some(WRITE),
        Phase::Lingering => Some(LINGER),
        Phase::Away => None,
    }
}

fn expiry(kind: usize) -> Expiry {
    match kind {
        HEAD | BODY => Expiry::Answer(408),
        _ => Expiry::Close,
    }
}

// ANCHOR: update
impl Timers for Deadlines {
    fn update(&mut self, token: Token, report: &Report, now: Instant) {
        // Away on the pool: its handler has it. The deadline stays (a
        // trip to the pool per byte must not start a head's again); if it
        // passes meanwhile, the worker leaves the connection alone.
        let Some(kind) = kind_of(report) else {
            return;
        };
        let (slot, generation) = token.slot_and_generation();
        if slot >= self.marks.len() {
            self.marks.resize(slot + 1, UNMARKED);
        }
        let mark = self.marks[slot];
        let same = mark.generation == generation && usize::from(mark.kind) == kind;
        let progress = report.moved != mark.moved;
        // When a deadline starts again: a head's only with a new request
        // (a byte at a time must not keep it alive), a lingering close's
        // never; the others with every byte moved.
        let rearm = !same
            || match kind {
                HEAD => report.answered != mark.answered,
                LINGER => false,
                _ => progress,
            };
        let at = if rearm {
            // Saturating: a timeout of centuries means never.
            let timeout = u64::try_from(self.duration(kind).as_nanos()).unwrap_or(u64::MAX);
            self.nanos(now).saturating_add(timeout)
        } else {
            mark.at
        };
        self.marks[slot] = Mark {
            at,
            moved: report.moved,
            answered: report.answered,
            generation,
            kind: kind as u8,
        };
        if rearm {
            // A later deadline than any on this list: to its back.
            self.lists.push_back(kind, token);
        } else if self.lists.list_of(token).is_none() {
            // It passed while the connection was away: due now, before
            // any other.
            self.lists.push_front(kind, token);
        }
    }
    // ANCHOR_END: update

    fn remove(&mut self, token: Token) {
        self.lists.remove(token);
        let (slot, generation) = token.slot_and_generation();
        if let Some(mark) = self.marks.get_mut(slot) {
            if mark.generation == generation {
                mark.kind = NONE;
            }
        }
    }

    // ANCHOR: expire
    fn timeout(&mut self, now: Instant) -> Option<Duration> {
        let now = self.nanos(now);
        (0..KINDS)
            .filter_map(|kind| self.lists.front(kind))
            .map(|token| self.marks[token.slot_and_generation().0].at)
            .min()
            .map(|at| Duration::from_nanos(at.saturating_sub(now)))
    }

    fn next_expired(&mut self, now: Instant) -> Option<(Token, Expiry)> {
        let now = self.nanos(now);
        for kind in 0..KINDS {
            let Some(token) = self.lists.front(kind) else {
                continue;
            };
            if self.marks[token.slot_and_generation().0].at <= now {
                self.lists.pop_front(kind);
                return Some((token, expiry(kind)));
            }
        }
        None
    }
    // ANCHOR_END: expire

    fn lingers(&self) -> bool {
        true
    }

    /// The keep-alive connection idle the longest: the front of the idle
    /// list (not of the new connections').
    fn evict(&mut self) -> Option<Token> {
        self.lists.pop_front(IDLE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(phase: Phase, moved: u64, answered: u32) -> Report {
        Report {
            phase,
            moved,
            reading: true,
            answered,
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_trickled_head_keeps_the_deadline_of_its_first_byte() {
        let mut deadlines = Deadlines::new(Timeouts::default(), 0);
        let t0 = Instant::now();
        let a = Token::slot(0, 0);
        deadlines.update(a, &report(Phase::Head, 1, 0), t0);
        for byte in 2..100 {
            deadlines.update(a, &report(Phase::Head, byte, 0), t0 + ms(byte * 50));
        }
        assert_eq!(deadlines.deadline(a), Some(t0 + ms(10_000)));
        // A new request's head starts its own.
        deadlines.update(a, &report(Phase::Head, 200, 1), t0 + ms(6_000));
        assert_eq!(deadlines.deadline(a), Some(t0 + ms(16_000)));
    }

    #[test]
    fn a_body_deadline_moves_with_every_byte() {
        let mut deadlines = Deadlines::new(Timeouts::default(), 0);
        let t0 = Instant::now();
        let a = Token::slot(3, 1);
        deadlines.update(a, &report(Phase::Body, 10, 0), t0);
        deadlines.update(a, &report(Phase::Body, 11, 0), t0 + ms(20_000));
        assert_eq!(deadlines.deadline(a), Some(t0 + ms(50_000)));
        // An event with no progress does not.
        deadlines.update(a, &report(Phase::Body, 11, 0), t0 + ms(40_000));
        assert_eq!(deadlines.deadline(a), Some(t0 + ms(50_000)));
    }

    #[test]
    fn the_soonest_front_sets_the_wait_and_every_due_deadline_expires_in_one_batch() {
        let mut deadlines = Deadlines::new(Timeouts::default(), 0);
        let t0 = Instant::now();
        let idle = Token::slot(0, 0);
        let head = Token::slot(1, 0);
        deadlines.update(idle, &report(Phase::Idle, 40, 1), t0);
        deadlines.update(head, &report(Phase::Head, 5, 0), t0);
        assert_eq!(deadlines.timeout(t0), Some(ms(10_000)));
        assert_eq!(deadlines.next_expired(t0 + ms(9_999)), None);
        let at = t0 + ms(60_000);
        assert_eq!(deadlines.next_expired(at), Some((idle, Expiry::Close)));
        assert_eq!(
            deadlines.next_expired(at),
            Some((head, Expiry::Answer(408)))
        );
        assert_eq!(deadlines.next_expired(at), None);
        assert!(deadlines.is_empty());
        assert_eq!(deadlines.timeout(at), None);
    }
}
