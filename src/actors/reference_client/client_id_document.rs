//! The reference client's own client ID metadata document (MCP 2025-11-25 "Client ID
//! Metadata Documents", draft-ietf-oauth-client-id-metadata-document), served on a
//! loopback port for the run: its URL is the client's `client_id`, and the
//! authorization server fetches it to learn the client's redirect URIs.

use std::sync::Arc;

use axum::http::header;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::actors::listener::{bind_loopback, serve_listener, Listening};

/// Where on its port the document is served: the URL must have a path (MCP "Client ID
/// Metadata Documents").
const PATH: &str = "/client-metadata.json";

/// A served document; dropping the last clone stops its listener.
#[derive(Clone)]
pub(super) struct ServedDocument {
    /// The document's URL, which is the client_id.
    pub url: String,
    _listening: Arc<Listening>,
}

impl std::fmt::Debug for ServedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServedDocument({})", self.url)
    }
}

/// The document's contents: the required client_id, client_name and redirect_uris, the
/// grants the client uses, and `none`, since no secret can be shared with a document
/// client (the draft forbids shared-secret methods).
fn document(
    url: &str,
    client_name: &str,
    redirect_uri: &str,
    application_type: Option<&str>,
) -> Value {
    let mut doc = json!({
        "client_id": url,
        "client_name": client_name,
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    if let Some(kind) = application_type {
        doc["application_type"] = json!(kind);
    }
    doc
}

/// Serves the document on `http://127.0.0.1:<port>/client-metadata.json` until dropped.
/// `with_fragment` (the `cimd-url-with-fragment` defect) names it with `#client` added,
/// in the document too.
pub(super) async fn serve_document(
    client_name: &str,
    redirect_uri: &str,
    application_type: Option<&str>,
    with_fragment: bool,
) -> Result<ServedDocument, String> {
    let bound = bind_loopback().await.map_err(|e| {
        format!("cannot listen on loopback for the client ID metadata document: {e}")
    })?;
    let addr = bound
        .local_addr()
        .map_err(|e| format!("cannot read the document's loopback port: {e}"))?;
    let mut url = format!("http://{addr}{PATH}");
    if with_fragment {
        url.push_str("#client");
    }
    let body = document(&url, client_name, redirect_uri, application_type);
    let router = Router::new().route(
        PATH,
        get(move || {
            let body = body.clone();
            async move { ([(header::CACHE_CONTROL, "no-store")], Json(body)) }
        }),
    );
    let listening = serve_listener(bound, router)
        .map_err(|e| format!("cannot serve the client ID metadata document: {e}"))?;
    Ok(ServedDocument {
        url,
        _listening: Arc::new(listening),
    })
}
