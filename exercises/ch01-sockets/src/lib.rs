//! Exercises for chapter 1. Each module is one exercise: the file in `src/`
//! is yours to complete (look for `TODO`), the file of the same name in
//! `solutions/` is the reference. Run your version with
//!
//! ```text
//! cargo test -p ch01-sockets-exercises --no-default-features
//! ```
//!
//! and see `exercises/README.md` for the whole routine.

#[cfg_attr(feature = "solution", path = "../solutions/e1_accept_batch.rs")]
pub mod e1_accept_batch;

#[cfg_attr(feature = "solution", path = "../solutions/e2_bind_first_free.rs")]
pub mod e2_bind_first_free;
