//! RFC 9728 protected resource metadata of the reference MCP server, served at both
//! well-known URIs (path-inserted and root, RFC 9728 §3.1; MCP 2025-11-25 lets clients
//! probe either), or with the `prm-custom-location` knob only at a URL of the server's
//! choosing, which the challenge names (RFC 9728 §5.1).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::deployment::Deployment;
use crate::vocab::{ServerDefect as D, ServerKnob as K};

pub(super) const PATH_INSERTED: &str = "/.well-known/oauth-protected-resource/mcp";
pub(super) const ROOT: &str = "/.well-known/oauth-protected-resource";
/// Where `prm-custom-location` serves the metadata: no well-known URI, so only a client
/// that follows the challenge's `resource_metadata` finds it.
pub(super) const CUSTOM: &str = "/custom/resource-metadata";

/// The path the challenges name as `resource_metadata`.
pub(super) fn advertised_path(d: &Deployment) -> &'static str {
    if d.config.has_knob(K::PrmCustomLocation) || d.config.has(D::PrmAdvertisedWrongResource) {
        CUSTOM
    } else if d.config.has_knob(K::ResourceIsOrigin) || d.config.has_knob(K::McpAtOriginRoot) {
        // RFC 9728 §3.1: the metadata of a resource without a path is at the root URI.
        ROOT
    } else {
        PATH_INSERTED
    }
}

/// The absolute URL the challenges name as `resource_metadata`.
pub(super) fn advertised_url(d: &Deployment) -> String {
    format!("{}{}", d.origin, advertised_path(d))
}

pub(super) async fn path_inserted(State(d): State<Arc<Deployment>>) -> Response {
    let hidden = d.config.has(D::NoPrm)
        || d.config.has(D::PrmRootOnly)
        || d.config.has_knob(K::ResourceIsOrigin)
        || d.config.has_knob(K::McpAtOriginRoot);
    serve(&d, hidden || d.config.has_knob(K::PrmCustomLocation))
}

pub(super) async fn root(State(d): State<Arc<Deployment>>) -> Response {
    let hidden = d.config.has(D::NoPrm)
        || d.config.has(D::PrmPathOnly)
        || d.config.predates_resource_metadata();
    if d.config.has_knob(K::PrmTrapAtRoot) && !hidden {
        return trap(&d);
    }
    serve(&d, hidden || d.config.has_knob(K::PrmCustomLocation))
}

/// `prm-trap-at-root`: the root URI serves metadata naming an authorization server that
/// does not exist. A client that probes the root before the path-inserted URI (RFC 9728
/// §3.1 order, MCP 2025-11-25) is steered there and cannot authorize.
fn trap(d: &Deployment) -> Response {
    let mut doc = document(d);
    doc["authorization_servers"] = serde_json::json!([TRAP_AUTHORIZATION_SERVER]);
    axum::Json(doc).into_response()
}

/// A loopback address where nothing listens (port 9, "discard").
pub const TRAP_AUTHORIZATION_SERVER: &str = "http://127.0.0.1:9/trap";

/// The custom location: only with `prm-custom-location`; `no-prm` still hides it.
pub(super) async fn custom(State(d): State<Arc<Deployment>>) -> Response {
    if d.config.has(D::PrmAdvertisedWrongResource) && !d.config.predates_resource_metadata() {
        // Another path of the origin: RFC 9728 §3.3 makes clients discard it.
        let mut doc = document(&d);
        doc["resource"] = json!(format!("{}/other-mcp", d.origin));
        return axum::Json(doc).into_response();
    }
    let hidden = d.config.has(D::NoPrm) || !d.config.has_knob(K::PrmCustomLocation);
    serve(&d, hidden)
}

fn serve(d: &Deployment, hidden: bool) -> Response {
    // A 2025-03-26 server has no protected resource metadata at any URL.
    if hidden || d.config.predates_resource_metadata() {
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
        d.resource().to_string()
    };
    let mut m = json!({
        "resource": resource,
        "authorization_servers": [d.current_issuer()],
        "scopes_supported": d.config.scopes_supported(),
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
    // RFC 9728 §2: a resource that takes only DPoP-bound tokens says so, with the proof
    // algorithms it accepts (the DPoP extension's set-ups, RFC 9449 §7).
    if d.config.idp.dpop.is_some() {
        obj.insert("dpop_bound_access_tokens_required".into(), json!(true));
        obj.insert(
            "dpop_signing_alg_values_supported".into(),
            json!(crate::logic::dpop_view::DPOP_ALGORITHMS),
        );
    }
    if has(D::PrmOfflineAccess) {
        let mut scopes = d.config.scopes_supported();
        scopes.push("offline_access");
        obj.insert("scopes_supported".into(), json!(scopes));
    }
    m
}
