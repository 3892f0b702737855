//! RFC 9728 protected resource metadata of the reference MCP server, served at both
//! well-known URIs (path-inserted and root, RFC 9728 §3.1; MCP 2025-11-25 lets clients
//! probe either).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::deployment::Deployment;
use crate::vocab::ServerDefect as D;

pub(super) const PATH_INSERTED: &str = "/.well-known/oauth-protected-resource/mcp";
pub(super) const ROOT: &str = "/.well-known/oauth-protected-resource";

pub(super) async fn path_inserted(State(d): State<Arc<Deployment>>) -> Response {
    let hidden = d.config.has(D::NoPrm) || d.config.has(D::PrmRootOnly);
    serve(&d, hidden)
}

pub(super) async fn root(State(d): State<Arc<Deployment>>) -> Response {
    let hidden = d.config.has(D::NoPrm) || d.config.has(D::PrmPathOnly);
    serve(&d, hidden)
}

fn serve(d: &Deployment, hidden: bool) -> Response {
    if hidden {
        return StatusCode::NOT_FOUND.into_response();
    }
    if d.config.has(D::PrmNotJson) {
        let html = "<!doctype html><title>Metadata</title><p>See the documentation.</p>";
        return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    }
    let content_type = if d.config.has(D::PrmWrongContentType) {
        "text/plain"
    } else {
        "application/json"
    };
    let body = serde_json::to_string(&document(d)).unwrap_or_default();
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The metadata document (RFC 9728 §2).
pub(super) fn document(d: &Deployment) -> Value {
    let has = |x| d.config.has(x);
    let resource = if has(D::PrmWrongResource) {
        "http://other.example/mcp".to_string()
    } else if has(D::PrmResourceOriginOnly) {
        d.origin.clone()
    } else {
        d.mcp_url.clone()
    };
    let mut m = json!({
        "resource": resource,
        "authorization_servers": [d.issuer],
        "scopes_supported": ["mcp:tools"],
        "bearer_methods_supported": ["header"],
        "resource_name": "mcp-authspec reference server",
    });
    let obj = m.as_object_mut().expect("literal object");
    if has(D::PrmMissingAuthorizationServers) {
        obj.remove("authorization_servers");
    }
    if has(D::PrmInsecureAuthorizationServer) {
        obj.insert(
            "authorization_servers".into(),
            json!(["http://as.example.test"]),
        );
    }
    if has(D::PrmOffersQuery) {
        obj.insert(
            "bearer_methods_supported".into(),
            json!(["header", "query"]),
        );
    }
    if has(D::PrmNoScopesSupported) {
        obj.remove("scopes_supported");
    }
    if has(D::PrmOfflineAccess) {
        obj.insert(
            "scopes_supported".into(),
            json!(["mcp:tools", "offline_access"]),
        );
    }
    m
}
