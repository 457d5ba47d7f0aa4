//! Exercise 2: write a chunked body (reference solution).

use std::io::Write;

use eventcore_buffer::Buffer;

/// Appends `chunks` to `out` in the chunked coding, then the trailers.
pub fn write_chunked(out: &mut Buffer, chunks: &[&[u8]], trailers: &[(&str, &str)]) {
    for chunk in chunks.iter().filter(|c| !c.is_empty()) {
        // Writing into a Buffer can't fail.
        let _ = write!(out, "{:x}\r\n", chunk.len());
        out.append(chunk);
        out.append(b"\r\n");
    }
    out.append(b"0\r\n");
    for (name, value) in trailers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    out.append(b"\r\n");
}
