//! Exercise 2: a parallel map on the pool (reference solution).

use std::sync::{Arc, mpsc};

use eventcore_threadpool::ThreadPool;

/// Applies `f` to every item on `pool`'s threads and returns the results in input order.
pub fn parallel_map<T, R>(
    pool: &ThreadPool,
    items: Vec<T>,
    f: Arc<dyn Fn(T) -> R + Send + Sync>,
) -> Option<Vec<R>>
where
    T: Send + 'static,
    R: Send + 'static,
{
    let n = items.len();
    let (tx, rx) = mpsc::channel();
    for (i, item) in items.into_iter().enumerate() {
        let (tx, f) = (tx.clone(), Arc::clone(&f));
        // If f panics, tx is dropped without sending: the receiver sees
        // fewer results than items once every sender is gone.
        pool.submit_wait(move || {
            let _ = tx.send((i, f(item)));
        })
        .ok()?;
    }
    drop(tx);
    let mut results: Vec<Option<R>> = (0..n).map(|_| None).collect();
    for (i, r) in rx {
        results[i] = Some(r);
    }
    results.into_iter().collect()
}
