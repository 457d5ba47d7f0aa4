//! Chapter 9's [`Parts`]: chapter 8's pooling, with deadlines.

use eventcore_pooling::{Pool, Pooling};
use eventcore_workers::Parts;

use crate::deadlines::{Deadlines, Timeouts};

// ANCHOR: timed
/// Pooling (chapter 8) and timeouts for every worker of a server. Start
/// the server with `Retain::Nothing`, as for chapter 8.
#[derive(Debug, Clone, Default)]
pub struct Timed {
    pub pooling: Pooling,
    pub timeouts: Timeouts,
}

impl Parts for Timed {
    type Store = Pool;
    type Timers = Deadlines;

    fn store(&self, worker: usize) -> Pool {
        self.pooling.store(worker)
    }

    fn timers(&self, _worker: usize) -> Deadlines {
        Deadlines::new(self.timeouts, self.pooling.slots)
    }

    fn slots(&self) -> usize {
        self.pooling.slots
    }

    fn limit(&self) -> usize {
        self.pooling.max_connections
    }
}
// ANCHOR_END: timed
