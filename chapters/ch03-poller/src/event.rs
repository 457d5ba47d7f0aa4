//! The plain data that goes into and comes out of a [`Poller`](crate::Poller).

// ANCHOR: token
/// What the caller gets back with an event instead of an fd.
///
/// The caller chooses it at registration; the poller hands it back untouched.
/// The seed keys a callback map by fd, but an fd number is reused as soon as
/// it is closed, so an event queued for a closed connection can reach the
/// new connection that got the same number. A token can carry a slot index
/// *and* a generation (see `echo`), which a reused slot does not share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token(pub u64);
// ANCHOR_END: token

// ANCHOR: slot_token
impl Token {
    /// The token of a connection kept in slot `slot` of a table, during
    /// the slot's `generation`-th use: the generation in the high 32 bits,
    /// the slot in the low 32.
    pub fn slot(slot: usize, generation: u32) -> Token {
        Token((u64::from(generation) << 32) | slot as u64)
    }

    /// The slot and generation that [`Token::slot`] packed.
    pub fn slot_and_generation(self) -> (usize, u32) {
        ((self.0 & 0xffff_ffff) as usize, (self.0 >> 32) as u32)
    }
}
// ANCHOR_END: slot_token

// ANCHOR: interest
/// Which readiness the caller wants to hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interest {
    pub readable: bool,
    pub writable: bool,
}

impl Interest {
    pub const NONE: Interest = Interest {
        readable: false,
        writable: false,
    };
    pub const READABLE: Interest = Interest {
        readable: true,
        writable: false,
    };
    pub const WRITABLE: Interest = Interest {
        readable: false,
        writable: true,
    };
    pub const BOTH: Interest = Interest {
        readable: true,
        writable: true,
    };

    /// The interests in `self` that are not in `other`.
    pub fn without(self, other: Interest) -> Interest {
        Interest {
            readable: self.readable && !other.readable,
            writable: self.writable && !other.writable,
        }
    }

    /// The interests in either.
    pub fn union(self, other: Interest) -> Interest {
        Interest {
            readable: self.readable || other.readable,
            writable: self.writable || other.writable,
        }
    }
}

/// When readiness is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// On every wait while the fd is ready (poll(2)'s only mode, epoll's default).
    Level,
    /// Once per change to ready; the caller must then go on until `WouldBlock`.
    Edge,
}

/// How a registration reports: the trigger, and whether it disarms itself
/// after one event until [`Poller::reregister`](crate::Poller::reregister).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    pub trigger: Trigger,
    pub oneshot: bool,
}

impl Mode {
    pub const LEVEL: Mode = Mode {
        trigger: Trigger::Level,
        oneshot: false,
    };
    pub const EDGE: Mode = Mode {
        trigger: Trigger::Edge,
        oneshot: false,
    };
    /// The seed's `EPOLLET | EPOLLONESHOT`.
    pub const EDGE_ONESHOT: Mode = Mode {
        trigger: Trigger::Edge,
        oneshot: true,
    };
    pub const LEVEL_ONESHOT: Mode = Mode {
        trigger: Trigger::Level,
        oneshot: true,
    };
}
// ANCHOR_END: interest

// ANCHOR: event
/// One readiness report: which registration, and what it is ready for.
///
/// `readable` is also set on a hang-up, so that a caller who only reads
/// still finds out (its read returns 0). `read_closed` says the peer will
/// send nothing more (`EPOLLRDHUP` or a hang-up). `error` says a pending
/// error waits in `SO_ERROR`; an error alone sets only `error`, so a caller
/// should read (and see the error) on `readable || error`, as `echo` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub token: Token,
    pub readable: bool,
    pub writable: bool,
    pub read_closed: bool,
    pub error: bool,
}
// ANCHOR_END: event
