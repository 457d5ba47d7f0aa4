//! Exercises for chapter 4. Each module is one exercise: the file in `src/`
//! is yours to complete (look for `TODO`), the file of the same name in
//! `solutions/` is the reference. Run your version with
//!
//! ```text
//! cargo test -p ch04-parser-exercises --no-default-features
//! ```
//!
//! and see `exercises/README.md` for the whole routine.

#[cfg_attr(feature = "solution", path = "../solutions/e1_query.rs")]
pub mod e1_query;

#[cfg_attr(feature = "solution", path = "../solutions/e2_chunked.rs")]
pub mod e2_chunked;
