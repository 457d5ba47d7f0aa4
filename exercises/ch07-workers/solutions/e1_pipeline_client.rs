//! Exercise 1: a pipelining client (reference solution).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};

/// A status code and a body.
type Answer = (u16, Vec<u8>);

pub fn pipeline(addr: SocketAddr, paths: &[&str]) -> io::Result<Vec<Answer>> {
    let mut stream = TcpStream::connect(addr)?;
    let batch: String = paths
        .iter()
        .map(|path| format!("GET {path} HTTP/1.1\r\nHost: exercise\r\n\r\n"))
        .collect();
    stream.write_all(batch.as_bytes())?;

    let mut input = Vec::new();
    let mut answers = Vec::with_capacity(paths.len());
    let mut chunk = [0u8; 16 * 1024];
    while answers.len() < paths.len() {
        if let Some((answer, used)) = take_response(&input)? {
            answers.push(answer);
            input.drain(..used);
            continue;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        input.extend_from_slice(&chunk[..n]);
    }
    Ok(answers)
}

/// The first complete response in `input` and how many bytes it took, or
/// `None` if it has not all arrived.
fn take_response(input: &[u8]) -> io::Result<Option<(Answer, usize)>> {
    let Some(end) = input.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&input[..end]).map_err(io::Error::other)?;
    let status = head
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::other("no status code"))?;
    let length = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map(|(_, value)| value.trim().parse::<usize>())
        .transpose()
        .map_err(io::Error::other)?
        .unwrap_or(0);
    let body_start = end + 4;
    if input.len() < body_start + length {
        return Ok(None);
    }
    let body = input[body_start..body_start + length].to_vec();
    Ok(Some(((status, body), body_start + length)))
}
