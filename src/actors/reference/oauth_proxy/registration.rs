//! The proxy's authorization-server metadata (RFC 8414) and dynamic client registration
//! (RFC 7591): each MCP client gets its own `client_id` here, while upstream the proxy is
//! always the one static client.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::state::{lock, ProxyClient, ProxyState};
use crate::actors::tokens::random_id;

pub(super) async fn metadata(State(s): State<Arc<ProxyState>>) -> Json<Value> {
    let o = &s.origin;
    Json(json!({
        "issuer": o,
        "authorization_endpoint": format!("{o}/authorize"),
        "token_endpoint": format!("{o}/token"),
        "registration_endpoint": format!("{o}/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
    }))
}

pub(super) async fn register(State(s): State<Arc<ProxyState>>, body: String) -> Response {
    let refuse = |why: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_redirect_uri", "error_description": why})),
        )
            .into_response()
    };
    let Ok(meta) = serde_json::from_str::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_client_metadata"})),
        )
            .into_response();
    };
    let uris: Vec<String> = meta["redirect_uris"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if uris.is_empty() || uris.iter().any(|u| url::Url::parse(u).is_err()) {
        return refuse("redirect_uris must be a non-empty array of URIs (RFC 7591 §2)");
    }
    let client_id = random_id();
    let client_name = meta["client_name"].as_str().unwrap_or_default().to_string();
    lock(&s.clients).insert(
        client_id.clone(),
        ProxyClient {
            client_name: client_name.clone(),
            redirect_uris: uris.clone(),
        },
    );
    (
        StatusCode::CREATED,
        Json(json!({
            "client_id": client_id,
            "client_name": client_name,
            "redirect_uris": uris,
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        })),
    )
        .into_response()
}
