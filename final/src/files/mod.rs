//! Static files: a directory served under a path prefix.
//!
//! A request's path becomes a path relative to the root ([`path`]), which
//! the kernel opens beneath the root and nowhere else ([`open`]); the
//! open file's `fstat` gives its length and validators ([`conditional`]),
//! the request's `Range` picks a part of it ([`range`]), its name a type
//! ([`types`]). The response's body is the open file itself
//! ([`Body::File`](eventcore_http::Body)), which chapter 7's connection
//! sends as any body: up to 16 KiB copied behind the head with one
//! `pread`, more by `sendfile(2)` straight from the page cache whenever the
//! socket has room, under the write timeout (chapter 9). However slowly a
//! client reads a 1 GiB file, it costs the server an open descriptor and
//! no memory.
//!
//! Mounted with [`Builder::files`](crate::Builder::files), or by the
//! binary's `--root DIR`.
//!
//! The open, the `fstat`, and a read or `sendfile` of pages not in the
//! page cache block the worker's loop while the disk answers, as they do
//! nginx's (without its thread pools). A root on a local disk with its
//! working set cached, the common case, does not notice. For a slow disk,
//! [`Builder::blocking`](crate::Builder::blocking) with the files' prefix
//! runs the handler (the open, the `fstat`, a small file's copy) on the
//! worker's pool; what is left of a large file once the socket is full
//! goes out from the loop. (At `/`, that prefix is every path, routes
//! included.)

pub mod conditional;
mod listing;
pub mod open;
pub mod path;
pub mod range;
pub mod types;

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use eventcore_http::{FileBody, Method, Request, Response};

use conditional::{Conditions, Validators, Verdict};
use path::Refused;
use range::Ranged;

/// A directory to serve, opened once.
#[derive(Debug, Clone)]
pub struct Files {
    /// The root, as a descriptor: every file is opened relative to it, so
    /// renaming the root's path while serving changes nothing.
    root: Arc<OwnedFd>,
    path: PathBuf,
    list: bool,
}

/// What a directory's page is.
const INDEX: &str = "index.html";

impl Files {
    /// Opens `root`, which must be a directory.
    pub fn new(root: impl AsRef<Path>) -> io::Result<Files> {
        let path = root.as_ref().to_path_buf();
        let dir = File::options()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(Files {
            root: Arc::new(dir.into()),
            path,
            list: false,
        })
    }

    /// List a directory that has no `index.html` (off by default: a listing
    /// shows what the site's links don't).
    pub fn list_directories(mut self, on: bool) -> Files {
        self.list = on;
        self
    }

    pub fn root(&self) -> &Path {
        &self.path
    }

    // ANCHOR: serve
    /// Answers `request` for the file at `path`: the request's path with
    /// the mount's prefix taken off (`/` for the prefix itself).
    pub fn serve(&self, request: &Request<'_>, path: &[u8]) -> Response {
        let path = if path.is_empty() { b"/" } else { path };
        let method = request.method();
        if method != Method::Get && method != Method::Head {
            return Response::error(405).with_header("Allow", "GET, HEAD");
        }
        let relative = match path::resolve(path) {
            Ok(relative) => relative,
            Err(Refused::Malformed) => return Response::error(400),
            Err(Refused::Hidden) => return Response::error(404),
        };
        let (file, meta) = match self.open(&relative) {
            Ok(opened) => opened,
            Err(e) => return failed(&e, &relative),
        };
        if meta.is_dir() {
            // Relative links in the directory's page must resolve inside
            // it: `/docs` is sent to `/docs/` first, as every server does.
            if !request.path().ends_with(b"/") {
                return redirect_to_directory(request);
            }
            let mut index = relative.clone();
            if !index.is_empty() {
                index.push(b'/');
            }
            index.extend_from_slice(INDEX.as_bytes());
            return match self.open(&index) {
                Ok((file, meta)) if meta.is_file() => self.send(request, file, &meta, &index),
                Ok(_) => Response::error(404),
                Err(e) if e.kind() == io::ErrorKind::NotFound && self.list => {
                    listing::page(&file, request.path())
                }
                Err(e) => failed(&e, &index),
            };
        }
        if !meta.is_file() || path.ends_with(b"/") {
            // A FIFO, a socket, a device: nothing to send. A file named
            // as a directory (`/a.txt/`) is not there, as open(2) says.
            return Response::error(404);
        }
        self.send(request, file, &meta, &relative)
    }
    // ANCHOR_END: serve

    fn open(&self, relative: &[u8]) -> io::Result<(File, std::fs::Metadata)> {
        let file = open::beneath(self.root.as_fd(), relative)?;
        let meta = file.metadata()?;
        Ok((file, meta))
    }

    // ANCHOR: send
    /// The answer for a regular file: 304, 412, 416, 206 or 200.
    fn send(
        &self,
        request: &Request<'_>,
        file: File,
        meta: &std::fs::Metadata,
        name: &[u8],
    ) -> Response {
        let validators = Validators::of(meta);
        let (if_match, if_none_match) =
            (field(request, "if-match"), field(request, "if-none-match"));
        let conditions = Conditions {
            if_match: if_match.as_deref(),
            if_none_match: if_none_match.as_deref(),
            if_modified_since: request.header("if-modified-since"),
            if_unmodified_since: request.header("if-unmodified-since"),
        };
        let len = meta.len();
        let described = |response: Response| {
            response
                .with_header("Last-Modified", validators.last_modified())
                .with_header("ETag", validators.etag.clone())
        };
        match conditional::evaluate(&conditions, &validators) {
            Verdict::NotModified => return described(Response::new(304)),
            Verdict::Failed => return Response::error(412),
            Verdict::Proceed => {}
        }
        // Ranges are defined for GET only (RFC 9110 section 14.2).
        let range = match request.header("range") {
            Some(value)
                if request.method() == Method::Get
                    && conditional::range_applies(request.header("if-range"), &validators) =>
            {
                range::ranged(value, len)
            }
            _ => Ranged::Whole,
        };
        let content_type = types::content_type(name);
        let file = Arc::new(file);
        let response = match range {
            Ranged::Whole => Response::new(200).with_file(FileBody {
                file,
                offset: 0,
                len,
            }),
            Ranged::Part { first, last } => Response::new(206)
                .with_header("Content-Range", format!("bytes {first}-{last}/{len}"))
                .with_file(FileBody {
                    file,
                    offset: first,
                    len: last - first + 1,
                }),
            Ranged::Unsatisfiable => {
                return Response::error(416).with_header("Content-Range", format!("bytes */{len}"));
            }
        };
        // nosniff: the type below is the one to use. A browser that guessed
        // instead could take an uploaded `.txt` for a page and run it.
        let response = described(response)
            .with_header("Accept-Ranges", "bytes")
            .with_header("X-Content-Type-Options", "nosniff");
        match response.try_content_type(content_type) {
            Ok(response) => response,
            Err(_) => unreachable!("the table's types are valid field values"),
        }
    }
    // ANCHOR_END: send
}

/// A field's value with all its lines combined, as RFC 9110 section 5.3
/// says a list split over several lines is one list: `If-None-Match: "a"`
/// and `If-None-Match: "b"` are `"a", "b"`. One line is borrowed.
fn field<'a>(request: &Request<'a>, name: &str) -> Option<Cow<'a, [u8]>> {
    let mut lines = request.headers_named(name);
    let first = lines.next()?;
    let mut combined: Option<Vec<u8>> = None;
    for line in lines {
        let list = combined.get_or_insert_with(|| first.to_vec());
        list.extend_from_slice(b", ");
        list.extend_from_slice(line);
    }
    Some(combined.map_or(Cow::Borrowed(first), Cow::Owned))
}

/// `301` to the same path with a `/` added (the query kept).
fn redirect_to_directory(request: &Request<'_>) -> Response {
    // One leading slash, whatever came: `//example.com` as a Location is
    // another host (RFC 3986 section 4.2), an open redirect.
    let path = String::from_utf8_lossy(request.path());
    let mut location = format!("/{}/", path.trim_start_matches('/'));
    if let Some(query) = request.query() {
        location.push('?');
        location.push_str(&String::from_utf8_lossy(query));
    }
    // The path and query passed the parser's check on request-target
    // characters, which excludes CR, LF and every other control byte.
    match Response::new(301).try_header("Location", location) {
        Ok(response) => response,
        Err(_) => Response::error(404),
    }
}

// ANCHOR: failed
/// The answer for a file that could not be opened. Every way out of the
/// root that got past [`path::resolve`] ends here as `EXDEV` (a link
/// out), `ELOOP` or `ENOTDIR`, and looks like a file that is not there.
fn failed(error: &io::Error, relative: &[u8]) -> Response {
    match error.raw_os_error() {
        Some(
            libc::ENOENT
            | libc::ENOTDIR
            | libc::EXDEV
            | libc::ELOOP
            | libc::ENAMETOOLONG
            | libc::EINVAL
            // A socket or a device without a driver: no file to send.
            | libc::ENXIO
            | libc::ENODEV,
        ) => Response::error(404),
        Some(libc::EACCES | libc::EPERM) => Response::error(403),
        // Out of descriptors or memory, or a rename racing twice: the
        // server's trouble, and passing.
        Some(libc::EMFILE | libc::ENFILE | libc::ENOMEM | libc::EAGAIN) => {
            Response::error(503).with_header("Retry-After", "1")
        }
        _ => {
            log::error!("opening {}: {error}", String::from_utf8_lossy(relative));
            Response::error(500)
        }
    }
}
// ANCHOR_END: failed
