//! The static-file resolver: arbitrary bytes as a request's path, then,
//! if the resolver lets them through, opened beneath a root whose links
//! point inside and out (the final server's two walls, `files::path` and
//! `files::open`).
//!
//! What `resolve` accepts must be a relative path with no empty, `.`, `..`
//! or hidden segment (but `.well-known`), no backslash, no control byte,
//! and no longer than the limit. Whatever `beneath` opens must be the root
//! or inside it, never the secret beside it.

#![no_main]

use std::fs::File;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::sync::OnceLock;

use eventcore::files::{open, path};
use libfuzzer_sys::fuzz_target;

/// `top/secret`, and `top/root` with a file, a directory and links.
struct Tree {
    root: File,
    root_path: PathBuf,
    secret: PathBuf,
}

fn tree() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| {
        let top = std::env::temp_dir().join(format!("resolve-path-fuzz-{}", std::process::id()));
        let root = top.join("root");
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(top.join("secret"), "secret").unwrap();
        std::fs::write(root.join("a/b/c"), "inside").unwrap();
        std::fs::write(root.join("x"), "inside").unwrap();
        for (target, link) in [("a/b/c", "in"), ("../secret", "out"), ("..", "up"), ("../..", "a/up2")] {
            let _ = symlink(target, root.join(link));
        }
        let _ = symlink(top.join("secret"), root.join("abs"));
        Tree {
            root: File::open(&root).unwrap(),
            root_path: root.canonicalize().unwrap(),
            secret: top.join("secret").canonicalize().unwrap(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(relative) = path::resolve(data) else {
        return;
    };
    assert!(relative.len() <= path::MAX_PATH);
    assert!(!relative.starts_with(b"/"));
    assert!(!relative.contains(&b'\\'));
    assert!(!relative.iter().any(|&b| b < 0x20 || b == 0x7f));
    if !relative.is_empty() {
        for segment in relative.split(|&b| b == b'/') {
            assert!(!segment.is_empty(), "{relative:?}");
            assert!(!segment.starts_with(b".") || segment == b".well-known", "{relative:?}");
            assert!(segment.len() <= path::MAX_NAME);
        }
    }
    let tree = tree();
    if let Ok(file) = open::beneath(tree.root.as_fd(), &relative) {
        let opened = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).unwrap();
        assert!(opened.starts_with(&tree.root_path), "{relative:?} opened {opened:?}");
        assert_ne!(opened, tree.secret);
    }
});
