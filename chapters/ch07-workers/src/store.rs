//! Where a connection's working memory comes from, and where it goes when
//! the connection no longer needs it.
//!
//! A [`Work`] (two buffers and a parser) is what a connection needs while
//! it reads or answers a request, and nothing else: an idle connection can
//! hand it back, and a closing one does. Chapter 7's [`Heap`] makes each
//! one new and frees what it is given; chapter 8 puts a per-worker pool in
//! its place, so that connections reuse each other's memory and an idle
//! one holds almost none.

use eventcore_http::Limits;

use crate::connection::Work;

// ANCHOR: store
/// A source of working memory for one worker's connections. Only the
/// worker's own thread uses it, so it needs no lock.
pub trait Store {
    /// Working memory for a connection that has none, with a parser that
    /// keeps `limits`.
    fn take(&mut self, limits: Limits) -> Box<Work>;
    /// Working memory a connection no longer needs, cleared
    /// ([`Work::clear`]) but with its storage.
    fn give(&mut self, work: Box<Work>);
}

/// Chapter 7's store: every `Work` is new, every one given back is freed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Heap;

impl Store for Heap {
    fn take(&mut self, limits: Limits) -> Box<Work> {
        Box::new(Work::new(limits))
    }

    fn give(&mut self, work: Box<Work>) {
        drop(work);
    }
}

/// What an idle connection keeps of its working memory (a setting:
/// [`Config::retain`](crate::Config::retain)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Retain {
    /// What small requests need: buffers of up to 16 KiB
    /// ([`KEEP_IDLE`](crate::connection::KEEP_IDLE)) and a field table of up
    /// to 16 lines; anything a large request or response grew is given
    /// back. No allocation per request.
    #[default]
    Small,
    /// Nothing: the whole `Work` goes back to the store between requests.
    /// With [`Heap`] that costs a few allocations per request; with a pool
    /// (chapter 8) it costs none, and an idle connection holds no buffers.
    Nothing,
}
// ANCHOR_END: store
