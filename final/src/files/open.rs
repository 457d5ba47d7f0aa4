//! Opening a file beneath the root, with the kernel as the judge.
//!
//! A check on the path's text ([`super::path`]) cannot see symbolic links:
//! `/docs/manual` may be a link to `/etc`, made by whoever can write in the
//! root, and a check-then-open would lose a race against a link swapped in
//! between. So the open itself is confined: `openat2(2)` (Linux 5.6) with
//! `RESOLVE_BENEATH` resolves the path relative to the root's descriptor
//! and fails with `EXDEV` if any step, `..` or a link, would leave it.
//! Links that stay inside the root work; a link with an absolute target
//! does not, wherever it points (the kernel refuses absolute paths here).
//!
//! Where `openat2` is missing (an older kernel, or a sandbox whose seccomp
//! filter answers `ENOSYS`), the path is walked one segment at a time with
//! `openat(O_NOFOLLOW)`: each step opens a name inside the directory the
//! last one opened, and refuses a link. That follows no link at all, which
//! is stricter, and just as immune to races.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// How the file is opened: for reading, not inherited by children, never
/// blocking on a FIFO someone put in the root (`O_NONBLOCK` changes nothing
/// for a regular file), never becoming a controlling terminal.
const FLAGS: libc::c_int = libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NONBLOCK | libc::O_NOCTTY;

/// `struct open_how` (`linux/openat2.h`), spelled out: libc's is marked
/// non-exhaustive, since the kernel may grow it; a caller passes the size
/// it knows, and these three fields are the first version's.
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

// ANCHOR: beneath
/// Opens `relative` (from [`super::path::resolve`]: no leading `/`, no
/// NUL; empty for the root) beneath `root`.
pub fn beneath(root: BorrowedFd<'_>, relative: &[u8]) -> io::Result<File> {
    beneath_once(root, relative, true)
}

fn beneath_once(root: BorrowedFd<'_>, relative: &[u8], again: bool) -> io::Result<File> {
    let name = c_path(relative)?;
    let how = OpenHow {
        flags: FLAGS as u64,
        mode: 0,
        // No step out of the root, and no magic links: the entries of
        // /proc such as `/proc/self/fd/3` or `/proc/self/root`, which look
        // like links but lead straight to an open file or directory,
        // wherever it is (a root that contains a /proc, or a link to one).
        resolve: libc::RESOLVE_BENEATH | libc::RESOLVE_NO_MAGICLINKS,
    };
    // SAFETY: `root` is an open descriptor for the call, `name` a valid C
    // string, and `how` a valid `open_how` whose size is passed with it.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            root.as_raw_fd(),
            name.as_ptr(),
            &how as *const OpenHow,
            std::mem::size_of::<OpenHow>(),
        )
    };
    if fd == -1 {
        let error = io::Error::last_os_error();
        return match error.raw_os_error() {
            // No openat2 here, or a seccomp filter that refuses it (with
            // ENOSYS, or EPERM as older container profiles do): the walk
            // needs only openat. A real permission problem fails it too.
            Some(libc::ENOSYS | libc::EPERM) => walking(root, relative),
            // RESOLVE_BENEATH met a rename racing a `..` somewhere under the
            // root, and refuses to guess (openat2(2)): once more, then give up.
            Some(libc::EAGAIN) if again => beneath_once(root, relative, false),
            _ => Err(error),
        };
    }
    // SAFETY: openat2 returned a new descriptor, which nothing else owns.
    Ok(File::from(unsafe {
        OwnedFd::from_raw_fd(fd as libc::c_int)
    }))
}
// ANCHOR_END: beneath

/// The fallback: `relative` opened one segment at a time, no link followed.
pub fn walking(root: BorrowedFd<'_>, relative: &[u8]) -> io::Result<File> {
    let mut segments = relative
        .split(|&b| b == b'/')
        .filter(|s| !s.is_empty())
        .peekable();
    let mut dir: Option<OwnedFd> = None;
    let step = |at: BorrowedFd<'_>, name: &[u8], flags: libc::c_int| -> io::Result<OwnedFd> {
        let name = c_path(name)?;
        // SAFETY: `at` is open for the call, `name` a valid C string.
        let fd = unsafe { libc::openat(at.as_raw_fd(), name.as_ptr(), flags | libc::O_NOFOLLOW) };
        if fd == -1 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a new descriptor, owned by nothing else.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    };
    if segments.peek().is_none() {
        return step(root, b".", FLAGS).map(File::from);
    }
    while let Some(name) = segments.next() {
        // `..` and `.` never get here (resolve refuses them); refused
        // again all the same, as the one rule this walk relies on.
        if name == b".." || name == b"." {
            return Err(io::Error::from_raw_os_error(libc::EXDEV));
        }
        let at = dir.as_ref().map_or(root, AsFd::as_fd);
        if segments.peek().is_none() {
            return step(at, name, FLAGS).map(File::from);
        }
        // A directory, and not a link to one (O_NOFOLLOW with
        // O_DIRECTORY fails with ENOTDIR on a link).
        let next = step(at, name, libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)?;
        dir = Some(next);
    }
    unreachable!("the last segment returns above")
}

/// `relative` as a C string; `.` for the root itself.
fn c_path(relative: &[u8]) -> io::Result<CString> {
    let relative = if relative.is_empty() { b"." } else { relative };
    CString::new(relative).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;
    use std::os::unix::fs::symlink;

    /// A root with a file, a subdirectory, links inside and out, and a
    /// secret beside the root.
    fn tree() -> (tempfile::TempDir, File) {
        let top = tempfile::tempdir().unwrap();
        std::fs::write(top.path().join("secret"), "outside").unwrap();
        let root = top.path().join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.txt"), "inside").unwrap();
        symlink("sub/a.txt", root.join("inner")).unwrap();
        symlink("../secret", root.join("outer")).unwrap();
        symlink(top.path().join("secret"), root.join("absolute")).unwrap();
        symlink("..", root.join("sub/up")).unwrap();
        let dir = File::open(&root).unwrap();
        (top, dir)
    }

    fn read(file: io::Result<File>) -> io::Result<String> {
        io::read_to_string(file?)
    }

    #[test]
    fn links_out_of_the_root_are_refused_and_links_inside_followed() {
        let (_top, root) = tree();
        let root = root.as_fd();
        assert_eq!(read(beneath(root, b"sub/a.txt")).unwrap(), "inside");
        assert_eq!(read(beneath(root, b"inner")).unwrap(), "inside");
        assert_eq!(read(beneath(root, b"sub/up/inner")).unwrap(), "inside");
        for way_out in [&b"outer"[..], b"absolute", b"sub/up/outer", b"../secret"] {
            let error = beneath(root, way_out).unwrap_err();
            assert_eq!(
                error.raw_os_error(),
                Some(libc::EXDEV),
                "{:?}",
                String::from_utf8_lossy(way_out)
            );
        }
        assert!(beneath(root, b"").unwrap().metadata().unwrap().is_dir());
    }

    #[test]
    fn the_walk_follows_no_link_at_all() {
        let (_top, root) = tree();
        let root = root.as_fd();
        assert_eq!(read(walking(root, b"sub/a.txt")).unwrap(), "inside");
        assert!(walking(root, b"").unwrap().metadata().unwrap().is_dir());
        for link in [
            &b"inner"[..],
            b"outer",
            b"absolute",
            b"sub/up/inner",
            b"../secret",
        ] {
            assert!(
                walking(root, link).is_err(),
                "{:?}",
                String::from_utf8_lossy(link)
            );
        }
    }
}
