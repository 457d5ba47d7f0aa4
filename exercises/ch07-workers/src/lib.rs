//! Exercises for chapter 7. Each module is one exercise: the file in `src/`
//! is yours to complete (look for `TODO`), the file of the same name in
//! `solutions/` is the reference. Run your version with
//!
//! ```text
//! cargo test -p ch07-workers-exercises --no-default-features --no-fail-fast
//! ```
//!
//! and see `exercises/README.md` for the whole routine.

#[cfg_attr(feature = "solution", path = "../solutions/e1_pipeline_client.rs")]
pub mod e1_pipeline_client;

#[cfg_attr(feature = "solution", path = "../solutions/e2_blocking_route.rs")]
pub mod e2_blocking_route;
