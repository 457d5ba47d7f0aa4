//! A connection takes working memory from the pool only when bytes come:
//! its first read lands in the stack. Clients that connect and say
//! nothing hold none, in either model; clients that close without a word
//! take none in the inline model (the seed's sends them to its pool with
//! memory for the trip, and gets it back at once).

#[path = "../../ch07-workers/tests/support/mod.rs"]
mod support;

use std::net::TcpStream;

use eventcore_pooling::Pooling;
use eventcore_workers::{Config, Model, Retain, Server, demo};
use support::{MODELS, wait_for_connections, wait_until};

#[test]
fn silent_clients_take_no_memory() {
    for model in MODELS {
        let parts = Pooling::default();
        let config = Config {
            retain: Retain::Nothing,
            ..support::config(model, 1, 2)
        };
        let server = Server::start_with(config, demo::app(), parts.clone()).unwrap();
        let silent: Vec<TcpStream> = (0..50)
            .map(|_| TcpStream::connect(server.local_addr()).unwrap())
            .collect();
        wait_for_connections(&server, 50);
        // One that speaks, last: once it is answered, the loop has been
        // through every earlier connection's first event.
        let mut speaker = support::Client::connect(&server);
        assert_eq!(speaker.get("/plaintext").body, b"Hello, World!");
        assert_eq!(parts.stats().taken, 1, "{model}: {:?}", parts.stats());
        drop(speaker);
        wait_for_connections(&server, 50);
        // 50 that close without a word.
        for _ in 0..50 {
            drop(TcpStream::connect(server.local_addr()).unwrap());
        }
        wait_until("the closers are gone", || {
            server.stats().accepted == 101 && server.connections() == 50
        });
        let stats = parts.stats();
        match model {
            // The loop reads the FIN into the stack.
            Model::Inline => assert_eq!(stats.taken, 1, "{model}: {stats:?}"),
            // The seed's model sends every ready connection to the pool
            // with working memory, a FIN too; it comes back at once.
            Model::Seed => assert!(stats.taken <= 52, "{model}: {stats:?}"),
        }
        // Nothing is held by the 50 silent ones.
        assert_eq!(stats.out, 0, "{model}: {stats:?}");
        drop(silent);
        wait_for_connections(&server, 0);
    }
}
