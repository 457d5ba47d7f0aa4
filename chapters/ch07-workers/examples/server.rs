//! The demo application on 127.0.0.1, as the server stands after chapter 7.
//!
//! ```text
//! cargo run --release -p ch07-workers --example server -- --port 8080 --workers 2 --model inline
//! curl -i http://127.0.0.1:8080/plaintext
//! ```
//!
//! Options: `--port N` (default 8080), `--workers N` (default: one per
//! core), `--model seed|inline` (default inline), `--threads N` (pool
//! threads per worker, default 4). Ctrl-C stops it. Warnings and errors go
//! to stderr ([`example`](eventcore_workers::example)).

use std::process::ExitCode;
use std::time::Duration;

use eventcore_workers::{Server, demo, example};

fn main() -> ExitCode {
    example::run(
        "",
        (),
        |_, _, _| None,
        // Ctrl-C stops at once: no drain (chapter 9 adds one).
        |config, ()| Ok((Server::start(config, demo::app())?, Duration::ZERO)),
    )
}
