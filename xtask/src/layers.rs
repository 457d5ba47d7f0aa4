//! No chapter depends on a later one.
//!
//! The book reads front to back: chapter N may use chapters 1..N-1 and
//! nothing after it. The folder name carries the order (`ch03-poller`), so
//! the check reads each chapter crate's path dependencies from
//! `cargo metadata` and compares the numbers.

use std::path::Path;
use std::process::Command;

/// The chapter number of a crate folder such as `chapters/ch03-poller`.
pub fn chapter_number(dir: &Path) -> Option<u32> {
    let name = dir.file_name()?.to_str()?;
    let digits = name.strip_prefix("ch")?.split('-').next()?;
    if dir.parent()?.file_name()? != "chapters" {
        return None;
    }
    digits.parse().ok()
}

/// Returns one line per violation.
pub fn check() -> Result<Vec<String>, String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .map_err(|e| format!("running cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let packages = meta["packages"]
        .as_array()
        .ok_or("no packages in metadata")?;
    let mut problems = Vec::new();
    let mut chapters = 0;
    for package in packages {
        let manifest = Path::new(package["manifest_path"].as_str().unwrap_or(""));
        let Some(number) = manifest.parent().and_then(chapter_number) else {
            continue;
        };
        chapters += 1;
        let name = package["name"].as_str().unwrap_or("?");
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            let Some(dep_number) = dep["path"].as_str().map(Path::new).and_then(chapter_number)
            else {
                continue;
            };
            if dep_number >= number {
                problems.push(format!(
                    "{name} (chapter {number}) depends on {} (chapter {dep_number})",
                    dep["name"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    eprintln!(
        "check-layers: {chapters} chapter crates, {} problems",
        problems.len()
    );
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_number_only_from_chapter_folders() {
        assert_eq!(
            chapter_number(Path::new("/r/chapters/ch03-poller")),
            Some(3)
        );
        assert_eq!(chapter_number(Path::new("/r/chapters/ch10-x")), Some(10));
        assert_eq!(chapter_number(Path::new("/r/exercises/ch03-poller")), None);
        assert_eq!(chapter_number(Path::new("/r/chapters/final")), None);
    }
}
