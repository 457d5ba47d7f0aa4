//! Graceful shutdown, on the `timed` binary, in both models: on SIGTERM it
//! stops accepting, closes idle connections, lets a request whose body is
//! half sent finish (byte for byte, answered with `Connection: close`),
//! and exits 0; a second signal ends it at once (exit code 1). Every wait is for a condition, bounded by a deadline against
//! hangs.

#[path = "../../ch07-workers/tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};

use support::{HANG, read_to_close, read_until, wait_until};

/// The `timed` server, started by this test, and where it listens.
struct Timed {
    child: Child,
    addr: SocketAddr,
    /// Kept open: the server prints as it drains, and a closed pipe would
    /// make its `println!` fail.
    _stdout: BufReader<ChildStdout>,
}

impl Timed {
    fn start(model: &str, drain_ms: u64) -> Timed {
        let mut child = Command::new(env!("CARGO_BIN_EXE_timed"))
            .args(["--port", "0", "--workers", "1", "--model", model])
            .args(["--drain-ms", &drain_ms.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("timed starts");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        // "listening on http://127.0.0.1:PORT (...)"
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Timed {
            child,
            addr,
            _stdout: stdout,
        }
    }

    fn signal(&self, signal: i32) {
        // SAFETY: kill only sends a signal, to the process this test
        // started (and has not yet waited for).
        let rc = unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        assert_eq!(rc, 0, "kill");
    }

    /// Its exit status, waiting for it at most `HANG`.
    fn exit(&mut self) -> ExitStatus {
        let mut status = None;
        wait_until("the server exits", || {
            status = self.child.try_wait().unwrap();
            status.is_some()
        });
        status.unwrap()
    }

    /// Waits until the server refuses connections: its listener is closed.
    fn wait_for_refusal(&self, model: &str) {
        wait_until(&format!("{model}: the listener closes"), || {
            TcpStream::connect(self.addr).is_err()
        });
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream.set_read_timeout(Some(HANG)).unwrap();
        stream
    }
}

impl Drop for Timed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const BODY: usize = 100_000;

// ANCHOR: drain
#[test]
fn sigterm_drains_a_half_sent_request_to_its_end_and_exits_0() {
    for model in ["seed", "inline"] {
        let mut server = Timed::start(model, 10_000);
        // An idle keep-alive connection.
        let mut idle = server.connect();
        idle.write_all(b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        read_until(&mut idle, b"Hello, World!");
        // A POST whose head the server has read (it says 100 Continue),
        // with half its body sent.
        let body: Vec<u8> = (0..BODY).map(|i| (i % 251) as u8).collect();
        let mut busy = server.connect();
        busy.write_all(
            format!(
                "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {BODY}\r\n\
                 Expect: 100-continue\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
        read_until(&mut busy, b"HTTP/1.1 100 Continue\r\n\r\n");
        busy.write_all(&body[..BODY / 2]).unwrap();
        server.signal(libc::SIGTERM);
        // The idle connection is closed without a word...
        assert_eq!(read_to_close(&mut idle), b"", "{model}");
        // ...new connections are refused, once the listener is closed...
        server.wait_for_refusal(model);
        // ...and the request finishes, byte for byte.
        busy.write_all(&body[BODY / 2..]).unwrap();
        let answer = read_to_close(&mut busy);
        let text = String::from_utf8_lossy(&answer);
        assert!(
            text.starts_with("HTTP/1.1 200 OK\r\n"),
            "{model}: {text:.80}"
        );
        assert!(text.contains("Connection: close\r\n"), "{model}");
        assert!(
            answer.ends_with(&body),
            "{model}: the body came back changed"
        );
        // Our close ends the server's lingering close: the last connection.
        drop(busy);
        assert!(server.exit().success(), "{model}");
    }
}
// ANCHOR_END: drain

#[test]
fn a_second_signal_stops_at_once() {
    for model in ["seed", "inline"] {
        // A drain that would wait 20 s for the busy connection.
        let mut server = Timed::start(model, 20_000);
        let mut busy = server.connect();
        busy.write_all(
            b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n",
        )
        .unwrap();
        read_until(&mut busy, b"HTTP/1.1 100 Continue\r\n\r\n");
        server.signal(libc::SIGTERM);
        // The drain has begun once the listener is closed.
        server.wait_for_refusal(model);
        server.signal(libc::SIGINT);
        let status = server.exit();
        assert_eq!(status.code(), Some(1), "{model}: {status:?}");
    }
}
