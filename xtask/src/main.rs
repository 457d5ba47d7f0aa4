//! The repository's own checks, run by `.ci/run` as `cargo xtask <check>`.
//!
//! - `check-book`: every `{{#include}}` in `book/src` resolves to a file and
//!   a non-empty anchor region ([`book`]).
//! - `check-layers`: no chapter crate depends on a later chapter ([`layers`]).
//! - `check-exercises`: the stubs compile cleanly and fail every test
//!   ([`exercises`]); the solutions are proven by `cargo test --workspace`.

mod book;
mod charts;
mod exercises;
mod layers;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let command = std::env::args().nth(1).unwrap_or_default();
    let result = match command.as_str() {
        "check-book" => book::check(&root.join("book/src")),
        "check-layers" => layers::check(),
        "check-exercises" => exercises::check(&root),
        "charts" => charts::run(&root, std::env::args().nth(2).as_deref() == Some("--check"))
            .map_err(|e| e.to_string()),
        _ => {
            eprintln!(
                "usage: cargo xtask check-book | check-layers | check-exercises | charts [--check]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(problems) if problems.is_empty() => ExitCode::SUCCESS,
        Ok(problems) => {
            for problem in problems {
                eprintln!("{command}: {problem}");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{command}: {e}");
            ExitCode::FAILURE
        }
    }
}
