//! A small MCP deployment for what the reference server does not do: a server that
//! asks for more scope on `tools/call` (step-up). Tokens are checked against the IdP's keys; scopes decide 403s.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jsonwebtoken::jwk::JwkSet;
use serde_json::{json, Value};

use crate::actors::idp::{start_idp, IdpConfig, MockIdp};
use crate::actors::listener::{bind_loopback, serve_listener, Listening};
use crate::actors::tokens::verify_signature;
use crate::actors::traffic::{recorded, TrafficLog};

pub const EXTRA_SCOPE: &str = "mcp:extra";
const BASE_SCOPE: &str = "mcp:tools";
const PRM_PATH: &str = "/.well-known/oauth-protected-resource/mcp";

/// A running fake deployment; dropping it stops it.
pub struct FakeMcp {
    pub mcp_url: String,
    _idp: Option<MockIdp>,
    _listening: Listening,
}

#[derive(Clone)]
struct Fake {
    origin: String,
    issuer: String,
    keys: Arc<JwkSet>,
    /// Scopes `tools/call` needs besides `mcp:tools`.
    call_scope: Option<&'static str>,
}

/// 2025-06-18+: an IdP that knows `mcp:extra`, and an MCP server that wants it for
/// `tools/call`.
pub async fn step_up(traffic: TrafficLog) -> FakeMcp {
    let idp = start_idp(IdpConfig {
        scopes_supported: vec![BASE_SCOPE.into(), EXTRA_SCOPE.into()],
        traffic: Some(traffic.clone()),
        ..IdpConfig::default()
    })
    .await
    .unwrap();
    let listener = bind_loopback().await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let fake = Fake {
        origin: origin.clone(),
        issuer: idp.issuer.clone(),
        keys: Arc::new(serde_json::from_value(idp.minter().keys().jwks_json()).unwrap()),
        call_scope: Some(EXTRA_SCOPE),
    };
    let routes = mcp_routes(fake.clone()).route(PRM_PATH, get(prm).with_state(fake));
    serve(listener, routes, traffic, &origin, Some(idp))
}

fn serve(
    listener: tokio::net::TcpListener,
    routes: Router,
    traffic: TrafficLog,
    origin: &str,
    idp: Option<MockIdp>,
) -> FakeMcp {
    let routes = recorded(routes, traffic, origin.to_string(), "MCP server");
    FakeMcp {
        mcp_url: format!("{origin}/mcp"),
        _idp: idp,
        _listening: serve_listener(listener, routes).unwrap(),
    }
}

fn mcp_routes(fake: Fake) -> Router {
    Router::new().route("/mcp", post(mcp)).with_state(fake)
}

async fn prm(State(f): State<Fake>) -> Json<Value> {
    Json(json!({
        "resource": format!("{}/mcp", f.origin),
        "authorization_servers": [f.issuer],
        "scopes_supported": [BASE_SCOPE],
    }))
}

fn challenge(f: &Fake, status: StatusCode, params: &str) -> Response {
    let mut value = "Bearer".to_string();
    if f.call_scope.is_some() {
        value.push_str(&format!(" resource_metadata=\"{}{PRM_PATH}\"", f.origin));
    }
    if !params.is_empty() {
        value.push_str(if f.call_scope.is_some() { ", " } else { " " });
        value.push_str(params);
    }
    (status, [(header::WWW_AUTHENTICATE, value)], "").into_response()
}

async fn mcp(State(f): State<Fake>, headers: HeaderMap, body: Bytes) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        let scope = if f.call_scope.is_some() {
            "scope=\"mcp:tools\""
        } else {
            ""
        };
        return challenge(&f, StatusCode::UNAUTHORIZED, scope);
    };
    let Ok(claims) = verify_signature(token, &f.keys, &BTreeSet::new()) else {
        return challenge(&f, StatusCode::UNAUTHORIZED, "error=\"invalid_token\"");
    };
    let granted: Vec<&str> = claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(' ')
        .collect();
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    let method = request["method"].as_str().unwrap_or_default();
    let mut needed = vec![BASE_SCOPE];
    if method == "tools/call" {
        needed.extend(f.call_scope);
    }
    if let Some(missing) = needed.iter().find(|s| !granted.contains(s)) {
        let params = format!("error=\"insufficient_scope\", scope=\"{missing}\"");
        return challenge(&f, StatusCode::FORBIDDEN, &params);
    }
    let Some(id) = request.get("id").cloned() else {
        return StatusCode::ACCEPTED.into_response();
    };
    let result = match method {
        "initialize" => json!({
            "protocolVersion": request["params"]["protocolVersion"],
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "fake", "version": "0"}
        }),
        "tools/list" => json!({"tools": [{"name": "echo", "inputSchema": {"type": "object"}}]}),
        "tools/call" => {
            json!({"content": [{"type": "text", "text": request["params"]["arguments"]["text"]}]})
        }
        _ => json!({}),
    };
    Json(json!({"jsonrpc": "2.0", "id": id, "result": result})).into_response()
}
