//! What the seed's `set_nonblocking()` after `accept()` costs: the two
//! `fcntl` calls (`F_GETFL`, then `F_SETFL`) that `accept4` makes unnecessary.
//!
//! ```text
//! cargo run --release -p ch01-sockets --example fcntl_cost
//! ```

use std::io;
use std::time::Instant;

use eventcore_sockets::{Family, SockFlags, Socket};

fn main() -> io::Result<()> {
    const ROUNDS: u32 = 1_000_000;
    let socket = Socket::tcp(Family::V4, SockFlags::BLOCKING)?;
    // Warm up, then time ROUNDS flips; each flip is one F_GETFL and one F_SETFL.
    for i in 0..10_000 {
        socket.set_nonblocking(i % 2 == 0)?;
    }
    let start = Instant::now();
    for i in 0..ROUNDS {
        socket.set_nonblocking(i % 2 == 0)?;
    }
    let per_flip = start.elapsed() / ROUNDS;
    println!("{ROUNDS} set_nonblocking flips: {per_flip:?} each (two fcntl syscalls)");
    Ok(())
}
