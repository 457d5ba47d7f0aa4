//! The Poller's contract, checked against both backends by the same code:
//! each test is a function taking a `Backend`, and the macro at the bottom
//! runs it once with epoll and once with poll(2).

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use eventcore_poller::{Backend, Event, Interest, Mode, Poller, Token, Waker, WakerKind};
use eventcore_sockets::sys::raise_fd_limit;

const T: Token = Token(42);
const SHORT: Option<Duration> = Some(Duration::from_millis(200));
const NOW: Option<Duration> = Some(Duration::ZERO);

fn pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().expect("socketpair");
    a.set_nonblocking(true).expect("nonblocking");
    b.set_nonblocking(true).expect("nonblocking");
    (a, b)
}

/// Waits once and returns the events.
fn wait(poller: &mut Poller, timeout: Option<Duration>) -> Vec<Event> {
    let mut events = Vec::new();
    poller.wait(&mut events, timeout).expect("wait");
    events
}

/// Reads until `WouldBlock`; returns the bytes read.
fn drain(sock: &mut UnixStream) -> usize {
    let mut total = 0;
    let mut chunk = [0u8; 4096];
    loop {
        match sock.read(&mut chunk) {
            Ok(0) => return total,
            Ok(n) => total += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return total,
            Err(e) => panic!("read: {e}"),
        }
    }
}

fn level_reports_on_every_wait_until_drained(backend: Backend) {
    let mut poller = Poller::new(backend).unwrap();
    let (mut a, mut b) = pair();
    poller
        .register(&b, T, Interest::READABLE, Mode::LEVEL)
        .unwrap();
    assert!(wait(&mut poller, NOW).is_empty(), "nothing to read yet");
    a.write_all(b"ping").unwrap();
    for _ in 0..3 {
        let events = wait(&mut poller, SHORT);
        assert_eq!(events.len(), 1);
        assert!(events[0].readable && events[0].token == T);
    }
    assert_eq!(drain(&mut b), 4);
    assert!(wait(&mut poller, NOW).is_empty());
}

// ANCHOR: edge_test
fn edge_reports_once_per_edge(backend: Backend) {
    let mut poller = Poller::new(backend).unwrap();
    let (mut a, mut b) = pair();
    poller
        .register(&b, T, Interest::READABLE, Mode::EDGE)
        .unwrap();
    a.write_all(b"one").unwrap();
    assert_eq!(
        wait(&mut poller, SHORT).len(),
        1,
        "the edge: no data -> data"
    );
    assert!(
        wait(&mut poller, NOW).is_empty(),
        "data still there, but no new edge"
    );

    // The contract: read until WouldBlock, then say so.
    assert_eq!(drain(&mut b), 3);
    poller.drained(&b, Interest::READABLE);
    assert!(wait(&mut poller, NOW).is_empty());

    a.write_all(b"two").unwrap();
    let events = wait(&mut poller, SHORT);
    assert_eq!(events.len(), 1, "new data after WouldBlock: a new edge");
    assert!(events[0].readable);
}
// ANCHOR_END: edge_test

// ANCHOR: oneshot_test
fn oneshot_stays_silent_until_rearmed(backend: Backend) {
    let mut poller = Poller::new(backend).unwrap();
    let (mut a, b) = pair();
    poller
        .register(&b, T, Interest::READABLE, Mode::EDGE_ONESHOT)
        .unwrap();
    a.write_all(b"first").unwrap();
    assert_eq!(wait(&mut poller, SHORT).len(), 1);
    // More data arrives while "another thread" handles the first event:
    // one-shot keeps it from being reported to a second thread.
    a.write_all(b"second").unwrap();
    assert!(wait(&mut poller, Some(Duration::from_millis(50))).is_empty());
    // Re-arming reports what is pending at once.
    poller
        .reregister(&b, T, Interest::READABLE, Mode::EDGE_ONESHOT)
        .unwrap();
    let events = wait(&mut poller, SHORT);
    assert_eq!(events.len(), 1);
    assert!(events[0].readable);
    assert!(wait(&mut poller, NOW).is_empty(), "disarmed again");
}
// ANCHOR_END: oneshot_test

fn writable_is_reported_for_a_socket_with_room(backend: Backend) {
    let mut poller = Poller::new(backend).unwrap();
    let (a, _b) = pair();
    poller
        .register(&a, T, Interest::WRITABLE, Mode::LEVEL)
        .unwrap();
    let events = wait(&mut poller, SHORT);
    assert_eq!(events.len(), 1);
    assert!(events[0].writable && !events[0].readable);
    // Changing the interest to readable only: nothing to read, so silence.
    poller
        .reregister(&a, T, Interest::READABLE, Mode::LEVEL)
        .unwrap();
    assert!(wait(&mut poller, NOW).is_empty());
}

fn peer_close_is_readable_and_read_closed(backend: Backend) {
    let mut poller = Poller::new(backend).unwrap();
    let (a, b) = pair();
    poller
        .register(&b, T, Interest::READABLE, Mode::LEVEL)
        .unwrap();
    drop(a);
    let events = wait(&mut poller, SHORT);
    assert_eq!(events.len(), 1);
    assert!(events[0].readable && events[0].read_closed);
}

fn hangup_alone_is_reported_once_in_edge_mode(backend: Backend) {
    // Watching for nothing still reports errors and hang-ups (epoll always
    // does); edge mode reports them once, not on every wait.
    let mut poller = Poller::new(backend).unwrap();
    let (a, b) = pair();
    poller.register(&b, T, Interest::NONE, Mode::EDGE).unwrap();
    drop(a);
    let events = wait(&mut poller, SHORT);
    assert_eq!(events.len(), 1);
    assert!(events[0].read_closed);
    assert!(wait(&mut poller, NOW).is_empty(), "the same hang-up again");
}

fn timeout_returns_no_events_after_the_timeout(backend: Backend) {
    let mut poller = Poller::new(backend).unwrap();
    let (_a, b) = pair();
    poller
        .register(&b, T, Interest::READABLE, Mode::LEVEL)
        .unwrap();
    let start = Instant::now();
    assert!(wait(&mut poller, Some(Duration::from_millis(30))).is_empty());
    assert!(start.elapsed() >= Duration::from_millis(30));
}

fn registration_errors_match_epoll(backend: Backend) {
    let mut poller = Poller::new(backend).unwrap();
    let (a, b) = pair();
    poller
        .register(&a, T, Interest::READABLE, Mode::LEVEL)
        .unwrap();
    let twice = poller
        .register(&a, T, Interest::READABLE, Mode::LEVEL)
        .unwrap_err();
    assert_eq!(twice.kind(), io::ErrorKind::AlreadyExists);
    let unknown = poller.deregister(&b).unwrap_err();
    assert_eq!(unknown.kind(), io::ErrorKind::NotFound);
    let unknown = poller
        .reregister(&b, T, Interest::READABLE, Mode::LEVEL)
        .unwrap_err();
    assert_eq!(unknown.kind(), io::ErrorKind::NotFound);
}

fn deregistered_fds_are_silent_and_others_keep_their_tokens(backend: Backend) {
    let mut poller = Poller::new(backend).unwrap();
    let socks: Vec<_> = (0..5).map(|_| pair()).collect();
    for (i, (_, b)) in socks.iter().enumerate() {
        poller
            .register(b, Token(i as u64), Interest::READABLE, Mode::LEVEL)
            .unwrap();
    }
    // Remove one in the middle (the poll backend moves the last entry into its place).
    poller.deregister(&socks[1].1).unwrap();
    for (a, _) in &socks {
        (&*a).write_all(b"x").unwrap();
    }
    let mut tokens: Vec<u64> = wait(&mut poller, SHORT).iter().map(|e| e.token.0).collect();
    tokens.sort();
    assert_eq!(tokens, [0, 2, 3, 4]);
}

fn waker_interrupts_a_blocked_wait(backend: Backend, kind: WakerKind) {
    const WAKE: Token = Token(7);
    let mut poller = Poller::new(backend).unwrap();
    let waker = Arc::new(Waker::with_kind(kind).unwrap());
    poller
        .register(&*waker, WAKE, Interest::READABLE, Mode::LEVEL)
        .unwrap();

    let remote = Arc::clone(&waker);
    let start = Instant::now();
    let thread = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        remote.wake().unwrap();
        remote.wake().unwrap(); // merged with the first
    });
    // No timeout: only the waker can end this wait.
    let events = wait(&mut poller, None);
    thread.join().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].token, WAKE);
    assert!(start.elapsed() >= Duration::from_millis(50));
    waker.reset().unwrap();
    assert!(
        wait(&mut poller, NOW).is_empty(),
        "reset consumed both wake-ups"
    );
}

fn waker_eventfd(backend: Backend) {
    waker_interrupts_a_blocked_wait(backend, WakerKind::EventFd);
}

fn waker_pipe(backend: Backend) {
    waker_interrupts_a_blocked_wait(backend, WakerKind::Pipe);
}

fn many_ready_fds_all_come_out(backend: Backend) {
    let mut poller = Poller::new(backend).unwrap();
    let socks: Vec<_> = (0..100).map(|_| pair()).collect();
    for (i, (a, b)) in socks.iter().enumerate() {
        poller
            .register(b, Token(i as u64), Interest::READABLE, Mode::EDGE)
            .unwrap();
        (&*a).write_all(b"x").unwrap();
    }
    // With epoll the array starts at 16 and doubles after each full wait;
    // edge-triggering keeps delivered fds from being reported twice.
    let mut seen = vec![false; socks.len()];
    for _ in 0..20 {
        for event in wait(&mut poller, NOW) {
            assert!(!seen[event.token.0 as usize], "reported twice");
            seen[event.token.0 as usize] = true;
        }
    }
    assert!(seen.iter().all(|&s| s), "every ready fd is reported");
}

macro_rules! for_both_backends {
    ($($test:ident),* $(,)?) => {
        mod epoll {
            use eventcore_poller::Backend;
            $( #[test] fn $test() { super::$test(Backend::Epoll) } )*
        }
        mod poll {
            use eventcore_poller::Backend;
            $( #[test] fn $test() { super::$test(Backend::Poll) } )*
        }
    };
}

for_both_backends!(
    level_reports_on_every_wait_until_drained,
    edge_reports_once_per_edge,
    oneshot_stays_silent_until_rearmed,
    writable_is_reported_for_a_socket_with_room,
    peer_close_is_readable_and_read_closed,
    hangup_alone_is_reported_once_in_edge_mode,
    timeout_returns_no_events_after_the_timeout,
    registration_errors_match_epoll,
    deregistered_fds_are_silent_and_others_keep_their_tokens,
    waker_eventfd,
    waker_pipe,
    many_ready_fds_all_come_out,
);

// Backend-specific behaviour.

#[test]
fn epoll_events_array_starts_small_and_grows_when_full() {
    use eventcore_poller::epoll::{Epoll, INITIAL_EVENTS};
    use std::os::fd::AsRawFd;
    let mut epoll = Epoll::new().unwrap();
    let socks: Vec<_> = (0..100).map(|_| pair()).collect();
    for (i, (a, b)) in socks.iter().enumerate() {
        epoll
            .add(
                b.as_raw_fd(),
                Token(i as u64),
                Interest::READABLE,
                Mode::LEVEL,
            )
            .unwrap();
        (&*a).write_all(b"x").unwrap();
    }
    assert_eq!(epoll.capacity(), INITIAL_EVENTS);
    let mut events = Vec::new();
    let mut sizes = Vec::new();
    for _ in 0..4 {
        events.clear();
        sizes.push(epoll.wait(&mut events, NOW).unwrap());
    }
    // Level-triggered, all 100 stay ready: each full wait doubles the array.
    assert_eq!(sizes, [16, 32, 64, 100]);
    assert_eq!(epoll.capacity(), 128);
}

#[test]
fn epoll_edge_reports_new_data_even_before_wouldblock() {
    // The kernel counts each arrival as an edge; the poll(2) emulation can't
    // see arrivals and waits for `drained`. Within the contract ("read
    // until WouldBlock") the two agree; outside it, this is the difference.
    let mut poller = Poller::new(Backend::Epoll).unwrap();
    let (mut a, b) = pair();
    poller
        .register(&b, T, Interest::READABLE, Mode::EDGE)
        .unwrap();
    a.write_all(b"one").unwrap();
    assert_eq!(wait(&mut poller, SHORT).len(), 1);
    a.write_all(b"two").unwrap();
    assert_eq!(wait(&mut poller, SHORT).len(), 1);
}

#[test]
fn poll_backend_watches_fds_above_fd_setsize() {
    // select(2) can't: its fd_set is a bitmap of FD_SETSIZE = 1024 bits.
    const HIGH: libc::c_int = 1500;
    assert!(raise_fd_limit(HIGH as u64 + 1).unwrap() > HIGH as u64);
    let mut poller = Poller::new(Backend::Poll).unwrap();
    let (mut a, b) = pair();
    // SAFETY: fcntl(F_DUPFD) duplicates b's open fd to the lowest free number >= HIGH.
    let high = unsafe {
        libc::fcntl(
            std::os::fd::AsRawFd::as_raw_fd(&b),
            libc::F_DUPFD_CLOEXEC,
            HIGH,
        )
    };
    assert!(
        high >= HIGH,
        "dup to a high fd: {}",
        io::Error::last_os_error()
    );
    // SAFETY: `high` is a new fd that nothing else owns.
    let high = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(high) };
    poller
        .register(&high, T, Interest::READABLE, Mode::LEVEL)
        .unwrap();
    a.write_all(b"x").unwrap();
    let events = wait(&mut poller, SHORT);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].token, T);
}
