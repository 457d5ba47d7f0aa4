//! What a Buffer costs, measured: memory per idle connection, and how often
//! `read_from_fd` has to take the 64 KiB stack spill (and copy out of it)
//! for typical traffic over TCP on 127.0.0.1.
//!
//! ```text
//! cargo run --release -p ch02-buffer --example buffer_facts
//! ```

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use eventcore_buffer::{Buffer, INITIAL_SIZE, PREPEND};

/// A browser-like request head of about 400 bytes.
fn request_head(body_len: usize) -> Vec<u8> {
    let mut head = Vec::new();
    write!(
        head,
        "POST /api/items?page=3 HTTP/1.1\r\nHost: localhost:8080\r\n\
         User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
         Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
         Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n\
         Cookie: session=0123456789abcdef0123456789abcdef\r\n\
         Content-Length: {body_len}\r\n\r\n"
    )
    .expect("write to Vec");
    head
}

/// One traffic shape: `rounds` times, the client sends `batch` requests
/// with bodies of `body` bytes, and the server reads until it has them all.
struct Scenario {
    name: &'static str,
    rounds: usize,
    batch: usize,
    body: usize,
}

#[derive(Default)]
struct Counts {
    reads: usize,
    spills: usize,
    spilled_bytes: usize,
    bytes: usize,
    peak_allocated: usize,
}

fn run(s: &Scenario) -> io::Result<Counts> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (mut server, _) = listener.accept()?;
    let mut message = Vec::new();
    for _ in 0..s.batch {
        message.extend(request_head(s.body));
        message.extend(std::iter::repeat_n(b'b', s.body));
    }
    let (rounds, len) = (s.rounds, message.len());
    let sender = thread::spawn(move || -> io::Result<()> {
        let mut ack = [0u8; 1];
        for _ in 0..rounds {
            client.write_all(&message)?;
            // Wait for the server, as a keep-alive client waits for its response.
            io::Read::read_exact(&mut client, &mut ack)?;
        }
        Ok(())
    });

    // What read_from_fd would allocate on its first call anyway; allocating
    // it here keeps that first call from counting as a spill.
    let mut buf = Buffer::with_capacity(INITIAL_SIZE);
    let mut c = Counts::default();
    for _ in 0..s.rounds {
        let mut got = 0;
        while got < len {
            let writable = buf.writable_bytes();
            let n = buf.read_from_fd(&server)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            c.reads += 1;
            if n > writable {
                c.spills += 1;
                c.spilled_bytes += n - writable;
            }
            got += n;
        }
        c.bytes += got;
        c.peak_allocated = c.peak_allocated.max(buf.allocated_bytes());
        // The parser consumed everything: both indices go back to the front.
        buf.retrieve_all();
        server.write_all(b"k")?;
    }
    sender.join().expect("sender thread")?;
    Ok(c)
}

fn main() -> io::Result<()> {
    println!("memory");
    println!(
        "  size_of::<Buffer>()            {} bytes",
        size_of::<Buffer>()
    );
    let mut buf = Buffer::new();
    println!(
        "  heap of Buffer::new()          {} bytes",
        buf.allocated_bytes()
    );
    buf.append(b"x");
    println!(
        "  heap after the first write     {} bytes (PREPEND {PREPEND} + INITIAL_SIZE {INITIAL_SIZE})",
        buf.allocated_bytes()
    );
    buf.retrieve_all();
    buf.release();
    println!(
        "  heap after release()           {} bytes",
        buf.allocated_bytes()
    );
    println!(
        "  seed: 4 KiB read + 4 KiB write buffer per connection = {} bytes",
        2 * 4096
    );

    let scenarios = [
        Scenario {
            name: "GET-sized request, one at a time",
            rounds: 10_000,
            batch: 1,
            body: 0,
        },
        Scenario {
            name: "16 pipelined requests per round",
            rounds: 2_000,
            batch: 16,
            body: 0,
        },
        Scenario {
            name: "POST with a 16 KiB body",
            rounds: 2_000,
            batch: 1,
            body: 16 * 1024,
        },
        Scenario {
            name: "POST with a 1 MiB body",
            rounds: 50,
            batch: 1,
            body: 1 << 20,
        },
    ];
    println!();
    println!(
        "{:<36} {:>8} {:>8} {:>7} {:>13} {:>11}",
        "traffic (TCP, 127.0.0.1)", "reads", "spills", "spill %", "copied/byte", "peak heap"
    );
    for s in &scenarios {
        let c = run(s)?;
        println!(
            "{:<36} {:>8} {:>8} {:>6.2}% {:>12.4} {:>10}B",
            s.name,
            c.reads,
            c.spills,
            100.0 * c.spills as f64 / c.reads as f64,
            c.spilled_bytes as f64 / c.bytes as f64,
            c.peak_allocated
        );
    }
    Ok(())
}
