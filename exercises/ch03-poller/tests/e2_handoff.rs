//! Tests for exercise 2. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use std::collections::HashSet;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use ch03_poller_exercises::e2_handoff::handoff;

const SOCKETS: usize = 8;
const MESSAGES: usize = 100;
const SIZE: usize = 100;

#[test]
fn no_socket_is_handled_by_two_threads_at_once_and_no_byte_is_lost() {
    let pairs: Vec<(UnixStream, UnixStream)> =
        (0..SOCKETS).map(|_| UnixStream::pair().unwrap()).collect();
    let (writers, readers): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    for r in &readers {
        r.set_nonblocking(true).unwrap();
    }
    let busy: Vec<AtomicBool> = (0..SOCKETS).map(|_| AtomicBool::new(false)).collect();
    let overlaps = AtomicUsize::new(0);
    let running = AtomicUsize::new(0);
    let max_running = AtomicUsize::new(0);
    let threads = Mutex::new(HashSet::new());

    let handle = |i: usize| -> usize {
        if busy[i].swap(true, Ordering::AcqRel) {
            overlaps.fetch_add(1, Ordering::Relaxed);
        }
        let now = running.fetch_add(1, Ordering::AcqRel) + 1;
        max_running.fetch_max(now, Ordering::Relaxed);
        threads.lock().unwrap().insert(thread::current().id());
        // Take a while, so that more bytes arrive while this thread works.
        thread::sleep(Duration::from_millis(2));
        let mut bytes = 0;
        let mut chunk = [0u8; 4096];
        loop {
            match (&readers[i]).read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => bytes += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("read: {e}"),
            }
        }
        running.fetch_sub(1, Ordering::AcqRel);
        busy[i].store(false, Ordering::Release);
        bytes
    };

    let feeders: Vec<_> = writers
        .into_iter()
        .map(|mut w| {
            thread::spawn(move || {
                for _ in 0..MESSAGES {
                    w.write_all(&[b'm'; SIZE]).unwrap();
                    thread::sleep(Duration::from_micros(300));
                }
                w
            })
        })
        .collect();
    // A lost byte would make handoff wait forever: fail the test binary
    // after a deadline instead of hanging it.
    let finished = Arc::new(AtomicBool::new(false));
    let watchdog = Arc::clone(&finished);
    thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !watchdog.load(Ordering::Acquire) {
            if Instant::now() > deadline {
                eprintln!(
                    "handoff did not return within 60 s: bytes lost or a socket never re-armed"
                );
                std::process::exit(1);
            }
            thread::sleep(Duration::from_millis(50));
        }
    });
    handoff(&readers, 4, SOCKETS * MESSAGES * SIZE, &handle).unwrap();
    finished.store(true, Ordering::Release);
    for f in feeders {
        drop(f.join().unwrap());
    }
    assert_eq!(
        overlaps.load(Ordering::Relaxed),
        0,
        "a socket was handled by two threads at once"
    );
    assert!(
        max_running.load(Ordering::Relaxed) >= 2,
        "the workers never ran in parallel: is everything handled on one thread?"
    );
    assert!(
        threads.lock().unwrap().len() >= 2,
        "only one thread called handle"
    );
}
