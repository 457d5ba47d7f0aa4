//! Exercises for chapter 9. Each module is one exercise: the file in `src/`
//! is yours to complete (look for `TODO`), the file of the same name in
//! `solutions/` is the reference. Run your version with
//!
//! ```text
//! cargo test -p ch09-timeouts-exercises --no-default-features --no-fail-fast
//! ```
//!
//! and see `exercises/README.md` for the whole routine.

#[cfg_attr(feature = "solution", path = "../solutions/e1_wheel.rs")]
pub mod e1_wheel;

#[cfg_attr(feature = "solution", path = "../solutions/e2_scan.rs")]
pub mod e2_scan;
