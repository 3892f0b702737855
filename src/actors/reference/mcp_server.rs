//! The reference MCP server: streamable HTTP with `initialize`,
//! `notifications/initialized`, `tools/list` and one tool, protected by bearer tokens.
//! Every request is authenticated on its own (MCP "Token Requirements"); a session id is
//! never a credential.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use serde_json::{json, Value};

use super::deployment::Deployment;
use super::{as_metadata, protected_resource_metadata as prm};
use crate::vocab::{Revision, ServerDefect as D};

pub(super) fn router(deployment: Arc<Deployment>) -> Router {
    Router::new()
        .route("/mcp", any(mcp))
        .route(prm::PATH_INSERTED, get(prm::path_inserted))
        .route(prm::ROOT, get(prm::root))
        .with_state(deployment.clone())
        .merge(as_metadata::legacy_routes(deployment))
}

async fn mcp(
    State(d): State<Arc<Deployment>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // DNS-rebinding defence (transports, "Security Warning"): a browser page on another
    // origin must not reach a local server. 403 from 2025-11-25.
    if let Some(origin) = headers.get(header::ORIGIN) {
        if !origin_allowed(origin, &d) {
            let err = json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "origin not allowed"}});
            return (StatusCode::FORBIDDEN, axum::Json(err)).into_response();
        }
    }
    let token = bearer_token(&headers);
    let authorized = token.is_some_and(|t| d.config.accepted_tokens.iter().any(|a| a == t));
    if !authorized && !d.config.has(D::ServesUnauthenticated) {
        return unauthorized(&d, token.is_some(), &body);
    }
    match method {
        Method::POST => handle_post(&body),
        // No server-initiated stream: 405 is the transport's answer for that.
        Method::GET => StatusCode::METHOD_NOT_ALLOWED.into_response(),
        Method::DELETE => StatusCode::NO_CONTENT.into_response(),
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

fn origin_allowed(origin: &HeaderValue, d: &Deployment) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    origin == d.origin
        || origin.starts_with("http://localhost:")
        || origin.starts_with("http://127.0.0.1:")
}

/// The token of an `Authorization: Bearer` header (scheme case-insensitive, RFC 6750 §2.1).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// RFC 6750 §3 / RFC 9728 §5.1: 401 with a Bearer challenge naming the metadata.
fn unauthorized(d: &Deployment, had_token: bool, request_body: &[u8]) -> Response {
    let status = if d.config.has(D::ForbiddenInsteadOfUnauthorized) {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::UNAUTHORIZED
    };
    let body = if d.config.has(D::LeaksDataIn401) {
        serde_json::to_string(&respond(request_body).unwrap_or(Value::Null)).unwrap_or_default()
    } else {
        let error = if had_token {
            "invalid_token"
        } else {
            "unauthorized"
        };
        json!({"error": error, "error_description": "a valid bearer token is required"}).to_string()
    };
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(challenge) = challenge(d, had_token) {
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    response
}

fn challenge(d: &Deployment, had_token: bool) -> Option<String> {
    let has = |x| d.config.has(x);
    let metadata_url = format!("{}{}", d.origin, prm::PATH_INSERTED);
    if has(D::NoWwwAuthenticate) {
        return None;
    }
    if has(D::BasicChallengeOnly) {
        return Some("Basic realm=\"mcp\"".into());
    }
    if has(D::MalformedChallenge) {
        return Some(format!("Bearer resource_metadata=\"{metadata_url}"));
    }
    let mut params = Vec::new();
    // RFC 6750 §3.1: no error code when the request carried no credentials.
    if had_token || has(D::ErrorWithoutToken) {
        params.push("error=\"invalid_token\"".to_string());
    }
    if !has(D::NoResourceMetadata) {
        let url = if has(D::RelativeResourceMetadata) {
            prm::PATH_INSERTED.to_string()
        } else {
            metadata_url
        };
        params.push(format!("resource_metadata=\"{url}\""));
    }
    if !has(D::NoScopeInChallenge) {
        let scope = if has(D::OfflineAccessInChallenge) {
            "mcp:tools offline_access"
        } else {
            "mcp:tools"
        };
        params.push(format!("scope=\"{scope}\""));
        if has(D::DuplicateScopeInChallenge) {
            params.push(format!("scope=\"{scope}\""));
        }
    }
    Some(format!("Bearer {}", params.join(", ")))
}

fn handle_post(body: &[u8]) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        let err = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "parse error"}});
        return (StatusCode::BAD_REQUEST, axum::Json(err)).into_response();
    };
    let is_initialize = request["method"] == "initialize";
    match respond(body) {
        // Notifications get 202 Accepted without a body (transports, "Sending Messages").
        None => StatusCode::ACCEPTED.into_response(),
        Some(reply) => {
            let mut response = axum::Json(reply).into_response();
            if is_initialize {
                if let Ok(v) = HeaderValue::from_str(&session_id()) {
                    response.headers_mut().insert("mcp-session-id", v);
                }
            }
            response
        }
    }
}

/// The JSON-RPC reply to a request, or `None` for a notification.
fn respond(body: &[u8]) -> Option<Value> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let id = request.get("id").cloned()?;
    let method = request["method"].as_str().unwrap_or_default();
    let result = match method {
        "initialize" => {
            let asked = request["params"]["protocolVersion"]
                .as_str()
                .unwrap_or_default();
            let version = asked.parse::<Revision>().unwrap_or(Revision::LATEST);
            json!({
                "protocolVersion": version.as_str(),
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "mcp-authspec-reference", "version": env!("CARGO_PKG_VERSION")}
            })
        }
        "ping" => json!({}),
        "tools/list" => json!({"tools": [{
            "name": "echo",
            "description": "Returns its text argument",
            "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
        }]}),
        "tools/call" => {
            let text = request["params"]["arguments"]["text"]
                .as_str()
                .unwrap_or_default();
            json!({"content": [{"type": "text", "text": text}], "isError": false})
        }
        _ => {
            return Some(
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "method not found"}}),
            );
        }
    };
    Some(json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

/// 128 random bits, hex: session ids must be unguessable (transports, "Session Management").
fn session_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Without randomness there is no safe id; an empty header value is refused below.
        return String::new();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
