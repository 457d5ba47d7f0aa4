//! Parses one request from standard input and shows what the parser made
//! of it, or the error response a server would send.
//!
//! ```text
//! printf 'GET /hello?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n' | cargo run -p ch04-parser --example parse
//! printf 'GET / HTTP/1.1\r\nHost : example.com\r\n\r\n' | cargo run -p ch04-parser --example parse
//! ```

use std::io::{self, Read, Write};

use eventcore_buffer::Buffer;
use eventcore_http::response::Context;
use eventcore_http::{DateCache, Parser, Progress, Response, write_response};

// ANCHOR: main
fn main() -> io::Result<()> {
    let mut input = Vec::new();
    io::stdin().read_to_end(&mut input)?;
    let mut parser = Parser::default();
    match parser.parse(&input) {
        Ok(Progress::Complete { len }) => {
            let request = parser.request(&input);
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            println!("method     {}", text(request.method().as_bytes()));
            println!(
                "target     {} ({:?}-form)",
                text(request.target()),
                request.target_form()
            );
            println!("path       {}", text(request.path()));
            println!("query      {:?}", request.query().map(text));
            println!("version    {:?}", request.version());
            for (name, value) in request.headers() {
                println!("field      {}: {}", text(name), text(value));
            }
            println!(
                "body       {} bytes{}",
                request.body().len(),
                if request.is_chunked() {
                    " (chunked)"
                } else {
                    ""
                }
            );
            println!("keep-alive {}", request.keep_alive());
            println!("length     {len} of {} bytes read", input.len());
        }
        Ok(Progress::Partial) => println!("incomplete: the parser needs more bytes"),
        Err(error) => {
            println!("error: {error}; the server answers, then closes:\n");
            let mut out = Buffer::new();
            let context = Context {
                close: true,
                ..Context::default()
            };
            write_response(
                &mut out,
                &Response::error(error.status()),
                context,
                &DateCache::default(),
            );
            io::stdout().write_all(out.peek())?;
        }
    }
    Ok(())
}
// ANCHOR_END: main
