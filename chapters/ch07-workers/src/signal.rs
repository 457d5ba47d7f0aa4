//! Waiting for Ctrl-C (SIGINT) or SIGTERM without a signal handler.
//!
//! A handler runs in the middle of whatever a thread was doing and may do
//! almost nothing safely. Instead, the main thread blocks both signals
//! before it starts any other thread (threads inherit the mask, so none of
//! them can be interrupted either), and then sleeps in `sigwait`, which
//! returns the signal as an ordinary value. Chapter 9 turns this into a
//! graceful shutdown; here it lets the example stop the server and exit 0.

use std::io;
use std::mem::MaybeUninit;
use std::time::Duration;

/// The set {SIGINT, SIGTERM}.
fn termination_set() -> io::Result<libc::sigset_t> {
    let mut set = MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: sigemptyset initializes the set it is given; sigaddset then
    // only writes into that initialized set, with valid signal numbers.
    unsafe {
        eventcore_sockets::sys::cvt(libc::sigemptyset(set.as_mut_ptr()))?;
        eventcore_sockets::sys::cvt(libc::sigaddset(set.as_mut_ptr(), libc::SIGINT))?;
        eventcore_sockets::sys::cvt(libc::sigaddset(set.as_mut_ptr(), libc::SIGTERM))?;
        Ok(set.assume_init())
    }
}

// ANCHOR: signals
/// Blocks SIGINT and SIGTERM in this thread and every thread it starts
/// afterwards. Call it first in `main`.
pub fn block_termination() -> io::Result<()> {
    let set = termination_set()?;
    // SAFETY: `set` is an initialized sigset_t; a null old-set pointer is allowed.
    let rc = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
    // pthread functions return the error number instead of setting errno.
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc));
    }
    Ok(())
}

/// Sleeps until SIGINT or SIGTERM arrives (they must be blocked, see
/// [`block_termination`]) and returns which.
pub fn wait_for_termination() -> io::Result<i32> {
    let set = termination_set()?;
    let mut signal = 0;
    // SAFETY: both pointers are to live, initialized values of the right types.
    let rc = unsafe { libc::sigwait(&set, &mut signal) };
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc));
    }
    Ok(signal)
}

/// Like [`wait_for_termination`], for at most `timeout`: `None` if no
/// signal came.
pub fn wait_for_termination_for(timeout: Duration) -> io::Result<Option<i32>> {
    let set = termination_set()?;
    let time = libc::timespec {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_nsec: libc::c_long::from(timeout.subsec_nanos() as i32),
    };
    loop {
        // SAFETY: the set and the timespec are live and initialized; a
        // null siginfo pointer is allowed.
        let rc = unsafe { libc::sigtimedwait(&set, std::ptr::null_mut(), &time) };
        if rc >= 0 {
            return Ok(Some(rc));
        }
        let error = io::Error::last_os_error();
        match error.raw_os_error() {
            Some(libc::EAGAIN) => return Ok(None),
            // Another signal's handler interrupted the wait.
            Some(libc::EINTR) => continue,
            _ => return Err(error),
        }
    }
}
// ANCHOR_END: signals
