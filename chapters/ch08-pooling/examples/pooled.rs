//! The demo application on 127.0.0.1, as the server stands after chapter 8:
//! chapter 7's server with pooling.
//!
//! ```text
//! cargo run --release -p ch08-pooling --example pooled -- --port 8080 --workers 2 --max-connections 10000
//! curl -i http://127.0.0.1:8080/plaintext
//! ```
//!
//! Chapter 7's options, and: `--slots N` (connection slots each worker
//! allocates at start, default 0), `--pool-bytes N` (what each worker's
//! pool keeps, default 262144), `--max-connections N` (per worker, default
//! no limit). Ctrl-C stops it.

use std::process::ExitCode;
use std::time::Duration;

use eventcore_pooling::Pooling;
use eventcore_workers::example;
use eventcore_workers::{Config, Retain, Server, demo};

// ANCHOR: flags
fn main() -> ExitCode {
    example::run(
        Pooling::USAGE,
        Pooling::default(),
        Pooling::flag,
        |config, parts| {
            // Idle connections give their working memory back to the pool.
            let config = Config {
                retain: Retain::Nothing,
                ..config
            };
            Ok((
                Server::start_with(config, demo::app(), parts)?,
                Duration::ZERO,
            ))
        },
    )
}
// ANCHOR_END: flags
