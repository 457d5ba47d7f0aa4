//! Every `{{#include}}` in the book resolves to a real, non-empty region.
//!
//! mdBook 0.5 logs an error and still exits 0 when an included file is
//! missing, and renders a missing anchor as an empty code block without a
//! word. A listing that silently vanished is the worst kind of wrong for a
//! book whose promise is "every listing is real", so this check fails
//! loudly instead.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// One `{{#include path[:selector]}}` found in a chapter.
#[derive(Debug, PartialEq, Eq)]
pub struct Include {
    pub line: usize,
    pub path: String,
    /// An anchor name, a line range such as `3:10`, or nothing.
    pub selector: Option<String>,
}

/// Finds the include directives in a Markdown file's text. Escaped ones
/// (`\{{#include ...}}`, which mdBook prints literally) are skipped.
pub fn find_includes(markdown: &str) -> Vec<Include> {
    let mut found = Vec::new();
    for (index, line) in markdown.lines().enumerate() {
        let mut rest = line;
        let mut offset = 0;
        while let Some(start) = rest.find("{{#") {
            let escaped = start > 0 && rest.as_bytes()[start - 1] == b'\\';
            let after = &rest[start + 3..];
            let Some(end) = after.find("}}") else { break };
            let body = after[..end].trim();
            let directive = ["include ", "rustdoc_include "]
                .iter()
                .find_map(|d| body.strip_prefix(d));
            if let (false, Some(arg)) = (escaped, directive) {
                let arg = arg.trim();
                let (path, selector) = match arg.split_once(':') {
                    Some((p, s)) => (p.to_string(), Some(s.to_string())),
                    None => (arg.to_string(), None),
                };
                found.push(Include {
                    line: index + 1,
                    path,
                    selector,
                });
            }
            offset += start + 3 + end + 2;
            rest = &line[offset..];
        }
    }
    found
}

fn anchor_name<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let at = line.find(marker)?;
    let name = line[at + marker.len()..].trim_start();
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(name.len());
    (end > 0).then(|| &name[..end])
}

/// The anchors of a source file: name to the text between `ANCHOR: name`
/// and `ANCHOR_END: name`, without other anchor lines (mdBook drops those too).
/// Errors on an anchor that is opened twice or never closed.
pub fn anchors(source: &str) -> Result<HashMap<String, String>, String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut regions = HashMap::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = anchor_name(line, "ANCHOR:") else {
            continue;
        };
        if regions.contains_key(name) {
            return Err(format!(
                "anchor `{name}` opened twice (mdBook would use only the first)"
            ));
        }
        let end = lines[i + 1..]
            .iter()
            .position(|l| anchor_name(l, "ANCHOR_END:") == Some(name))
            .ok_or_else(|| format!("anchor `{name}` has no ANCHOR_END"))?;
        let body: Vec<&str> = lines[i + 1..i + 1 + end]
            .iter()
            .filter(|l| !l.contains("ANCHOR:") && !l.contains("ANCHOR_END:"))
            .copied()
            .collect();
        regions.insert(name.to_string(), body.join("\n"));
    }
    Ok(regions)
}

/// Checks one include against the file it names. `Ok` carries nothing; the
/// error says what a reader would have seen instead of the listing.
pub fn check_include(include: &Include, source: &str) -> Result<(), String> {
    let Some(selector) = &include.selector else {
        return if source.trim().is_empty() {
            Err("the included file is empty".into())
        } else {
            Ok(())
        };
    };
    let is_range = selector.chars().all(|c| c.is_ascii_digit() || c == ':');
    if is_range {
        let mut parts = selector.splitn(2, ':');
        let first: usize = parts.next().unwrap_or("").parse().unwrap_or(1);
        let count = source.lines().count();
        return if first == 0 || first > count {
            Err(format!(
                "line range `{selector}` starts past the end ({count} lines)"
            ))
        } else {
            Ok(())
        };
    }
    let regions = anchors(source)?;
    match regions.get(selector.as_str()) {
        None => Err(format!(
            "anchor `{selector}` not found (mdBook would render an empty block)"
        )),
        Some(body) if body.trim().is_empty() => Err(format!("anchor `{selector}` is empty")),
        Some(_) => Ok(()),
    }
}

/// The caption a listing needs: `<div class="listing-file">PATH</div>` on the
/// last non-blank line above the code fence that holds the include, naming
/// the included file (relative to the repository root). The introduction
/// promises readers that every listing names its file; this keeps the promise.
pub fn check_caption(markdown: &str, include: &Include) -> Result<(), String> {
    let lines: Vec<&str> = markdown.lines().collect();
    // include.line is 1-based; the fence is the line above it.
    let fence = include.line.checked_sub(2).map(|i| lines[i].trim_start());
    if !fence.is_some_and(|f| f.starts_with("```")) {
        return Ok(()); // not a listing (an include of prose, say)
    }
    let expected = include.path.trim_start_matches("../");
    let caption = lines[..include.line - 2]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim());
    let want = format!("<div class=\"listing-file\">{expected}</div>");
    match caption {
        Some(c) if c == want => Ok(()),
        _ => Err(format!("listing of {expected} lacks its caption: {want}")),
    }
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            markdown_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// Runs the check over `book/src`; returns the problems found.
pub fn check(book_src: &Path) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    markdown_files(book_src, &mut files).map_err(|e| format!("{}: {e}", book_src.display()))?;
    files.sort();
    let mut problems = Vec::new();
    let mut count = 0;
    for md in &files {
        let text = fs::read_to_string(md).map_err(|e| format!("{}: {e}", md.display()))?;
        let dir = md.parent().unwrap_or(book_src);
        for include in find_includes(&text) {
            count += 1;
            let target = dir.join(&include.path);
            let result = fs::read_to_string(&target)
                .map_err(|e| format!("cannot read {}: {e}", target.display()))
                .and_then(|source| check_include(&include, &source))
                .and_then(|()| check_caption(&text, &include));
            if let Err(why) = result {
                problems.push(format!("{}:{}: {why}", md.display(), include.line));
            }
        }
    }
    if count == 0 {
        problems.push("no {{#include}} found at all: is this the right folder?".into());
    }
    eprintln!(
        "check-book: {count} includes in {} files, {} problems",
        files.len(),
        problems.len()
    );
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "\
fn a() {}
// ANCHOR: outer
fn b() {}
// ANCHOR: inner
fn c() {}
// ANCHOR_END: inner
// ANCHOR_END: outer
// ANCHOR: empty
// ANCHOR_END: empty
";

    #[test]
    fn finds_includes_with_and_without_selectors_and_skips_escaped_ones() {
        let md = "x\n```rust\n{{#include ../../src/lib.rs:outer}}\n```\n\\{{#include not/this.rs}}\n{{#include a.rs}} and {{#rustdoc_include b.rs:3:5}}\n";
        let found = find_includes(md);
        assert_eq!(
            found,
            vec![
                Include {
                    line: 3,
                    path: "../../src/lib.rs".into(),
                    selector: Some("outer".into())
                },
                Include {
                    line: 6,
                    path: "a.rs".into(),
                    selector: None
                },
                Include {
                    line: 6,
                    path: "b.rs".into(),
                    selector: Some("3:5".into())
                },
            ]
        );
    }

    #[test]
    fn nested_anchor_regions_drop_marker_lines() {
        let regions = anchors(SOURCE).unwrap();
        assert_eq!(regions["outer"], "fn b() {}\nfn c() {}");
        assert_eq!(regions["inner"], "fn c() {}");
    }

    fn include(selector: &str) -> Include {
        Include {
            line: 1,
            path: "x.rs".into(),
            selector: Some(selector.into()),
        }
    }

    #[test]
    fn missing_empty_and_present_anchors() {
        assert!(check_include(&include("inner"), SOURCE).is_ok());
        assert!(
            check_include(&include("gone"), SOURCE)
                .unwrap_err()
                .contains("not found")
        );
        assert!(
            check_include(&include("empty"), SOURCE)
                .unwrap_err()
                .contains("empty")
        );
        assert!(check_include(&include("2:4"), SOURCE).is_ok());
        assert!(check_include(&include("200:"), SOURCE).is_err());
    }

    #[test]
    fn listings_need_a_caption_naming_their_file() {
        let good = "text\n\n<div class=\"listing-file\">src/a.rs</div>\n\n```rust\n{{#include ../../src/a.rs:x}}\n```\n";
        let wrong = good.replace("src/a.rs</div>", "src/b.rs</div>");
        let missing = "text\n\n```rust\n{{#include ../../src/a.rs:x}}\n```\n";
        for (md, ok) in [(good, true), (wrong.as_str(), false), (missing, false)] {
            let include = &find_includes(md)[0];
            assert_eq!(check_caption(md, include).is_ok(), ok, "{md}");
        }
        // An include outside a code fence is not a listing.
        let prose = "{{#include ../../NOTES.md}}\n";
        assert!(check_caption(prose, &find_includes(prose)[0]).is_ok());
    }

    #[test]
    fn duplicate_and_unclosed_anchors_are_errors() {
        let dup = "// ANCHOR: a\nx\n// ANCHOR_END: a\n// ANCHOR: a\ny\n// ANCHOR_END: a\n";
        assert!(anchors(dup).unwrap_err().contains("twice"));
        assert!(
            anchors("// ANCHOR: a\nx\n")
                .unwrap_err()
                .contains("no ANCHOR_END")
        );
    }
}
