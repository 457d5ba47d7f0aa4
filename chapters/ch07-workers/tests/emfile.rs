//! Running out of file descriptors. Its own test binary, because it lowers
//! the whole process's fd limit while it runs.

mod support;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use eventcore_sockets::socket::Family;
use eventcore_sockets::{SockFlags, Socket};
use eventcore_workers::{Model, PAUSE, demo};
use support::{Client, MODELS, fd_limit, get, set_fd_limit, start, wait_until};

/// User plus system CPU time of the whole process, in clock ticks (1/100
/// s), from `/proc/self/stat` opened beforehand (opening needs an fd).
fn cpu_ticks(file: &mut File) -> u64 {
    let mut stat = String::new();
    file.seek(SeekFrom::Start(0)).unwrap();
    file.read_to_string(&mut stat).unwrap();
    // Fields after the command name (which is in parentheses): state is
    // field 3, utime field 14, stime field 15.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

// ANCHOR: emfile
#[test]
fn running_out_of_descriptors_pauses_accepting_and_recovers() {
    let original = fd_limit();
    for model in MODELS {
        out_of_descriptors(model);
        set_fd_limit(original);
    }
}

fn out_of_descriptors(model: Model) {
    let server = start(model, demo::app());
    let mut held: Vec<Client> = (0..20).map(|_| Client::connect(&server)).collect();
    for client in &mut held {
        assert_eq!(client.get("/plaintext").status, 200);
    }
    // Ten more clients' sockets, made while fds can still be made.
    let waiting: Vec<Socket> = (0..10)
        .map(|_| Socket::tcp(Family::V4, SockFlags::BLOCKING).unwrap())
        .collect();
    let mut stat = File::open("/proc/self/stat").unwrap();
    // Every fd below the lowest free one is taken: with that as the
    // limit, no new fd can be made, by the clients or by the server.
    let lowest_free = File::open("/dev/null").unwrap().as_raw_fd() as u64;
    set_fd_limit(lowest_free);

    let waiting: Vec<TcpStream> = waiting
        .into_iter()
        .map(|sock| {
            // The kernel completes the handshake into the listen queue;
            // the server's accept4 is what fails, with EMFILE.
            sock.connect(&server.local_addr()).unwrap();
            let mut stream = TcpStream::from(OwnedFd::from(sock));
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream.write_all(get("/plaintext").as_bytes()).unwrap();
            stream
        })
        .collect();
    // The window: from the first failed accept until five more pauses
    // have passed. However long that takes on this machine, a paused
    // server spends almost none of it on the CPU; a spinning one, all.
    wait_until("a failed accept", || server.stats().accept_pauses > 0);
    let (started, before, pauses) = (
        Instant::now(),
        cpu_ticks(&mut stat),
        server.stats().accept_pauses,
    );
    wait_until("five more pauses", || {
        server.stats().accept_pauses >= pauses + 5
    });
    let (window, used) = (started.elapsed(), cpu_ticks(&mut stat) - before);
    // Ticks are 10 ms: allow two of them besides a tenth of the window.
    assert!(
        Duration::from_millis(10 * used) <= window / 10 + Duration::from_millis(20),
        "{model}: {used}0 ms of CPU in {window:?} while out of fds"
    );
    // At most one try per pause and listener (each inline worker has its
    // own; the seed's acceptor is the only one): no retries in between.
    let listeners = match model {
        Model::Inline => server.workers() as u128,
        Model::Seed => 1,
    };
    let tries = server.stats().accept_pauses - pauses;
    assert!(
        tries as u128 <= listeners * (window.as_millis() / PAUSE.as_millis() + 1),
        "{model}: {tries} failed accepts in {window:?}"
    );
    assert_eq!(server.connections(), 20, "{model}: nothing accepted");

    // Descriptors come back: 15 of the first clients leave, the server
    // closes its ends, and the waiting clients get served.
    held.truncate(5);
    for mut stream in waiting {
        let mut answer = [0u8; 17];
        stream.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"HTTP/1.1 200 OK\r\n", "{model}");
    }
    drop(held);
}
// ANCHOR_END: emfile
