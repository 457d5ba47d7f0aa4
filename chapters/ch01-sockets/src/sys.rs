//! Turning the C convention for errors into Rust's.
//!
//! Every socket syscall reports failure the same way: it returns `-1` and
//! leaves the reason in the thread-local `errno`. These helpers convert that
//! into `io::Result`, so the rest of the crate can use `?`. They are plain
//! functions rather than a macro: each call site keeps its own visible
//! `unsafe` block and the `// SAFETY:` comment that justifies it.
//!
//! They are public because the layers above make syscalls of their own
//! (`readv` in chapter 2, `epoll_wait` in chapter 3) and report errors the
//! same way.

use std::io;

// ANCHOR: cvt
/// Maps the `-1`-and-`errno` convention of an `int`-returning syscall to `io::Result`.
///
/// `io::Error::last_os_error()` reads `errno`, so this must run before any
/// other call that could overwrite it: call it directly on the syscall's result.
pub fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// The same for syscalls that return a byte count (`ssize_t`): `read`, `write`, `send`.
pub fn cvt_len(ret: libc::ssize_t) -> io::Result<usize> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        // A successful byte count is never negative, so the cast is lossless.
        Ok(ret as usize)
    }
}
// ANCHOR_END: cvt

// ANCHOR: retry
/// Calls `f` again while it fails with `EINTR`.
///
/// A signal that arrives while a thread is blocked in `accept` interrupts the
/// call; nothing happened, so the right reaction is to try again. Only
/// operations that are safe to repeat use this (not `connect`, whose second
/// call would report `EALREADY` or `EISCONN` instead).
pub fn retry_on_eintr<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
// ANCHOR_END: retry

// ANCHOR: fd_limit
/// Raises this process's soft limit on open fds (`RLIMIT_NOFILE`) to `want`,
/// or to the hard limit if that is lower, and returns the new soft limit.
///
/// Every connection is an fd, and the soft limit is often 1024 while the
/// hard limit is far higher: a server (or a test with a thousand clients)
/// raises it at start. Never lowers it.
pub fn raise_fd_limit(want: u64) -> io::Result<u64> {
    let (soft, hard) = fd_limits()?;
    let target = want.min(hard);
    if soft < target {
        let limit = libc::rlimit {
            rlim_cur: target,
            rlim_max: hard,
        };
        // SAFETY: setrlimit reads the struct we pass.
        cvt(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) })?;
        return Ok(target);
    }
    Ok(soft)
}

/// This process's soft and hard limits on open fds (`RLIMIT_NOFILE`).
pub fn fd_limits() -> io::Result<(u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct we pass.
    cvt(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) })?;
    Ok((limit.rlim_cur, limit.rlim_max))
}
// ANCHOR_END: fd_limit

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvt_passes_through_success_and_reads_errno_on_failure() {
        assert_eq!(cvt(7).unwrap(), 7);
        // SAFETY: close(-1) touches no memory; it fails with EBADF and sets errno.
        let err = cvt(unsafe { libc::close(-1) }).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));
        assert_eq!(cvt_len(12).unwrap(), 12);
    }

    #[test]
    fn fd_limit_only_goes_up() {
        let now = raise_fd_limit(0).unwrap();
        assert!(now > 0, "raising to 0 leaves the limit as it was");
        assert_eq!(raise_fd_limit(now).unwrap(), now);
    }

    #[test]
    fn retry_repeats_only_interrupted_calls() {
        let mut calls = 0;
        let result = retry_on_eintr(|| {
            calls += 1;
            if calls < 3 {
                Err(io::Error::from_raw_os_error(libc::EINTR))
            } else {
                Ok(calls)
            }
        });
        assert_eq!(result.unwrap(), 3);

        let mut calls = 0;
        let result: io::Result<()> = retry_on_eintr(|| {
            calls += 1;
            Err(io::Error::from_raw_os_error(libc::ECONNABORTED))
        });
        assert_eq!(result.unwrap_err().raw_os_error(), Some(libc::ECONNABORTED));
        assert_eq!(calls, 1);
    }
}
