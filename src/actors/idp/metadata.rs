//! Authorization server metadata (RFC 8414 §2) and the JWKS (RFC 7517 §5), served at
//! every probe URL MCP clients use: RFC 8414 path-inserted, OpenID Connect Discovery
//! path-inserted (MCP 2025-11-25+) and path-appended (OIDC Discovery §4).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::auth_methods::{advertised, offered};
use super::state::IdpState;
use crate::actors::traffic::serves;
use crate::vocab::{Endpoint, IdpDefect as D};

pub const JWKS_PATH: &str = "jwks";

/// Routes at the origin (well-known URIs) for the issuer's path.
pub fn routes(state: Arc<IdpState>) -> Router {
    let path = state.config.issuer_path.clone().unwrap_or_default();
    let mut r = Router::new()
        .route(
            &format!("/.well-known/oauth-authorization-server{path}"),
            serves(Endpoint::AsMetadata, get(rfc8414)),
        )
        .route(
            &format!("/.well-known/openid-configuration{path}"),
            serves(Endpoint::AsMetadata, get(openid)),
        );
    if !path.is_empty() {
        r = r.route(
            &format!("{path}/.well-known/openid-configuration"),
            serves(Endpoint::AsMetadata, get(openid)),
        );
    }
    r.route(
        &format!("{path}/{JWKS_PATH}"),
        serves(Endpoint::Jwks, get(jwks)),
    )
    .with_state(state)
}

async fn rfc8414(State(s): State<Arc<IdpState>>) -> Response {
    if s.has(D::MetadataMissing) || s.has(D::MetadataOidcOnly) {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(document(&s)).into_response()
}

async fn openid(State(s): State<Arc<IdpState>>) -> Response {
    if s.has(D::MetadataMissing) {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(document(&s)).into_response()
}

async fn jwks(State(s): State<Arc<IdpState>>) -> Response {
    Json(s.keys.jwks_json()).into_response()
}

/// The metadata document, with the configured defects applied.
pub fn document(s: &IdpState) -> Value {
    let mut m = json!({
        "issuer": s.issuer,
        "authorization_endpoint": s.endpoint("authorize"),
        "token_endpoint": s.endpoint("token"),
        "registration_endpoint": s.endpoint("register"),
        "introspection_endpoint": s.endpoint("introspect"),
        "jwks_uri": s.endpoint(JWKS_PATH),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": advertised(s),
        "introspection_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": s.config.scopes_supported,
        "authorization_response_iss_parameter_supported": true,
        // OpenID Connect Discovery §3 requires these; harmless for OAuth clients.
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let Some(obj) = m.as_object_mut() else {
        return m;
    };
    // MCP 2025-11-25 "Client ID Metadata Documents": advertised only where the revision
    // has them, and only when public clients are served, since a document client has no
    // secret (the draft forbids shared-secret methods for it).
    if cimd_supported(s) && !s.has(D::CimdNotAdvertised) {
        obj.insert("client_id_metadata_document_supported".into(), json!(true));
    }
    if s.has(D::MetadataIssuerMismatch) {
        // Another tenant's issuer: a mismatch no reading of the input explains.
        obj.insert("issuer".into(), json!(format!("{}/other-tenant", s.issuer)));
    }
    if s.has(D::MetadataIssuerWithQuery) {
        obj.insert("issuer".into(), json!(format!("{}?tenant=mcp", s.issuer)));
    }
    if s.has(D::MetadataNoS256) {
        obj.remove("code_challenge_methods_supported");
    }
    if s.has(D::MetadataPlainPkceOnly) {
        obj.insert("code_challenge_methods_supported".into(), json!(["plain"]));
    }
    if s.has(D::MetadataNoCodeResponseType) {
        obj.insert("response_types_supported".into(), json!(["token"]));
    }
    if s.has(D::MetadataNoRegistration) {
        obj.remove("registration_endpoint");
        obj.remove("client_id_metadata_document_supported");
    }
    if s.has(D::MetadataInsecureTokenEndpoint) {
        obj.insert(
            "token_endpoint".into(),
            json!("http://as.example.test/token"),
        );
    }
    if s.has(D::MetadataInsecureOptionalEndpoints) {
        for (name, path) in [
            ("registration_endpoint", "register"),
            ("jwks_uri", JWKS_PATH),
            ("introspection_endpoint", "introspect"),
        ] {
            if obj.contains_key(name) {
                obj.insert(name.into(), json!(format!("http://as.example.test/{path}")));
            }
        }
    }
    if s.has(D::MetadataNoTokenEndpoint) {
        obj.remove("token_endpoint");
    }
    // RFC 9207 §3: a server that sends iss must say so with this flag, or clients that
    // rely on metadata cannot tell that a missing iss is an attack.
    if s.has(D::IssuesWithoutIssFlag) {
        obj.remove("authorization_response_iss_parameter_supported");
    }
    m
}

/// Whether this server takes client ID metadata documents (`cimd.rs`): in revisions that
/// have them, when it serves public clients, unless the defect hides every registration
/// approach.
pub fn cimd_supported(s: &IdpState) -> bool {
    s.config.revision_has_cimd()
        && offered(s).contains(&"none")
        && !s.has(D::MetadataNoRegistration)
        && !s.has(D::CimdUnsupported)
}
