//! An exchange as it would look on the wire (request line, headers, body; then the status,
//! headers, body, or what replaced the response), and a sent token decoded: the text the
//! Markdown report and the HTML pages show, each cutting bodies and header values its own
//! way.

use std::fmt::Write as _;

use crate::vocab::{Exchange, HeaderPair, SentToken};

/// How a writer cuts what a target sent before showing it.
pub(super) struct Cuts<'a> {
    pub body: &'a dyn Fn(&str) -> String,
    pub header_value: &'a dyn Fn(&str) -> String,
}

/// The request: its line, headers and body.
pub(super) fn request_text(exchange: &Exchange, cuts: &Cuts<'_>) -> String {
    let mut text = format!("{} {}\n", exchange.method, exchange.url);
    headers(&mut text, &exchange.request_headers, cuts);
    if let Some(body) = &exchange.request_body {
        let _ = writeln!(text, "\n{}", (cuts.body)(body));
    }
    text
}

/// The response (status, headers, body), or `[no response]`, and the transport error
/// that ended the exchange, if any.
pub(super) fn response_text(exchange: &Exchange, cuts: &Cuts<'_>) -> String {
    let mut text = String::new();
    match exchange.status {
        Some(status) => {
            let _ = writeln!(text, "HTTP {status}");
            headers(&mut text, &exchange.response_headers, cuts);
            if let Some(body) = exchange.response_body.as_deref().filter(|b| !b.is_empty()) {
                let _ = writeln!(text, "\n{}", (cuts.body)(body));
            }
            if exchange.response_truncated {
                text.push_str("[truncated by harness at body limit]\n");
            }
        }
        None => text.push_str("[no response]\n"),
    }
    if let Some(err) = &exchange.transport_error {
        let _ = writeln!(text, "[transport error: {err}]");
    }
    text
}

fn headers(text: &mut String, headers: &[HeaderPair], cuts: &Cuts<'_>) {
    for h in headers {
        let _ = writeln!(text, "{}: {}", h.name, (cuts.header_value)(&h.value));
    }
}

/// The decoded token as JSON: header, claims and what stood for the signature.
pub(super) fn token_text(token: &SentToken) -> String {
    let view = serde_json::json!({
        "header": token.header,
        "claims": token.claims,
        "signature": token.signature,
    });
    serde_json::to_string_pretty(&view).unwrap_or_default()
}
