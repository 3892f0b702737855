//! The answers every step of the proxy gives: a page that stops the flow, a redirect.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// An error page: nothing is forwarded, nobody is redirected (RFC 6749 §4.1.2.1: an
/// invalid client or redirect URI is reported to the user, not to the URI).
pub(super) fn error_page(status: StatusCode, why: &str) -> Response {
    let body = format!(
        "<!doctype html><title>Authorization failed</title><p>{}</p>",
        escape(why)
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A 302 to `location`, setting these cookies.
pub(super) fn redirect(location: String, cookies: Vec<String>) -> Response {
    let mut r = (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
    for c in cookies {
        if let Ok(v) = c.parse() {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

/// `uri` with these query parameters added (RFC 6749 §4.1.2).
pub(super) fn with_params(uri: &str, params: &[(&str, &str)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut u) => {
            u.query_pairs_mut().extend_pairs(params);
            u.to_string()
        }
        Err(_) => uri.to_string(),
    }
}

/// HTML text escaping for values the page shows.
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
