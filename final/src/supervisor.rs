//! Multi-process mode (`processes = N`, N > 1): a supervising process
//! starts N server processes on one port and keeps them running.
//!
//! Each server process is this same executable, handed its settings on
//! standard input (`--config -`) with `processes = 1` and the port fixed,
//! and it binds its own `SO_REUSEPORT` listeners: the kernel spreads new
//! connections over every listener of the port, in all processes, by a hash
//! of the connection's addresses. A process that dies takes its own
//! listeners and connections with it; the others go on serving, and the
//! supervisor starts a new one in its place. SIGTERM or SIGINT to the
//! supervisor is passed on to every process, which drains (chapter 9); the
//! supervisor exits 0 once all of them have exited 0. A second signal is
//! passed on too, and stops them at once.
//!
//! This is how one machine goes past one process's file-descriptor limit:
//! each process may open its own (20,000 here). nginx's master and worker
//! processes do the same, with listeners it opens once and shares by fork;
//! separate listeners need no fork and no shared socket.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use eventcore_sockets::socket::Family;
use eventcore_sockets::{SockFlags, Socket};
use eventcore_workers::signal;

use crate::settings::Settings;

/// Set in a server process's environment to the supervisor's pid.
pub const SUPERVISOR_ENV: &str = "EVENTCORE_SUPERVISOR_PID";
/// How often the supervisor looks for processes that died.
const CHECK_EVERY: Duration = Duration::from_millis(50);
/// A process that dies sooner than this after it started is restarted
/// only after this long, so that a process that cannot start (its port
/// taken) is not restarted in a tight loop.
const QUICK_DEATH: Duration = Duration::from_secs(1);
/// Quick deaths in a row after which the supervisor gives up.
const GIVE_UP_AFTER: u32 = 5;

/// One server process.
#[derive(Debug)]
struct Process {
    child: Option<Child>,
    started: Instant,
    /// Quick deaths in a row.
    failures: u32,
    /// When to start it again, after a quick death.
    restart_at: Option<Instant>,
}

// ANCHOR: run
/// Supervises `settings.processes` server processes until a signal has
/// drained them; returns whether every one of them exited 0. SIGINT and
/// SIGTERM must be blocked already ([`signal::block_termination`]).
pub fn run(settings: &Settings) -> io::Result<bool> {
    // Port 0: choose one now, so that every process (and every restarted
    // one) gets the same. The socket is bound and never listens, so it
    // takes no connections, and it holds the port while processes restart.
    let (port, _hold) = match settings.port {
        0 => {
            let addr = SocketAddr::new(settings.host, 0);
            let sock = Socket::tcp(Family::of(&addr), SockFlags::NONBLOCKING)?;
            sock.set_reuseaddr(true)?;
            sock.set_reuseport(true)?;
            sock.bind(&addr)?;
            (sock.local_addr()?.port(), Some(sock))
        }
        port => (port, None),
    };
    let child_settings = Settings {
        processes: 1,
        port,
        ..settings.clone()
    };
    let config = child_settings.to_toml();
    log::info!(
        "supervising {} processes on http://{}",
        settings.processes,
        SocketAddr::new(settings.host, port)
    );
    let mut processes = Vec::with_capacity(settings.processes);
    for n in 0..settings.processes {
        processes.push(Process {
            child: Some(spawn(&config, n)?),
            started: Instant::now(),
            failures: 0,
            restart_at: None,
        });
    }
    let signal = loop {
        if let Some(signal) = signal::wait_for_termination_for(CHECK_EVERY)? {
            break signal;
        }
        for (n, process) in processes.iter_mut().enumerate() {
            if !keep(process, n, &config)? {
                log::error!("process {n} keeps failing at start; stopping all");
                pass_on(&mut processes, libc::SIGTERM);
                wait_all(&mut processes)?;
                return Ok(false);
            }
        }
    };
    log::info!("signal {signal}: draining every process; a second signal stops them at once");
    pass_on(&mut processes, libc::SIGTERM);
    wait_all(&mut processes)
}
// ANCHOR_END: run

/// Starts server process `n` with `config` on its standard input.
fn spawn(config: &str, n: usize) -> io::Result<Child> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--config", "-"])
        .env(SUPERVISOR_ENV, std::process::id().to_string())
        .stdin(Stdio::piped())
        // A process group of its own: Ctrl-C in a terminal signals the
        // foreground group, and a server process that got SIGINT from the
        // terminal and SIGTERM from us would take the second as "stop now".
        .process_group(0)
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // Dropping it closes the pipe: the end of the file.
        stdin.write_all(config.as_bytes())?;
    }
    log::info!("process {n} started: pid {}", child.id());
    Ok(child)
}

/// Restarts process `n` if it has died (at once, or after a pause if it
/// died young); false if it keeps dying young.
fn keep(process: &mut Process, n: usize, config: &str) -> io::Result<bool> {
    if let Some(child) = &mut process.child {
        let Some(status) = child.try_wait()? else {
            return Ok(true);
        };
        let pid = child.id();
        process.child = None;
        let quick = process.started.elapsed() < QUICK_DEATH;
        process.failures = if quick { process.failures + 1 } else { 0 };
        if process.failures >= GIVE_UP_AFTER {
            return Ok(false);
        }
        let pause = if quick { QUICK_DEATH } else { Duration::ZERO };
        log::warn!(
            "process {n} (pid {pid}) {}; starting another in {pause:?}",
            describe(status)
        );
        process.restart_at = Some(Instant::now() + pause);
    }
    if process.restart_at.is_some_and(|at| Instant::now() >= at) {
        process.child = Some(spawn(config, n)?);
        process.started = Instant::now();
        process.restart_at = None;
    }
    Ok(true)
}

fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        _ => "ended".to_string(),
    }
}

/// Sends `signal` to every process still running.
fn pass_on(processes: &mut [Process], signal: i32) {
    for child in processes.iter_mut().filter_map(|p| p.child.as_mut()) {
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: kill(2) takes plain integers. The pid is our own
            // child's, not yet reaped (try_wait reaps, and clears `child`),
            // so it cannot name another process.
            unsafe { libc::kill(pid, signal) };
        }
    }
}

/// Waits for every process to exit, passing a second signal on; whether
/// all exited 0.
fn wait_all(processes: &mut [Process]) -> io::Result<bool> {
    let mut clean = true;
    loop {
        for (n, process) in processes.iter_mut().enumerate() {
            process.restart_at = None;
            let Some(child) = &mut process.child else {
                continue;
            };
            if let Some(status) = child.try_wait()? {
                if !status.success() {
                    log::warn!("process {n} (pid {}) {}", child.id(), describe(status));
                    clean = false;
                }
                process.child = None;
            }
        }
        if processes.iter().all(|p| p.child.is_none()) {
            return Ok(clean);
        }
        if let Some(signal) = signal::wait_for_termination_for(CHECK_EVERY)? {
            log::warn!("signal {signal} again: stopping every process at once");
            pass_on(processes, libc::SIGTERM);
            clean = false;
        }
    }
}

/// In a server process: ask the kernel for SIGTERM when the supervisor
/// dies, so that no process is left serving unsupervised; and if it died
/// before that was asked, stop now. Does nothing outside multi-process mode.
pub fn watch_supervisor() -> io::Result<()> {
    let Some(pid) = std::env::var(SUPERVISOR_ENV).ok() else {
        return Ok(());
    };
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes the signal as an integer and
    // touches no memory of ours.
    let rc = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: getppid(2) has no arguments and cannot fail.
    let parent = unsafe { libc::getppid() };
    if pid.parse::<libc::pid_t>().ok() != Some(parent) {
        return Err(io::Error::other("the supervisor is gone"));
    }
    Ok(())
}
