//! The authorization server side of the reference deployment: RFC 8414 and OpenID Connect
//! Discovery metadata, and endpoints that answer malformed requests with OAuth errors.
//! The same router also serves the 2025-03-26 profile, where the MCP server is its own
//! authorization server at its origin.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::deployment::Deployment;
use crate::vocab::ServerDefect as D;

/// Whose metadata a router serves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Profile {
    /// The separate authorization server (2025-06-18 and later).
    Separate,
    /// The MCP server as its own authorization server (2025-03-26).
    Legacy,
}

#[derive(Clone)]
struct AsState {
    deployment: Arc<Deployment>,
    profile: Profile,
}

impl AsState {
    fn issuer(&self) -> &str {
        match self.profile {
            Profile::Separate => &self.deployment.issuer,
            Profile::Legacy => &self.deployment.origin,
        }
    }

    fn has(&self, d: D) -> bool {
        self.deployment.config.has(d)
    }

    fn serves_nothing(&self) -> bool {
        match self.profile {
            Profile::Separate => self.has(D::AsMetadataMissing),
            Profile::Legacy => self.has(D::LegacyNoMetadataNoDefaults),
        }
    }
}

/// The router of the separate authorization server.
pub(super) fn router(deployment: Arc<Deployment>) -> Router {
    build(AsState {
        deployment,
        profile: Profile::Separate,
    })
}

/// Routes the MCP server adds for the 2025-03-26 profile (origin metadata, default
/// endpoints `/authorize`, `/token`, `/register`).
pub(super) fn legacy_routes(deployment: Arc<Deployment>) -> Router {
    build(AsState {
        deployment,
        profile: Profile::Legacy,
    })
}

fn build(state: AsState) -> Router {
    let mut r = Router::new()
        .route("/.well-known/oauth-authorization-server", get(rfc8414))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/register", post(register));
    if state.profile == Profile::Separate {
        r = r.route(
            "/.well-known/openid-configuration",
            get(openid_configuration),
        );
    }
    r.with_state(state)
}

async fn rfc8414(State(s): State<AsState>) -> Response {
    let hidden =
        s.serves_nothing() || (s.profile == Profile::Separate && s.has(D::AsMetadataOidcOnly));
    if hidden {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(metadata(&s)).into_response()
}

async fn openid_configuration(State(s): State<AsState>) -> Response {
    if s.serves_nothing() {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(metadata(&s)).into_response()
}

fn metadata(s: &AsState) -> Value {
    let issuer = s.issuer();
    let mut m = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "registration_endpoint": format!("{issuer}/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "scopes_supported": ["mcp:tools"],
        "client_id_metadata_document_supported": true,
        "authorization_response_iss_parameter_supported": true,
    });
    if s.profile == Profile::Legacy {
        return m;
    }
    let obj = m.as_object_mut().expect("literal object");
    if s.has(D::AsMetadataIssuerMismatch) {
        obj.insert("issuer".into(), json!(format!("{issuer}/")));
    }
    if s.has(D::AsMetadataNoPkce) {
        obj.remove("code_challenge_methods_supported");
    }
    if s.has(D::AsMetadataPlainOnly) {
        obj.insert("code_challenge_methods_supported".into(), json!(["plain"]));
    }
    if s.has(D::AsMetadataNoCodeResponseType) {
        obj.insert("response_types_supported".into(), json!(["token"]));
    }
    if s.has(D::AsMetadataNoRegistration) {
        obj.remove("registration_endpoint");
        obj.remove("client_id_metadata_document_supported");
    }
    if s.has(D::AsMetadataInsecureEndpoint) {
        obj.insert(
            "token_endpoint".into(),
            json!("http://as.example.test/token"),
        );
    }
    if s.has(D::AsMetadataNoTokenEndpoint) {
        obj.remove("token_endpoint");
    }
    m
}

/// RFC 6749 §4.1.2.1: without a valid client and redirect URI the server must not
/// redirect; it answers the user agent directly.
async fn authorize(State(s): State<AsState>) -> Response {
    oauth_error(
        &s,
        "invalid_request",
        "client_id and redirect_uri are required",
    )
}

/// RFC 6749 §5.2 error shape.
async fn token(State(s): State<AsState>) -> Response {
    oauth_error(&s, "invalid_request", "grant_type is required")
}

/// RFC 7591 §3.2.2 error shape.
async fn register(State(s): State<AsState>) -> Response {
    oauth_error(&s, "invalid_client_metadata", "redirect_uris is required")
}

fn oauth_error(s: &AsState, error: &str, description: &str) -> Response {
    if s.serves_nothing() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let body = Json(json!({"error": error, "error_description": description}));
    (
        StatusCode::BAD_REQUEST,
        [("cache-control", "no-store")],
        body,
    )
        .into_response()
}
