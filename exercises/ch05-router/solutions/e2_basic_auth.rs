//! Exercise 2: a Basic authentication middleware (reference solution).

use eventcore_http::Response;
use eventcore_router::{Ctx, HandlerResult, Next};

/// A middleware that lets a request through only with the right credentials.
pub fn basic_auth(
    user: &'static str,
    password: &'static str,
) -> impl Fn(&Ctx<'_>, Next<'_>) -> HandlerResult + Send + Sync + 'static {
    let expected = format!("{user}:{password}").into_bytes();
    move |ctx: &Ctx<'_>, next: Next<'_>| {
        let given = ctx.request.header("authorization").and_then(|value| {
            let (scheme, token) = value.split_at(value.iter().position(|&b| b == b' ')?);
            scheme
                .eq_ignore_ascii_case(b"basic")
                .then(|| base64_decode(&token[1..]))?
        });
        if given.as_deref() == Some(&expected[..]) {
            next.run(ctx)
        } else {
            Ok(Response::error(401).with_header("WWW-Authenticate", "Basic realm=\"eventcore\""))
        }
    }
}

/// Standard base64 with padding (RFC 4648 section 4); `None` if malformed.
fn base64_decode(input: &[u8]) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    if input.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    for (i, quad) in input.chunks(4).enumerate() {
        let last = i == input.len() / 4 - 1;
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = n << 6 | value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}
