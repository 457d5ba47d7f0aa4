//! The `eventcore` binary as an operator runs it: it starts, answers,
//! logs in the seed's format, drains on SIGTERM and exits 0; bad
//! configuration exits 2 before anything starts.

mod support;

use std::process::Command;

use support::{BIN, Started, exchange, get};

#[test]
fn it_serves_logs_and_drains_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("eventcore.log");
    let access = dir.path().join("access.log");
    let mut server = Started::new(&[
        "--port",
        "0",
        "--workers",
        "1",
        "--log-file",
        log.to_str().unwrap(),
        "--access-log",
        access.to_str().unwrap(),
        "--status-path",
        "/status",
    ]);
    let addr = server.listening();
    let response = get(&addr, "/users/42");
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nuser 42"), "{response}");
    // Quotes and obs-text are legal in a field value (RFC 9110 section 5.5).
    let head =
        b"HEAD /plaintext?a=b HTTP/1.0\r\nUser-Agent: UA \"q\" \xff\r\nReferer: http://r/\r\n\r\n";
    let answer = exchange(&addr, head);
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(get(&addr, "/nowhere").starts_with("HTTP/1.1 404 "));
    assert!(exchange(&addr, b"GET / HTTP/9.9\r\n\r\n").starts_with("HTTP/1.1 505 "));
    let status = get(&addr, "/status");
    // The four before it, by class; the scrape counts itself afterwards.
    for line in [
        "eventcore_requests_total 4\n",
        "eventcore_responses_total{class=\"2xx\"} 2\n",
        "eventcore_responses_total{class=\"4xx\"} 1\n",
        "eventcore_responses_total{class=\"5xx\"} 1\n",
        "eventcore_connections_accepted_total 5\n",
    ] {
        assert!(status.contains(line), "{line} in {status}");
    }
    let samples = prometheus_text(status.split("\r\n\r\n").nth(1).unwrap());
    // Earlier connections may still be closing; each open one is counted
    // once, the scrape's own among them.
    let value = |name: &str| samples.iter().find(|(n, _)| n == name).unwrap().1;
    let states: u64 = ["reading", "writing", "idle"]
        .iter()
        .map(|s| value(&format!("eventcore_connections{{state=\"{s}\"}}")))
        .sum();
    assert!(value("eventcore_connections_active") >= 1, "{status}");
    assert_eq!(states, value("eventcore_connections_active"), "{status}");

    server.signal(libc::SIGTERM);
    assert_eq!(server.child.wait().unwrap().code(), Some(0));
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

    // Every line is the Combined Log Format; the fields are what was sent.
    let clf = regex::Regex::new(
        r#"^(\S+) - - \[(\d\d)/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\] "((?:[^"\\]|\\x[0-9A-F]{2})*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\x[0-9A-F]{2})*)" "((?:[^"\\]|\\x[0-9A-F]{2})*)"$"#,
    )
    .unwrap();
    let logged = std::fs::read_to_string(&access).unwrap();
    let rows: Vec<Vec<String>> = logged
        .lines()
        .map(|line| {
            let fields = clf
                .captures(line)
                .unwrap_or_else(|| panic!("not CLF: {line}"));
            [1, 8, 9, 10, 11, 12]
                .map(|i| fields[i].to_string())
                .to_vec()
        })
        .collect();
    let row = |fields: [&str; 6]| fields.map(str::to_string).to_vec();
    assert_eq!(
        rows,
        [
            row(["127.0.0.1", "GET /users/42 HTTP/1.1", "200", "7", "-", "-"]),
            row([
                "127.0.0.1",
                "HEAD /plaintext?a=b HTTP/1.0",
                "200",
                "-",
                "http://r/",
                "UA \\x22q\\x22 \\xFF",
            ]),
            row([
                "127.0.0.1",
                "GET /nowhere HTTP/1.1",
                "404",
                &rows[2][3],
                "-",
                "-"
            ]),
            row(["127.0.0.1", "-", "505", &rows[3][3], "-", "-"]),
            row([
                "127.0.0.1",
                "GET /status HTTP/1.1",
                "200",
                &rows[4][3],
                "-",
                "-"
            ]),
        ]
    );
}

/// Checks `text` against the Prometheus text format (comment lines, and
/// `name{labels} value` samples of metrics announced by a TYPE line), and
/// returns the samples.
fn prometheus_text(text: &str) -> Vec<(String, u64)> {
    let sample = regex::Regex::new(r#"^([a-z_]+)(\{[a-z]+="[a-z0-9]+"\})? (\d+)$"#).unwrap();
    let (mut typed, mut samples) = (Vec::new(), Vec::new());
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(["counter", "gauge"].contains(&kind), "{line}");
            typed.push(name.to_string());
        } else if !line.starts_with("# HELP ") {
            let fields = sample.captures(line).unwrap_or_else(|| panic!("{line}"));
            assert!(typed.contains(&fields[1].to_string()), "{line}");
            let name = line.rsplit_once(' ').unwrap().0.to_string();
            samples.push((name, fields[3].parse().unwrap()));
        }
    }
    assert!(typed.len() >= 8, "{text}");
    samples
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
        vec!["--root", dir.path().join("no-such-root").to_str().unwrap()],
        vec!["--root", config.to_str().unwrap()],
        vec![
            "--access-log",
            dir.path().join("no/such/access.log").to_str().unwrap(),
        ],
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

#[test]
fn root_serves_a_directory_beside_the_demo_routes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<p>served</p>").unwrap();
    let mut server = Started::new(&[
        "--port",
        "0",
        "--workers",
        "1",
        "--root",
        dir.path().to_str().unwrap(),
    ]);
    let addr = server.listening();
    let page = get(&addr, "/");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(
        page.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"),
        "{page}"
    );
    assert!(page.ends_with("<p>served</p>"), "{page}");
    assert!(
        get(&addr, "/plaintext").ends_with("Hello, World!"),
        "routes win"
    );
    assert!(get(&addr, "/../etc/passwd").starts_with("HTTP/1.1 404 "));
    server.signal(libc::SIGTERM);
    assert_eq!(server.child.wait().unwrap().code(), Some(0));
}

/// The seed's `Worker::start` "Spawns 4 worker threads waiting on blocking
/// queue": ours spawns `--threads` (4 by default) per event loop, named so
/// that `top -H` and `/proc/PID/task/*/comm` tell them apart.
#[test]
fn threads_are_one_loop_and_its_pool_per_worker() {
    let thread_names = |args: &[&str]| {
        let mut server = Started::new(&[&["--port", "0"], args].concat());
        let addr = server.listening();
        // Answered: every worker and its pool have been spawned (the
        // builder starts them all before the server reports listening).
        assert!(get(&addr, "/plaintext").ends_with("Hello, World!"));
        let tasks = format!("/proc/{}/task", server.child.id());
        let mut names: Vec<String> = std::fs::read_dir(tasks)
            .unwrap()
            .map(|t| std::fs::read_to_string(t.unwrap().path().join("comm")).unwrap())
            .map(|name| name.trim_end().to_string())
            .collect();
        names.sort();
        server.signal(libc::SIGTERM);
        assert_eq!(server.child.wait().unwrap().code(), Some(0));
        names
    };
    // The names a server should run: `fixed`, and `threads` pool threads
    // for each of `workers` loops.
    let expected = |fixed: &[&str], workers: usize, threads: usize| {
        let mut names: Vec<String> = fixed.iter().map(|n| n.to_string()).collect();
        for w in 0..workers {
            names.push(format!("worker-{w}"));
            names.extend((0..threads).map(|t| format!("worker-{w}-pool-{t}")));
        }
        names.sort();
        names
    };
    // The seed's model, 2 workers of 4 pool threads: the main thread, the
    // accept thread, and a loop with its pool per worker.
    assert_eq!(
        thread_names(&["--workers", "2", "--model", "seed"]),
        expected(&["acceptor", "eventcore"], 2, 4)
    );
    // Inline, one worker, 2 pool threads (for the routes marked blocking):
    // the loop accepts for itself, no accept thread.
    assert_eq!(
        thread_names(&["--workers", "1", "--threads", "2"]),
        expected(&["eventcore"], 1, 2)
    );
}
