//! The seed's response helpers (`make_json`, `make_html`, `make_404`), as
//! thin names over chapter 4's [`Response`]; with the `json` feature, a
//! JSON response from any `serde::Serialize` value.

use eventcore_http::Response;

/// `200`, `Content-Type: application/json`, the body as given.
pub fn make_json(body: impl Into<String>) -> Response {
    Response::json(body.into())
}

/// `200`, `Content-Type: text/html; charset=utf-8`.
pub fn make_html(body: impl Into<String>) -> Response {
    Response::html(body.into())
}

/// `404 Not Found` with a short text body.
pub fn make_404() -> Response {
    Response::error(404)
}

/// `200` with `value` serialized as JSON; an error (for the error handler,
/// 500 by default) if it cannot be.
#[cfg(feature = "json")]
pub fn json<T: serde::Serialize>(value: &T) -> Result<Response, eventcore_router::Error> {
    Ok(Response::json(serde_json::to_string(value)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_set_status_and_type() {
        let json = make_json(r#"{"a":1}"#);
        assert_eq!(
            (json.status, json.content_type()),
            (200, Some("application/json"))
        );
        assert_eq!(
            make_html("<p>").content_type(),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(make_404().status, 404);
    }

    #[cfg(feature = "json")]
    #[test]
    fn json_serializes() {
        let response = json(&std::collections::BTreeMap::from([("id", 7)])).unwrap();
        assert_eq!(response.body.as_bytes(), br#"{"id":7}"#);
    }
}
