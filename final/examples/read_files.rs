//! The measurement's other side: static files sent the way a server
//! without `sendfile(2)` sends them, read into memory and written from
//! there. Everything else is the binary's (`Files` resolves, opens, checks
//! and picks the range); a middleware replaces each file body with its
//! bytes, one `pread` into a buffer of the body's size.
//!
//! ```text
//! cargo run --release -p eventcore --example read_files -- --port 8080 --root DIR
//! ```
//!
//! `bench/files.py` serves its site with this and with the binary.

use std::os::unix::fs::FileExt;

use eventcore::http::{Body, Response};
use eventcore::{Builder, Files, cli};

// ANCHOR: read_files
/// A file body as bytes in memory: what the copy through user space costs.
fn read_into_memory(response: Response) -> std::io::Result<Response> {
    let Body::File(file) = &response.body else {
        return Ok(response);
    };
    let mut bytes = vec![0; file.len as usize];
    file.file.read_exact_at(&mut bytes, file.offset)?;
    let mut response = response;
    response.body = Body::Bytes(bytes);
    Ok(response)
}
// ANCHOR_END: read_files

fn main() -> std::io::Result<()> {
    let cli = match cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(cli::Refused::Usage(e)) => e.exit(),
        Err(cli::Refused::Setting(e)) => {
            eprintln!("read_files: {e}");
            std::process::exit(2);
        }
    };
    let mut settings = cli.settings;
    let root = std::mem::take(&mut settings.root);
    if root.is_empty() {
        eprintln!("read_files: --root DIR is needed");
        std::process::exit(2);
    }
    let files = Files::new(&root)?.list_directories(settings.list_directories);
    Builder::with_router(eventcore::workers::demo::routes())
        .settings(settings)
        .files("/", files)
        .middleware(|ctx, next| Ok(read_into_memory(next.run(ctx)?)?))
        .run()
}
