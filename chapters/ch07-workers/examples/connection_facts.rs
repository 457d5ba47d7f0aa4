//! What one connection costs in memory while it is idle, part by part:
//! the numbers behind chapter 7's "2.5 KB per idle connection".
//!
//! ```text
//! cargo run -p ch07-workers --example connection_facts
//! ```

use std::mem::size_of;

use eventcore_buffer::{Buffer, INITIAL_SIZE, PREPEND};
use eventcore_http::Parser;
use eventcore_workers::Connection;

fn main() {
    println!(
        "Connection (boxed, one per connection): {} bytes",
        size_of::<Connection>()
    );
    println!("  of which the Parser: {} bytes", size_of::<Parser>());
    println!(
        "  and each of its two Buffers: {} bytes",
        size_of::<Buffer>()
    );
    // A buffer's first allocation, which a small request or response keeps.
    let mut buffer = Buffer::new();
    buffer.append(b"GET /plaintext HTTP/1.1\r\n\r\n");
    println!(
        "a Buffer after its first small request: {} bytes of heap ({PREPEND} + {INITIAL_SIZE})",
        buffer.allocated_bytes()
    );
}
