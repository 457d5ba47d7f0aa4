//! The `eventcore` binary as an operator runs it: it starts, answers,
//! logs in the seed's format, drains on SIGTERM and exits 0; bad
//! configuration exits 2 before anything starts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_eventcore");

#[test]
fn it_serves_logs_and_drains_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("eventcore.log");
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--workers",
            "1",
            "--log-file",
            log.to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    // The line that says where it listens comes once the socket accepts.
    let mut addr = None;
    let mut line = String::new();
    while addr.is_none() && stderr.read_line(&mut line).unwrap() > 0 {
        addr = line
            .split("listening on http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_string);
        line.clear();
    }
    let addr = addr.expect("a 'listening on' line");
    let mut client = TcpStream::connect(&addr).unwrap();
    client
        .write_all(b"GET /users/42 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nuser 42"), "{response}");
    // Our FIN ends the server's lingering close; until then the drain
    // would wait for it (up to linger_timeout_sec).
    drop(client);
    // SAFETY: kill only sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let logged = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = logged.lines().collect();
    assert!(
        lines.iter().any(|l| l.ends_with("[INFO] stopped")),
        "{logged}"
    );
    for line in lines {
        // `2026-12-02 19:04:16 [INFO] message`
        let b = line.as_bytes();
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
        assert!(digits.iter().all(|&i| b[i].is_ascii_digit()), "{line}");
        assert_eq!(
            (b[4], b[7], b[10], b[13], b[16], b[19], b[20]),
            (b'-', b'-', b' ', b':', b':', b' ', b'['),
            "{line}"
        );
        assert!(
            ["[DEBUG] ", "[INFO] ", "[WARN] ", "[ERROR] "]
                .iter()
                .any(|l| line[20..].starts_with(l)),
            "{line}"
        );
    }
}

#[test]
fn bad_configuration_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "port = 8080\nnum_workerz = 2\n").unwrap();
    for args in [
        vec!["--config", config.to_str().unwrap()],
        vec!["--port", "eighty"],
        vec![
            "--log-file",
            dir.path().join("no/such/dir.log").to_str().unwrap(),
        ],
        vec!["--no-such-flag"],
    ] {
        let out = Command::new(BIN).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr
                .lines()
                .next()
                .is_some_and(|l| l.contains("eventcore: ") || l.starts_with("error: ")),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn version_help_and_print_config_exit_0() {
    let version = Command::new(BIN).arg("--version").output().unwrap();
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("eventcore {}", env!("CARGO_PKG_VERSION"))
    );
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--keepalive-timeout-sec <N>"));
    let printed = Command::new(BIN)
        .args(["--print-config", "--port", "9999"])
        .output()
        .unwrap();
    assert_eq!(printed.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&printed.stdout).contains("port = 9999\n"));
}
