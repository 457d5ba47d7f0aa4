//! Tests for exercise 1. They run against the reference solution by default
//! and against your code with `--no-default-features`.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::thread;
use std::time::{Duration, Instant};

use ch03_poller_exercises::e1_deadline::{timeout_until, wait_until};
use eventcore_poller::{Backend, Interest, Mode, Poller, Token};

#[test]
fn timeouts_follow_the_deadline() {
    let now = Instant::now();
    assert_eq!(timeout_until(None, now), None);
    assert_eq!(timeout_until(Some(now), now), Some(Duration::ZERO));
    assert_eq!(
        timeout_until(Some(now), now + Duration::from_secs(1)),
        Some(Duration::ZERO)
    );
    assert_eq!(
        timeout_until(Some(now + Duration::from_millis(250)), now),
        Some(Duration::from_millis(250))
    );
}

#[test]
fn no_events_means_waiting_until_the_deadline() {
    let mut poller = Poller::new(Backend::Epoll).unwrap();
    let mut events = Vec::new();
    let start = Instant::now();
    let deadline = start + Duration::from_millis(60);
    assert_eq!(wait_until(&mut poller, &mut events, deadline).unwrap(), 0);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(60),
        "returned early, after {waited:?}"
    );
    assert!(waited < Duration::from_secs(2), "overslept: {waited:?}");
}

#[test]
fn an_event_ends_the_wait_before_the_deadline() {
    let mut poller = Poller::new(Backend::Epoll).unwrap();
    let (mut a, b) = UnixStream::pair().unwrap();
    poller
        .register(&b, Token(1), Interest::READABLE, Mode::LEVEL)
        .unwrap();
    let writer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        a.write_all(b"x").unwrap();
        a
    });
    let mut events = Vec::new();
    let start = Instant::now();
    let n = wait_until(&mut poller, &mut events, start + Duration::from_secs(10)).unwrap();
    assert_eq!(n, 1);
    assert_eq!(events[0].token, Token(1));
    assert!(start.elapsed() < Duration::from_secs(5));
    drop(writer.join());
}

extern "C" fn ignore_signal(_: libc::c_int) {}

#[test]
fn a_signal_does_not_end_the_wait_early() {
    // SAFETY: sigaction installs a handler that does nothing; all-zero
    // sigaction is valid (empty mask, no SA_RESTART: epoll_wait is never
    // restarted anyway and fails with EINTR).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore_signal as extern "C" fn(libc::c_int) as usize;
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }
    // SAFETY: pthread_self has no preconditions.
    let waiting_thread = unsafe { libc::pthread_self() };
    let signaller = thread::spawn(move || {
        for _ in 0..3 {
            thread::sleep(Duration::from_millis(20));
            // SAFETY: the waiting thread is alive: it joins this thread below.
            unsafe { libc::pthread_kill(waiting_thread, libc::SIGUSR1) };
        }
    });
    let mut poller = Poller::new(Backend::Epoll).unwrap();
    let mut events = Vec::new();
    let start = Instant::now();
    let deadline = start + Duration::from_millis(150);
    assert_eq!(wait_until(&mut poller, &mut events, deadline).unwrap(), 0);
    signaller.join().unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(150),
        "a signal ended the wait after {:?}",
        start.elapsed()
    );
}
