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

use super::auth_methods::{advertised, offered, PRIVATE_KEY_JWT};
use super::client_assertion::ASSERTION_ALGORITHMS;
use super::state::IdpState;
use crate::actors::traffic::serves;
use crate::logic::dpop_view::DPOP_ALGORITHMS;
use crate::vocab::oauth_urns::JWT_BEARER_GRANT;
use crate::vocab::{Endpoint, IdpDefect as D, IdpKnob as K};

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
            serves(Endpoint::AsMetadata, get(openid_inserted)),
        );
    if !path.is_empty() {
        r = r.route(
            &format!("{path}/.well-known/openid-configuration"),
            serves(Endpoint::AsMetadata, get(openid)),
        );
    }
    r.route(
        &format!("{}/{JWKS_PATH}", state.endpoint_root_path()),
        serves(Endpoint::Jwks, get(jwks)),
    )
    .with_state(state)
}

async fn rfc8414(State(s): State<Arc<IdpState>>) -> Response {
    if s.has(D::MetadataMissing) || s.has(D::MetadataOidcOnly) || appended_only(&s) {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(document(&s)).into_response()
}

async fn openid(State(s): State<Arc<IdpState>>) -> Response {
    if s.has(D::MetadataMissing) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut doc = document(&s);
    if s.has_knob(K::OidcDocumentDiffers) {
        // Endpoints this server does not serve: only a client that used this document
        // although RFC 8414 metadata came first in its probe order goes there.
        for (name, path) in [
            ("authorization_endpoint", "oidc/authorize"),
            ("token_endpoint", "oidc/token"),
            ("registration_endpoint", "oidc/register"),
        ] {
            if let Some(member) = doc.get_mut(name) {
                *member = json!(s.endpoint(path));
            }
        }
    }
    Json(doc).into_response()
}

/// The OpenID Connect URI at the origin, with the issuer's path after the well-known
/// part (MCP 2025-11-25's path-inserted form; for an issuer without a path, the one
/// OpenID Connect URI there is).
async fn openid_inserted(State(s): State<Arc<IdpState>>) -> Response {
    if appended_only(&s) {
        return StatusCode::NOT_FOUND.into_response();
    }
    openid(State(s)).await
}

/// The `oidc-path-appended-only` knob, for an issuer with a path (without one, the
/// path-appended URI is the root one, which stays served).
fn appended_only(s: &IdpState) -> bool {
    s.has_knob(K::OidcPathAppendedOnly) && s.config.issuer_path.is_some()
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
    // The OAuth client credentials extension ("Server Metadata Requirements"): with a
    // machine client, the grant and, for private_key_jwt, the assertion algorithms.
    let mut grants = vec!["authorization_code", "refresh_token"];
    if machine_clients(s) {
        grants.push("client_credentials");
    }
    // RFC 7523 §2.1, for enterprise-managed authorization and workload identity.
    if s.config.assertion_grant.is_some() {
        grants.push(JWT_BEARER_GRANT);
    }
    obj.insert("grant_types_supported".into(), json!(grants));
    if advertised(s).contains(&PRIVATE_KEY_JWT) && !s.has(D::NoAssertionAlgorithms) {
        obj.insert(
            "token_endpoint_auth_signing_alg_values_supported".into(),
            json!(ASSERTION_ALGORITHMS),
        );
    }
    // RFC 9449 §5.1; SEP-1932 "Authorization Server Metadata": asymmetric algorithms only.
    if s.config.dpop.is_some() {
        obj.insert(
            "dpop_signing_alg_values_supported".into(),
            json!(DPOP_ALGORITHMS),
        );
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
    if let Some(hostile) = hostile_authorization_endpoint(s) {
        obj.insert("authorization_endpoint".into(), json!(hostile));
    }
    m
}

/// The canary of `authorization-endpoint-shell-syntax`: a query parameter whose value a
/// shell would replace by its working directory. `pwd` changes nothing anywhere.
pub const SHELL_CANARY: &str = "$(pwd)";

/// The plain-http, non-loopback host of `metadata-insecure-authorization-endpoint`.
pub const INSECURE_HOST: &str = "as.mcp-authspec.invalid";

/// The authorization endpoint a hostile server names instead of its own (MCP Security
/// Best Practices, "OAuth Authorization URL Validation").
fn hostile_authorization_endpoint(s: &IdpState) -> Option<String> {
    if s.has(D::AuthorizationEndpointJavascript) {
        Some("javascript:alert(document.domain)//".into())
    } else if s.has(D::AuthorizationEndpointFile) {
        Some("file:///etc/passwd".into())
    } else if s.has(D::MetadataInsecureAuthorizationEndpoint) {
        // RFC 6761 §6.4: `.invalid` names never resolve, so no request reaches a server.
        let port = s.origin.rsplit(':').next().unwrap_or_default();
        Some(format!("http://{INSECURE_HOST}:{port}/authorize"))
    } else if s.has(D::AuthorizationEndpointShellSyntax) {
        // RFC 6749 §3.1: the endpoint may have a query, which the client keeps.
        Some(format!("{}?canary={SHELL_CANARY}", s.endpoint("authorize")))
    } else {
        None
    }
}

/// Whether this server takes client ID metadata documents (`cimd.rs`): in revisions that
/// have them, when it serves public clients, unless the defect hides every registration
/// approach.
pub fn cimd_supported(s: &IdpState) -> bool {
    s.config.revision_has_cimd()
        && offered(s).contains(&"none")
        && !s.has(D::MetadataNoRegistration)
        && !s.has(D::CimdUnsupported)
        && !s.has_knob(K::NoClientIdMetadataDocuments)
}

/// Whether the server implements the client credentials extension, or a pre-registered
/// client uses its grant.
fn machine_clients(s: &IdpState) -> bool {
    s.config.client_credentials
        || s.config
            .preregistered
            .iter()
            .any(|c| c.grant_types.iter().any(|g| g == "client_credentials"))
}
