//! Exercise 2: the seed's one-shot hand-off (reference solution).

use std::io;
use std::os::unix::net::UnixStream;
use std::sync::{Mutex, mpsc};
use std::thread;

use eventcore_poller::{Backend, Interest, Mode, Poller, Token, Waker};

const WAKE: Token = Token(u64::MAX);

/// Serves `socks` with `workers` threads until `total` bytes were handled.
pub fn handoff(
    socks: &[UnixStream],
    workers: usize,
    total: usize,
    handle: &(dyn Fn(usize) -> usize + Sync),
) -> io::Result<()> {
    let mut poller = Poller::new(Backend::Epoll)?;
    let waker = Waker::new()?;
    poller.register(&waker, WAKE, Interest::READABLE, Mode::LEVEL)?;
    for (i, sock) in socks.iter().enumerate() {
        poller.register(
            sock,
            Token(i as u64),
            Interest::READABLE,
            Mode::EDGE_ONESHOT,
        )?;
    }
    let (job_tx, job_rx) = mpsc::channel::<usize>();
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, usize)>();

    thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let (job_rx, waker) = (&job_rx, &waker);
            scope.spawn(move || {
                // The lock is held only while taking a job, not while handling it.
                while let Ok(i) = job_rx
                    .lock()
                    .map_err(|_| ())
                    .and_then(|rx| rx.recv().map_err(|_| ()))
                {
                    let bytes = handle(i);
                    if done_tx.send((i, bytes)).is_err() || waker.wake().is_err() {
                        return;
                    }
                }
            });
        }
        let result = (|| -> io::Result<()> {
            let mut events = Vec::new();
            let mut handled = 0;
            while handled < total {
                poller.wait(&mut events, None)?;
                for event in &events {
                    if event.token == WAKE {
                        waker.reset()?;
                        // Re-arm what the workers finished: now, and not
                        // before, the socket may be reported again.
                        while let Ok((i, bytes)) = done_rx.try_recv() {
                            handled += bytes;
                            poller.reregister(
                                &socks[i],
                                Token(i as u64),
                                Interest::READABLE,
                                Mode::EDGE_ONESHOT,
                            )?;
                        }
                    } else if job_tx.send(event.token.0 as usize).is_err() {
                        return Err(io::Error::other("every worker stopped"));
                    }
                }
            }
            Ok(())
        })();
        // Closing the job channel ends the workers' loops; the scope joins them.
        drop(job_tx);
        result
    })
}
