//! What the binary's tests share: the `eventcore` binary started as a
//! subprocess, its log lines read as they come, and one-shot requests.

#![allow(dead_code)] // each test binary uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_eventcore");

/// A running `eventcore` and its stderr, read a line at a time.
pub struct Started {
    pub child: Child,
    pub stderr: BufReader<ChildStderr>,
}

impl Started {
    /// Starts the binary with `args`.
    pub fn new(args: &[&str]) -> Started {
        Started::spawn(Command::new(BIN).args(args))
    }

    /// Starts the binary with `args` as a terminal would: leading a process
    /// group of its own, which a Ctrl-C signals as a whole.
    pub fn in_own_group(args: &[&str]) -> Started {
        use std::os::unix::process::CommandExt;
        Started::spawn(Command::new(BIN).args(args).process_group(0))
    }

    fn spawn(command: &mut Command) -> Started {
        let mut child = command.stderr(Stdio::piped()).spawn().unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        Started { child, stderr }
    }

    /// Reads log lines until one contains `what`, and returns it; fails if
    /// the process ends first.
    pub fn line_with(&mut self, what: &str) -> String {
        let mut line = String::new();
        loop {
            line.clear();
            let n = self.stderr.read_line(&mut line).unwrap();
            assert!(n > 0, "the log ended before a line with {what:?}");
            if line.contains(what) {
                return line.trim_end().to_string();
            }
        }
    }

    /// Reads log lines until each of `whats` has been found in one, in any
    /// order: lines of several processes interleave as they happen to run.
    /// The lines, in the order of `whats`; a line fills the first pattern
    /// it contains that is still open (so a pattern may be given twice).
    pub fn lines_with<const N: usize>(&mut self, whats: [&str; N]) -> [String; N] {
        let mut found: [Option<String>; N] = std::array::from_fn(|_| None);
        while found.iter().any(Option::is_none) {
            let mut line = String::new();
            let n = self.stderr.read_line(&mut line).unwrap();
            assert!(n > 0, "the log ended before lines with {whats:?}");
            if let Some(i) = (0..N).find(|&i| found[i].is_none() && line.contains(whats[i])) {
                found[i] = Some(line.trim_end().to_string());
            }
        }
        found.map(Option::unwrap_or_default)
    }

    /// The address of the next `listening on` line (the socket accepts
    /// by the time it is written).
    pub fn listening(&mut self) -> String {
        address(&self.line_with(LISTENING))
    }

    pub fn signal(&self, signal: i32) {
        signal_pid(self.child.id(), signal);
    }
}

/// What a process logs once its socket accepts.
pub const LISTENING: &str = "listening on http://";

/// The address in a `listening on` line.
pub fn address(line: &str) -> String {
    line.split(LISTENING)
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string()
}

impl Drop for Started {
    fn drop(&mut self) {
        // A test that failed midway leaves no server behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Sends `signal` to `pid`, a process this test started.
pub fn signal_pid(pid: u32, signal: i32) {
    // SAFETY: kill only sends a signal, to a process the test started.
    assert_eq!(unsafe { libc::kill(pid as i32, signal) }, 0);
}

/// Sends `signal` to every process of the group `pgid` leads, one this
/// test started.
pub fn signal_pid_group(pgid: u32, signal: i32) {
    // SAFETY: as above; a negative pid names the process group.
    assert_eq!(unsafe { libc::kill(-(pgid as i32), signal) }, 0);
}

/// Sends `request` (which should say `Connection: close`) and reads the
/// whole answer.
pub fn exchange(addr: &str, request: &[u8]) -> String {
    let mut client = TcpStream::connect(addr).unwrap();
    client.write_all(request).unwrap();
    let mut response = Vec::new();
    client.read_to_end(&mut response).unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

/// `GET path` with `Connection: close`.
pub fn get(addr: &str, path: &str) -> String {
    exchange(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}
