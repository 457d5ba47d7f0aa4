//! Out of file descriptors, idle keep-alive connections give theirs back:
//! a new client is answered at once instead of waiting in the listen
//! queue until some client leaves. Its own test binary, because it lowers
//! the whole process's fd limit while it runs.

#[path = "../../ch07-workers/tests/support/mod.rs"]
mod support;

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, OwnedFd};

use eventcore_sockets::socket::Family;
use eventcore_sockets::{SockFlags, Socket};
use eventcore_timeouts::Timed;
use eventcore_workers::{Config, Model, Retain, Server};
use support::{Client, HANG, MODELS, fd_limit, get, set_fd_limit, test_app};

// ANCHOR: shed
#[test]
fn out_of_descriptors_idle_connections_make_room_for_new_clients() {
    let original = fd_limit();
    for model in MODELS {
        shed(model);
        set_fd_limit(original);
    }
}

fn shed(model: Model) {
    let config = Config {
        retain: Retain::Nothing,
        ..support::config(model, 1, 2)
    };
    let server = Server::start_with(config, test_app(), Timed::default()).unwrap();
    // 20 idle keep-alive connections, each with a request answered.
    let mut idle: Vec<Client> = (0..20).map(|_| Client::connect(&server)).collect();
    for client in &mut idle {
        assert_eq!(client.get("/plaintext").status, 200);
    }
    let waiting: Vec<Socket> = (0..10)
        .map(|_| Socket::tcp(Family::V4, SockFlags::BLOCKING).unwrap())
        .collect();
    // No new fd can be made from here on, by the clients or the server.
    let lowest_free = File::open("/dev/null").unwrap().as_raw_fd() as u64;
    set_fd_limit(lowest_free);
    for sock in waiting {
        // The handshake completes in the listen queue; the server's
        // accept4 fails with EMFILE, and it closes idle connections.
        sock.connect(&server.local_addr()).unwrap();
        let mut stream = TcpStream::from(OwnedFd::from(sock));
        stream.set_read_timeout(Some(HANG)).unwrap();
        stream.write_all(get("/plaintext").as_bytes()).unwrap();
        let mut answer = [0u8; 17];
        stream.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"HTTP/1.1 200 OK\r\n", "{model}");
    }
    // None of the idle clients has left: the server closed some of them.
    assert!(server.stats().evicted >= 1, "{model}: {:?}", server.stats());
    assert!(server.stats().accept_pauses >= 1, "{model}");
    drop(idle);
}
// ANCHOR_END: shed
