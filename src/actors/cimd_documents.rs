//! The client ID metadata documents an authorization-server run serves from its loopback
//! client (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25 "Client ID
//! Metadata Documents"): one valid document and one per way a document can be wrong, so
//! that the CIMD cases can ask whether the server under test fetches and judges them.
//! Each is served at `<cimd_base>/<name>.json`, its `client_id` that URL.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

/// The documents, by name. `missing` is not among them: its URL answers 404; nor is
/// `unavailable-once`, which answers 500 to its first fetch (see `routes`).
const NAMES: &[&str] = &[
    "valid",
    "other-client-id",
    "redirect-not-listed",
    "invalid-json",
    "no-redirect-uris",
    "shared-secret-method",
    "with-client-secret",
];

/// The size of the `oversized` document: the valid one padded with JSON whitespace to
/// 5 MiB, more than 1000 times the 5 kilobytes draft-ietf-oauth-client-id-metadata-document-00
/// §6.6 recommends as the maximum.
pub const OVERSIZED_BYTES: usize = 5 * 1024 * 1024;

/// Routes serving every document below `base` (an absolute URL path prefix on this
/// listener), for a client whose redirect URI is `redirect_uri`.
pub fn routes(base: &str, redirect_uri: &str) -> Router {
    let path = url::Url::parse(base)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| "/cimd".into());
    // `oversized`: built once, when first asked for, and shared by every fetch, so the
    // harness holds one copy whatever the server does.
    let valid = document(base, redirect_uri, "oversized");
    let oversized: Arc<OnceLock<Bytes>> = Arc::default();
    let mut router = Router::new().route(
        &format!("{path}/oversized.json"),
        get(move || async move {
            let body = oversized
                .get_or_init(|| padded(&valid, OVERSIZED_BYTES))
                .clone();
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }),
    );
    for name in NAMES {
        let body = document(base, redirect_uri, name);
        router = router.route(
            &format!("{path}/{name}.json"),
            get(move || async move { serve(body) }),
        );
    }
    // `unavailable-once`: a server error at the first fetch, the valid document after
    // (the draft's Metadata Caching: an error response is not to be cached).
    let body = document(base, redirect_uri, "unavailable-once");
    let failed_once = Arc::new(AtomicBool::new(false));
    router.route(
        &format!("{path}/unavailable-once.json"),
        get(move || async move {
            if failed_once.swap(true, Ordering::SeqCst) {
                serve(body)
            } else {
                (StatusCode::INTERNAL_SERVER_ERROR, "temporarily unavailable").into_response()
            }
        }),
    )
}

fn serve(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// `document` (a JSON object) with insignificant whitespace (RFC 8259 §2) before its
/// closing brace, `size` bytes in all: still the same JSON object.
fn padded(document: &str, size: usize) -> Bytes {
    let open = document.strip_suffix('}').unwrap_or(document);
    let mut body = Vec::with_capacity(size.max(document.len()));
    body.extend_from_slice(open.as_bytes());
    body.resize(size.saturating_sub(1).max(open.len()), b' ');
    body.push(b'}');
    Bytes::from(body)
}

/// The text of one document.
fn document(base: &str, redirect_uri: &str, name: &str) -> String {
    let url = format!("{base}/{name}.json");
    // MCP 2025-11-25: client_id, client_name and redirect_uris at least; a public client
    // (the draft forbids shared secrets for document clients).
    let mut doc = json!({
        "client_id": url,
        "client_name": "mcp-authspec document client",
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    let obj = doc.as_object_mut().expect("a JSON object");
    match name {
        "other-client-id" => {
            obj.insert("client_id".into(), json!(format!("{base}/valid.json")));
        }
        "redirect-not-listed" => {
            obj.insert(
                "redirect_uris".into(),
                json!(["https://client.mcp-authspec.example/callback"]),
            );
        }
        // A document cut short: not JSON at all.
        "invalid-json" => return format!("{}, \"trailing\": ", doc),
        "no-redirect-uris" => {
            obj.remove("redirect_uris");
        }
        "shared-secret-method" => {
            obj.insert(
                "token_endpoint_auth_method".into(),
                json!("client_secret_basic"),
            );
        }
        "with-client-secret" => {
            obj.insert(
                "client_secret".into(),
                json!("mcp-authspec-document-secret"),
            );
        }
        _ => {}
    }
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn each_document_is_wrong_in_its_one_way() {
        let base = "http://127.0.0.1:9/cimd";
        let r = "http://127.0.0.1:9/callback";
        let parse = |n: &str| serde_json::from_str::<Value>(&document(base, r, n));
        let valid = parse("valid").unwrap();
        assert_eq!(valid["client_id"], "http://127.0.0.1:9/cimd/valid.json");
        assert_eq!(valid["redirect_uris"], json!([r]));
        assert_ne!(
            parse("other-client-id").unwrap()["client_id"],
            "http://127.0.0.1:9/cimd/other-client-id.json"
        );
        assert!(parse("invalid-json").is_err());
        assert!(parse("no-redirect-uris")
            .unwrap()
            .get("redirect_uris")
            .is_none());
        assert_eq!(
            parse("shared-secret-method").unwrap()["token_endpoint_auth_method"],
            "client_secret_basic"
        );
        assert!(parse("with-client-secret")
            .unwrap()
            .get("client_secret")
            .is_some());
    }

    #[test]
    fn the_oversized_document_is_the_valid_one_padded_with_whitespace() {
        let base = "http://127.0.0.1:9/cimd";
        let r = "http://127.0.0.1:9/callback";
        let body = padded(&document(base, r, "oversized"), 10_000);
        assert_eq!(body.len(), 10_000);
        let parsed: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            parsed["client_id"],
            "http://127.0.0.1:9/cimd/oversized.json"
        );
        assert_eq!(parsed["redirect_uris"], json!([r]));
    }
}
