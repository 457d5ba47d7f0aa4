//! Edge- versus level-triggered, and epoll versus poll(2): the server's CPU
//! time for the same echo load.
//!
//! The echo server runs on a thread pinned to CPU 0; one client thread
//! pinned to CPU 1 keeps `conns` connections busy with 64-byte ping-pong
//! messages until `messages` round trips are done. The server thread's own
//! user and system time (`getrusage(RUSAGE_THREAD)`) divided by the round
//! trips is the number to compare. `--idle N` adds N connections that stay
//! silent, which costs poll(2) on every wait and epoll nothing.
//!
//! ```text
//! cargo run --release -p ch03-poller --example et_vs_lt -- [--conns 64,512] [--messages 200000] [--idle 0] [--runs 3]
//! ```

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use eventcore_poller::echo::{Config, EchoServer, Stats};
use eventcore_poller::{Backend, Event, Interest, Mode, Poller, Token, Trigger};
use eventcore_sockets::Socket;
use eventcore_sockets::sys::raise_fd_limit;

const MESSAGE: [u8; 64] = [b'm'; 64];

/// Pins the calling thread to one CPU, if the machine has it.
fn pin_to_cpu(cpu: usize) {
    // SAFETY: cpu_set_t is a plain bitmask for which all zeroes is valid
    // (the empty set); CPU_SET and sched_setaffinity only touch that mask.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        // Failure (a machine with one CPU) leaves the thread unpinned, which is still a measurement.
        libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set);
    }
}

/// CPU time of the calling thread so far: (user, system).
fn thread_cpu() -> (Duration, Duration) {
    // SAFETY: rusage is a plain C struct for which all zeroes is valid;
    // getrusage fills it for the calling thread.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
        usage
    };
    let time = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000);
    (time(usage.ru_utime), time(usage.ru_stime))
}

struct Client {
    stream: TcpStream,
    /// Bytes of the current echo received so far.
    got: usize,
    /// Round trips still to do.
    left: usize,
}

/// Drives `conns` ping-pong connections until `messages` round trips are done.
fn drive(addr: SocketAddr, conns: usize, messages: usize) -> io::Result<Duration> {
    pin_to_cpu(1);
    let mut poller = Poller::new(Backend::Epoll)?;
    let mut clients = Vec::with_capacity(conns);
    for i in 0..conns {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_nonblocking(true)?;
        poller.register(&stream, Token(i as u64), Interest::READABLE, Mode::LEVEL)?;
        let left = messages / conns + usize::from(i < messages % conns);
        clients.push(Client {
            stream,
            got: 0,
            left,
        });
    }
    let start = Instant::now();
    let mut active = 0;
    for client in clients.iter_mut().filter(|c| c.left > 0) {
        client.stream.write_all(&MESSAGE)?;
        active += 1;
    }
    let mut events: Vec<Event> = Vec::new();
    let mut scratch = [0u8; 4096];
    while active > 0 {
        poller.wait(&mut events, Some(Duration::from_secs(10)))?;
        if events.is_empty() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "no echo for 10 s"));
        }
        for event in &events {
            let client = &mut clients[event.token.0 as usize];
            loop {
                match client.stream.read(&mut scratch) {
                    Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                    Ok(n) => client.got += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
            while client.got >= MESSAGE.len() && client.left > 0 {
                client.got -= MESSAGE.len();
                client.left -= 1;
                if client.left == 0 {
                    active -= 1;
                } else {
                    // 64 bytes into an empty socket buffer: always taken whole.
                    client.stream.write_all(&MESSAGE)?;
                }
            }
        }
    }
    Ok(start.elapsed())
}

struct Run {
    elapsed: Duration,
    user: Duration,
    system: Duration,
    stats: Stats,
}

fn run_once(config: Config, conns: usize, idle: usize, messages: usize) -> io::Result<Run> {
    let listener = Socket::listen_on(&"127.0.0.1:0".parse().expect("address"), 4096)?;
    let mut server = EchoServer::new(listener, config)?;
    let addr = server.local_addr()?;
    let stop = server.stop_handle();
    let server = thread::spawn(move || {
        pin_to_cpu(0);
        let before = thread_cpu();
        let stats = server.run();
        let after = thread_cpu();
        stats.map(|s| (s, after.0 - before.0, after.1 - before.1))
    });
    let idlers: Vec<TcpStream> = (0..idle)
        .map(|_| TcpStream::connect(addr))
        .collect::<Result<_, _>>()?;
    let elapsed = drive(addr, conns, messages);
    drop(idlers);
    stop.stop()?;
    let (stats, user, system) = server.join().expect("server thread")?;
    Ok(Run {
        elapsed: elapsed?,
        user,
        system,
        stats,
    })
}

fn main() -> io::Result<()> {
    let mut conns_list = vec![64, 512];
    let mut messages = 200_000;
    let mut idle = 0;
    let mut runs = 3;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_default();
        let bad = |_| io::Error::new(io::ErrorKind::InvalidInput, format!("bad value for {arg}"));
        match arg.as_str() {
            "--conns" => {
                conns_list = value
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .map_err(bad)?
            }
            "--messages" => messages = value.parse().map_err(bad)?,
            "--idle" => idle = value.parse().map_err(bad)?,
            "--runs" => runs = value.parse().map_err(bad)?,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("unknown option {arg}"),
                ));
            }
        }
    }
    raise_fd_limit(2 * (conns_list.iter().max().copied().unwrap_or(0) + idle) as u64 + 100)?;

    println!(
        "{messages} round trips of 64 bytes per run; median of {runs} runs by server CPU; {idle} idle connections"
    );
    println!(
        "{:<14} {:>6} {:>10} {:>9} {:>9} {:>9} {:>10} {:>10} {:>10}",
        "backend",
        "conns",
        "trips/s",
        "user µs",
        "sys µs",
        "cpu µs",
        "waits/trip",
        "evts/wait",
        "calls/trip"
    );
    let config = |backend, trigger, stop_at_short_read| Config {
        backend,
        trigger,
        stop_at_short_read,
        ..Config::default()
    };
    let configs = [
        (config(Backend::Epoll, Trigger::Edge, false), "epoll edge"),
        (config(Backend::Epoll, Trigger::Level, false), "epoll level"),
        (config(Backend::Epoll, Trigger::Edge, true), "epoll edge s"),
        (
            config(Backend::Epoll, Trigger::Level, true),
            "epoll level s",
        ),
        (config(Backend::Poll, Trigger::Level, false), "poll level"),
        (config(Backend::Poll, Trigger::Edge, false), "poll edge*"),
    ];
    for &conns in &conns_list {
        for &(config, name) in &configs {
            let mut results = (0..runs)
                .map(|_| run_once(config, conns, idle, messages))
                .collect::<io::Result<Vec<Run>>>()?;
            results.sort_by_key(|r| r.user + r.system);
            let r = &results[results.len() / 2];
            let trips = messages as f64;
            let s = &r.stats;
            let calls = s.waits + s.reads + s.sends + s.reregisters;
            println!(
                "{:<14} {:>6} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>10.3} {:>10.1} {:>10.2}",
                name,
                conns,
                trips / r.elapsed.as_secs_f64(),
                r.user.as_secs_f64() * 1e6 / trips,
                r.system.as_secs_f64() * 1e6 / trips,
                (r.user + r.system).as_secs_f64() * 1e6 / trips,
                s.waits as f64 / trips,
                s.events as f64 / s.waits as f64,
                calls as f64 / trips,
            );
        }
    }
    println!("s: a short read ends a read burst (stop_at_short_read)");
    println!("* poll(2) has no edges: edge mode is emulated (see the poll module)");
    Ok(())
}
