//! Exercises for chapter 2. Each module is one exercise: the file in `src/`
//! is yours to complete (look for `TODO`), the file of the same name in
//! `solutions/` is the reference. Run your version with
//!
//! ```text
//! cargo test -p ch02-buffer-exercises --no-default-features
//! ```
//!
//! and see `exercises/README.md` for the whole routine.

#[cfg_attr(feature = "solution", path = "../solutions/e1_drain.rs")]
pub mod e1_drain;

#[cfg_attr(feature = "solution", path = "../solutions/e2_frames.rs")]
pub mod e2_frames;
