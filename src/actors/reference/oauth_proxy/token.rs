//! The proxy's token endpoint: its own code, redeemed with the client's PKCE verifier
//! (OAuth 2.1 §4.1.3), for the third-party access token obtained at the callback. That
//! token was requested for this MCP server (RFC 8707 `resource`), so the server accepts
//! it as issued for it (MCP "Token Handling"); nothing else is passed through.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::state::{lock, ProxyState};

pub(super) async fn token(
    State(s): State<Arc<ProxyState>>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let refuse =
        |error: &str| (StatusCode::BAD_REQUEST, Json(json!({"error": error}))).into_response();
    if f.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return refuse("unsupported_grant_type");
    }
    let Some(issued) = f.get("code").and_then(|c| lock(&s.codes).remove(c)) else {
        return refuse("invalid_grant");
    };
    let r = &issued.request;
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let same_client = f.get("client_id") == Some(&r.client_id);
    let same_redirect = f.get("redirect_uri") == Some(&r.redirect_uri);
    if !same_client || !same_redirect || r.code_challenge.as_deref() != Some(challenge.as_str()) {
        return refuse("invalid_grant");
    }
    Json(json!({"access_token": issued.access_token, "token_type": "Bearer"})).into_response()
}
