//! A gathered write to a vanished peer must return `EPIPE`, not kill the
//! process: the reason `send_vectored` uses `sendmsg(MSG_NOSIGNAL)` and not
//! `writev`. Rust's runtime ignores `SIGPIPE` before `main`, which would hide
//! the difference, so this binary restores the default action (terminate)
//! first; it is a file of its own because signal dispositions are per process.

use std::io::{self, IoSlice};
use std::os::unix::net::UnixStream;

use eventcore_buffer::{Buffer, send_vectored};

#[test]
fn gathered_write_to_a_closed_peer_is_epipe_not_sigpipe() {
    // SAFETY: signal() with SIG_DFL installs no handler code; no other test
    // in this binary depends on SIGPIPE being ignored.
    let previous = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    assert_ne!(previous, libc::SIG_ERR);

    let (local, peer) = UnixStream::pair().unwrap();
    drop(peer);
    let err = send_vectored(&local, &[IoSlice::new(b"head"), IoSlice::new(b"body")]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);

    let mut buf = Buffer::new();
    buf.append(b"HTTP/1.1 200 OK\r\n\r\n");
    let err = buf.send_with(&local, b"body").unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    assert_eq!(
        buf.peek(),
        b"HTTP/1.1 200 OK\r\n\r\n",
        "nothing consumed on error"
    );
}
