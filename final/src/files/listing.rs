//! A directory's page, for a directory without an index when listing is on.
//!
//! The directory is read through the descriptor that was opened beneath
//! the root (`/proc/self/fd/N` names that very directory), never by its
//! path again, which a link swapped in since could point elsewhere. Hidden
//! names are left out, as [`super::path`] would refuse them. Names are
//! escaped twice: percent-encoded in the link, HTML-escaped in the text.

use std::fs::File;
use std::os::fd::AsRawFd;

use eventcore_http::Response;

pub fn page(dir: &File, request_path: &[u8]) -> Response {
    let entries = match std::fs::read_dir(format!("/proc/self/fd/{}", dir.as_raw_fd())) {
        Ok(entries) => entries,
        Err(e) => {
            log::error!("listing {}: {e}", String::from_utf8_lossy(request_path));
            return Response::error(500);
        }
    };
    let mut names: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            (!name.starts_with('.')).then_some((name, is_dir))
        })
        .collect();
    names.sort();
    let title = html(&String::from_utf8_lossy(request_path));
    let mut page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1>\n<ul>\n"
    );
    for (name, is_dir) in names {
        let slash = if is_dir { "/" } else { "" };
        page += &format!(
            "<li><a href=\"{}{slash}\">{}{slash}</a></li>\n",
            percent(&name),
            html(&name)
        );
    }
    page += "</ul></body></html>\n";
    Response::html(page)
}

/// `&`, `<`, `>`, `"` and `'` as entities.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Every byte but the unreserved ones (RFC 3986 section 2.3) as `%XY`, so
/// that a name with `?`, `#`, `:` or a space is a path segment and nothing else.
fn percent(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for &b in name.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_for_the_link_and_the_text() {
        assert_eq!(percent("a b?#:.txt"), "a%20b%3F%23%3A.txt");
        assert_eq!(html("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
    }
}
