//! The 2025-03-26 profile, where the MCP server is its own authorization server: RFC 8414
//! metadata at the MCP origin and the default endpoints `/authorize`, `/token` and
//! `/register` (2025-03-26 "Fallbacks for Servers without Metadata Discovery"), which
//! answer malformed requests with OAuth errors. From 2025-06-18 the deployment's
//! authorization server is the mock IdP.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::deployment::Deployment;
use crate::actors::idp::DEFAULT_SCOPE;
use crate::vocab::ServerDefect as D;

#[derive(Clone)]
struct AsState {
    deployment: Arc<Deployment>,
}

impl AsState {
    /// In this profile the MCP server's origin is the issuer (2025-03-26 "Server
    /// Metadata Discovery": the authorization base URL).
    fn origin_issuer(&self) -> &str {
        &self.deployment.origin
    }

    fn serves_nothing(&self) -> bool {
        self.deployment.config.has(D::LegacyNoMetadataNoDefaults)
    }
}

/// Routes the MCP server adds for the 2025-03-26 profile (origin metadata, default
/// endpoints `/authorize`, `/token`, `/register`).
pub(super) fn legacy_routes(deployment: Arc<Deployment>) -> Router {
    Router::new()
        .route("/.well-known/oauth-authorization-server", get(rfc8414))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/register", post(register))
        .with_state(AsState { deployment })
}

async fn rfc8414(State(s): State<AsState>) -> Response {
    if s.serves_nothing() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let issuer = s.origin_issuer();
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "registration_endpoint": format!("{issuer}/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "scopes_supported": [DEFAULT_SCOPE],
    }))
    .into_response()
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
