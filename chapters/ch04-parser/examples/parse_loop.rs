//! One request parsed many times, for counting instructions per parse
//! under callgrind (`bench/parser-instructions.sh`), where a criterion
//! benchmark's time would move by 10-20% from run to run on a busy
//! machine:
//!
//! ```text
//! cargo run --release -p ch04-parser --example parse_loop -- browser 1000
//! ```
//!
//! The request is one of `benches/support/requests.rs`: `wrk`,
//! `techempower`, `browser`, or `bytewise` (the browser's, one byte more
//! per call, as chapter 4's bytewise benchmark feeds it). A third argument,
//! `httparse`, parses with httparse instead, the benchmark's peer (not
//! bytewise: it has no state to resume from, so a byte-by-byte feed would
//! cost it a new parse per byte).

use std::hint::black_box;
use std::process::ExitCode;

use eventcore_http::{Parser, Progress};

#[path = "../benches/support/requests.rs"]
mod requests;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(which), Some(Ok(times))) = (args.next(), args.next().map(|n| n.parse::<usize>()))
    else {
        eprintln!("usage: parse_loop wrk|techempower|browser|bytewise TIMES");
        return ExitCode::from(2);
    };
    let (input, bytewise) = match which.as_str() {
        "wrk" => (requests::WRK, false),
        "techempower" => (requests::TECHEMPOWER, false),
        "browser" => (requests::BROWSER, false),
        "bytewise" => (requests::BROWSER, true),
        _ => {
            eprintln!("parse_loop: no request named {which:?}");
            return ExitCode::from(2);
        }
    };
    if args.next().as_deref() == Some("httparse") && !bytewise {
        return with_httparse(input, times);
    }
    let mut parser = Parser::default();
    let mut parsed = 0;
    for _ in 0..times {
        parser.reset();
        let ends = if bytewise {
            1..=input.len()
        } else {
            input.len()..=input.len()
        };
        for end in ends {
            if let Ok(Progress::Complete { len }) = parser.parse(black_box(&input[..end])) {
                parsed += len;
                break;
            }
        }
    }
    // Every parse must have completed, or the count measured something else.
    if parsed != times * input.len() {
        eprintln!("parse_loop: a parse did not complete");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn with_httparse(input: &[u8], times: usize) -> ExitCode {
    let mut parsed = 0;
    for _ in 0..times {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut request = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(len)) = request.parse(black_box(input)) {
            parsed += len;
        }
    }
    if parsed != times * input.len() {
        eprintln!("parse_loop: a parse did not complete");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
