//! Multi-process mode with two server processes on one port: a killed
//! process is replaced while the other keeps serving, and SIGTERM to the
//! supervisor drains both, after which it exits 0.

mod support;

use support::{LISTENING, Started, address, get, signal_pid, signal_pid_group};

/// The pid in a `process N started: pid P` line.
fn pid(line: &str) -> u32 {
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

fn alive(pid: u32) -> bool {
    // A reaped child's /proc entry is gone; a zombie's says `Z`.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|s| !s.starts_with(" Z"))
    })
}

#[test]
fn two_processes_share_a_port_survive_a_kill_and_drain_on_sigterm() {
    let mut supervisor = Started::new(&["--port", "0", "--processes", "2", "--workers", "1"]);
    // A process may say it listens before the supervisor says it started it.
    let [first, second, listening, also] = supervisor.lines_with([
        "process 0 started: pid ",
        "process 1 started: pid ",
        LISTENING,
        LISTENING,
    ]);
    let (first, second) = (pid(&first), pid(&second));
    let addr = address(&listening);
    assert_eq!(address(&also), addr, "both on one port");
    for _ in 0..20 {
        assert!(get(&addr, "/plaintext").ends_with("Hello, World!"));
    }

    signal_pid(first, libc::SIGKILL);
    // Written once the supervisor has reaped it: its listener is gone.
    let died = supervisor.line_with("(pid ");
    assert!(died.contains("was killed by signal 9"), "{died}");
    // The other process answers every new connection meanwhile.
    for _ in 0..50 {
        assert!(get(&addr, "/plaintext").ends_with("Hello, World!"));
    }
    let [third, listening] = supervisor.lines_with(["process 0 started: pid ", LISTENING]);
    let third = pid(&third);
    assert_eq!(address(&listening), addr);
    assert!(alive(second) && alive(third) && !alive(first));
    for _ in 0..20 {
        assert!(get(&addr, "/plaintext").ends_with("Hello, World!"));
    }

    supervisor.signal(libc::SIGTERM);
    assert_eq!(supervisor.child.wait().unwrap().code(), Some(0));
    assert!(!alive(second) && !alive(third));
}

#[test]
fn ctrl_c_in_a_terminal_drains_every_process_once() {
    let mut supervisor = Started::in_own_group(&["--port", "0", "--processes", "2"]);
    let addr = supervisor.listening();
    supervisor.listening();
    assert!(get(&addr, "/plaintext").ends_with("Hello, World!"));
    // What Ctrl-C does: SIGINT to every process of the foreground group.
    signal_pid_group(supervisor.child.id(), libc::SIGINT);
    assert_eq!(supervisor.child.wait().unwrap().code(), Some(0));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut supervisor.stderr, &mut rest).unwrap();
    // The processes heard only the supervisor's SIGTERM, once.
    assert!(!rest.contains("signal 2: draining for"), "{rest}");
    assert_eq!(rest.matches("signal 15: draining for").count(), 2, "{rest}");
    assert_eq!(rest.matches("[INFO] stopped").count(), 2, "{rest}");
}

#[test]
fn a_server_process_whose_supervisor_is_gone_stops() {
    // What a server process does when it finds that its supervisor died
    // before it could ask to be told: it exits instead of serving alone.
    let out = std::process::Command::new(support::BIN)
        .args(["--port", "0"])
        .env(eventcore::supervisor::SUPERVISOR_ENV, "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the supervisor is gone"));
}
