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

/// Deliberate flaws of the document (the reference client's CIMD defects).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DocumentFlaws {
    /// The URL, the client_id, ends in `#client`.
    pub fragment: bool,
    /// The document's client_id is not its URL.
    pub other_client_id: bool,
    /// A client_secret and a shared-secret token_endpoint_auth_method.
    pub secret: bool,
    /// redirect_uris list another URI than the one the client sends.
    pub unlisted_redirect_uri: bool,
    /// Neither client_name nor redirect_uris, both of which the document must have.
    pub missing_fields: bool,
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
pub(super) async fn serve_document(
    client_name: &str,
    redirect_uri: &str,
    application_type: Option<&str>,
    flaws: DocumentFlaws,
) -> Result<ServedDocument, String> {
    let bound = bind_loopback().await.map_err(|e| {
        format!("cannot listen on loopback for the client ID metadata document: {e}")
    })?;
    let addr = bound
        .local_addr()
        .map_err(|e| format!("cannot read the document's loopback port: {e}"))?;
    let mut url = format!("http://{addr}{PATH}");
    if flaws.fragment {
        url.push_str("#client");
    }
    let listed = if flaws.unlisted_redirect_uri {
        "http://127.0.0.1:1/elsewhere".to_string()
    } else {
        redirect_uri.to_string()
    };
    let mut body = document(&url, client_name, &listed, application_type);
    if flaws.other_client_id {
        body["client_id"] = json!(format!("{url}/other"));
    }
    if flaws.missing_fields {
        if let Some(members) = body.as_object_mut() {
            members.remove("client_name");
            members.remove("redirect_uris");
        }
    }
    if flaws.secret {
        body["client_secret"] = json!("a-secret-no-document-may-hold");
        body["token_endpoint_auth_method"] = json!("client_secret_basic");
    }
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
