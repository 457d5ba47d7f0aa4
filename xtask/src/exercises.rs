//! Every reference solution passes and every stub fails.
//!
//! `cargo test --workspace` runs the exercise tests against the reference
//! solutions (the `solution` feature is on by default). This check runs each
//! exercise crate once more with `--no-default-features`, that is against the
//! stubs a reader starts from, and demands that not a single test passes: a
//! test that passes against a `todo!()` tests nothing. It also lints the
//! stubs, which the workspace's clippy run never compiles.

use std::path::Path;
use std::process::Command;

/// Totals of the `test result:` lines of a `cargo test` run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub passed: u32,
    pub failed: u32,
}

/// Adds up libtest's summary lines, e.g.
/// `test result: FAILED. 0 passed; 5 failed; 0 ignored; ...`.
pub fn totals(output: &str) -> Totals {
    let mut totals = Totals::default();
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split(';') {
            let words: Vec<&str> = part.split_whitespace().collect();
            // "ok. 3 passed" or "FAILED. 0 passed" or "2 failed"
            if let [.., count, kind] = words[..] {
                let Ok(count) = count.parse::<u32>() else {
                    continue;
                };
                match kind {
                    "passed" => totals.passed += count,
                    "failed" => totals.failed += count,
                    _ => {}
                }
            }
        }
    }
    totals
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Returns one line per problem.
pub fn check(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("exercises");
    let mut crates: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    crates.sort();
    let mut problems = Vec::new();
    for krate in &crates {
        let manifest = krate.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
        let name = text
            .lines()
            .find_map(|l| l.strip_prefix("name = "))
            .map(|n| n.trim_matches('"').to_string())
            .ok_or_else(|| format!("{}: no package name", manifest.display()))?;

        let lint = cargo()
            .args(["clippy", "--quiet", "-p", &name, "--no-default-features"])
            .args(["--all-targets", "--", "-D", "warnings"])
            .status()
            .map_err(|e| e.to_string())?;
        if !lint.success() {
            problems.push(format!("{name}: the stubs do not pass clippy -D warnings"));
        }

        let run = cargo()
            .args([
                "test",
                "-p",
                &name,
                "--no-default-features",
                "--no-fail-fast",
            ])
            .output()
            .map_err(|e| e.to_string())?;
        let out = String::from_utf8_lossy(&run.stdout);
        let t = totals(&out);
        eprintln!(
            "check-exercises: {name} against the stubs: {} passed, {} failed",
            t.passed, t.failed
        );
        if run.status.success() || t.failed == 0 {
            problems.push(format!(
                "{name}: the tests did not fail against the stubs\n{}",
                String::from_utf8_lossy(&run.stderr)
            ));
        }
        if t.passed > 0 {
            problems.push(format!(
                "{name}: {} test(s) pass against the stubs; they test nothing",
                t.passed
            ));
        }
    }
    if crates.is_empty() {
        problems.push(format!("no exercise crates under {}", dir.display()));
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_up_summary_lines_from_several_test_binaries() {
        let out = "\
running 2 tests
test result: FAILED. 0 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s
test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";
        assert_eq!(
            totals(out),
            Totals {
                passed: 3,
                failed: 2
            }
        );
    }
}
