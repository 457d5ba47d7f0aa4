//! Exercises for chapter 8. Each module is one exercise: the file in `src/`
//! is yours to complete (look for `TODO`), the file of the same name in
//! `solutions/` is the reference. Run your version with
//!
//! ```text
//! cargo test -p ch08-pooling-exercises --no-default-features --no-fail-fast
//! ```
//!
//! and see `exercises/README.md` for the whole routine.

#[cfg_attr(feature = "solution", path = "../solutions/e1_counted_pool.rs")]
pub mod e1_counted_pool;

#[cfg_attr(feature = "solution", path = "../solutions/e2_lazy_idle.rs")]
pub mod e2_lazy_idle;
