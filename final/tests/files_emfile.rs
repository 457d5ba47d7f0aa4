//! Static files when the process is out of descriptors: `503` with
//! `Retry-After`, and the next request, once descriptors are back, served.
//! A test binary of its own, because the descriptor limit is the whole
//! process's.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use eventcore::{Builder, Files, Settings};

/// The lowest descriptor number not in use: every number below it is.
fn lowest_free_fd() -> u64 {
    use std::os::fd::AsRawFd;
    let probe = std::fs::File::open("/dev/null").unwrap();
    probe.as_raw_fd() as u64
}

fn fd_limit() -> libc::rlimit {
    let mut rlimit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: a valid rlimit for the kernel to fill.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rlimit) };
    assert_eq!(got, 0);
    rlimit
}

fn set_fd_limit(limit: u64) {
    let rlimit = libc::rlimit {
        rlim_cur: limit,
        rlim_max: fd_limit().rlim_max,
    };
    // SAFETY: a valid rlimit for the call.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) };
    assert_eq!(set, 0);
}

fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1);
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

#[test]
fn out_of_descriptors_is_503_and_passes() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("a.txt"), "a").unwrap();
    let settings = Settings {
        port: 0,
        num_workers: 1,
        ..Settings::default()
    };
    let running = Builder::new()
        .settings(settings)
        .files("/", Files::new(root.path()).unwrap())
        .start()
        .unwrap();
    let mut client = TcpStream::connect(running.local_addr()).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // Accepted (a deadline against hangs only), so its descriptor exists.
    let deadline = Instant::now() + Duration::from_secs(20);
    while running.stats().connections == 0 {
        assert!(Instant::now() < deadline, "never accepted");
        std::thread::yield_now();
    }
    let saved = fd_limit().rlim_cur;
    // Every number below the limit is taken (descriptors above it stay
    // open): the file's open must fail with EMFILE.
    set_fd_limit(lowest_free_fd());
    client
        .write_all(b"GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let head = read_head(&mut client);
    set_fd_limit(saved);
    assert!(head.starts_with("HTTP/1.1 503 "), "{head}");
    assert!(head.contains("\r\nRetry-After: 1\r\n"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    let mut page = vec![0; length];
    client.read_exact(&mut page).unwrap();
    client
        .write_all(b"GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let head = read_head(&mut client);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    running.stop().unwrap();
}
