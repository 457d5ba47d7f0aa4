//! Exercises for chapter 5. Each module is one exercise: the file in `src/`
//! is yours to complete (look for `TODO`), the file of the same name in
//! `solutions/` is the reference. Run your version with
//!
//! ```text
//! cargo test -p ch05-router-exercises --no-default-features
//! ```
//!
//! and see `exercises/README.md` for the whole routine.

#[cfg_attr(feature = "solution", path = "../solutions/e1_segments.rs")]
pub mod e1_segments;

#[cfg_attr(feature = "solution", path = "../solutions/e2_basic_auth.rs")]
pub mod e2_basic_auth;
