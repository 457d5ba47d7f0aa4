//! `Content-Type` from a file name's extension: a short table of what web
//! roots hold, and `application/octet-stream` for the rest, as nginx's
//! `default_type` does. RFC 9110 section 8.3 would let a server that does
//! not know the type leave the field out, but then the client guesses
//! (section 8.3 calls that "MIME sniffing"), which is how an uploaded
//! `.txt` becomes a page that runs scripts: a named type, with
//! `X-Content-Type-Options: nosniff` beside it, leaves nothing to guess.
//! Text types say UTF-8, as the files of a site written today are.

// ANCHOR: types
const TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("htm", "text/html; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("json", "application/json"),
    ("map", "application/json"),
    ("txt", "text/plain; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("xml", "application/xml"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("ico", "image/vnd.microsoft.icon"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("otf", "font/otf"),
    ("wasm", "application/wasm"),
    ("pdf", "application/pdf"),
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
    ("tar", "application/x-tar"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("mp3", "audio/mpeg"),
    ("ogg", "audio/ogg"),
    ("wav", "audio/wav"),
];
// ANCHOR_END: types

/// The type for the last segment of `path`, by its extension, compared
/// without regard to case (`INDEX.HTML` is a page too).
pub fn content_type(path: &[u8]) -> &'static str {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
    let extension = match name.iter().rposition(|&b| b == b'.') {
        Some(dot) if dot > 0 => &name[dot + 1..],
        _ => return "application/octet-stream",
    };
    TYPES
        .iter()
        .find(|(ext, _)| ext.as_bytes().eq_ignore_ascii_case(extension))
        .map_or("application/octet-stream", |(_, ty)| ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_extension_in_any_case() {
        assert_eq!(content_type(b"index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type(b"a/b/LOGO.PNG"), "image/png");
        assert_eq!(content_type(b"archive.tar.gz"), "application/gzip");
        assert_eq!(content_type(b"README"), "application/octet-stream");
        assert_eq!(content_type(b"a.b/README"), "application/octet-stream");
        assert_eq!(content_type(b"x.unknown"), "application/octet-stream");
    }
}
