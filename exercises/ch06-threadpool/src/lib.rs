//! Exercises for chapter 6. Each module is one exercise: the file in `src/`
//! is yours to complete (look for `TODO`), the file of the same name in
//! `solutions/` is the reference. Run your version with
//!
//! ```text
//! cargo test -p ch06-threadpool-exercises --no-default-features
//! ```
//!
//! and see `exercises/README.md` for the whole routine.

#[cfg_attr(feature = "solution", path = "../solutions/e1_wait_group.rs")]
pub mod e1_wait_group;

#[cfg_attr(feature = "solution", path = "../solutions/e2_parallel_map.rs")]
pub mod e2_parallel_map;
