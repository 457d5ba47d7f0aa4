//! Exercise 1: decode a query string (reference solution).

/// A `%` not followed by two hex digits, or bytes that are not UTF-8 once decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadQuery;

/// Splits `query` at `&` into `name=value` pairs and decodes both sides.
pub fn parse_query(query: &[u8]) -> Result<Vec<(String, String)>, BadQuery> {
    query
        .split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(eq) => (&piece[..eq], &piece[eq + 1..]),
                None => (piece, &b""[..]),
            };
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

fn decode(encoded: &[u8]) -> Result<String, BadQuery> {
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut i = 0;
    while i < encoded.len() {
        match encoded[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = encoded.get(i + 1..i + 3).ok_or(BadQuery)?;
                let hi = (hex[0] as char).to_digit(16).ok_or(BadQuery)?;
                let lo = (hex[1] as char).to_digit(16).ok_or(BadQuery)?;
                bytes.push((hi * 16 + lo) as u8);
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| BadQuery)
}
