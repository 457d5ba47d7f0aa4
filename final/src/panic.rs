//! Panics, logged once each and on one line.
//!
//! Rust's default hook prints a panic to stderr, unformatted, beside the
//! line the router logs for a handler that panicked (chapter 5 catches it
//! and answers 500): twice, and outside the log. [`install`] replaces the
//! hook: a panic inside a handler is the router's to log (it names the
//! method and the path), so the hook only notes where it happened, at
//! debug level; any other panic (a bug in the server, caught by the worker
//! that closes the connection) is logged as an error with its place. The
//! logger escapes control characters, so a message a client influenced
//! cannot forge a line.

use std::cell::Cell;
use std::panic::PanicHookInfo;

thread_local! {
    static IN_HANDLER: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` (a handler) marked as a handler, so that a panic in it is
/// left to the router to log.
pub fn in_handler<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_HANDLER.with(|flag| flag.set(self.0));
        }
    }
    let _reset = Reset(IN_HANDLER.with(|flag| flag.replace(true)));
    f()
}

fn message<'a>(info: &'a PanicHookInfo<'_>) -> &'a str {
    let payload = info.payload();
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a non-string panic")
}

// ANCHOR: hook
/// Replaces the default panic hook with one that logs through `log`.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map_or_else(|| "?".to_string(), |l| format!("{}:{}", l.file(), l.line()));
        if IN_HANDLER.with(Cell::get) {
            log::debug!("a handler panicked at {place}");
        } else {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("a thread");
            log::error!("panic in {name} at {place}: {}", message(info));
        }
    }));
}
// ANCHOR_END: hook
