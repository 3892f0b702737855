//! The reference server's fixture primitives (the ones `server --config` names for a
//! server under test): `fetch_upstream`, a tool that calls the upstream API the harness
//! serves, and `mcp-authspec://whoami`, a resource naming the authenticated user. Their
//! results need the request's headers or an outbound call, so they are computed here,
//! asynchronously, before the JSON-RPC reply is built (`mcp_methods::respond`).

use serde_json::{json, Value};

use super::deployment::{lock, Deployment};
use super::sessions::subject_of;
use crate::transport::{HttpClient, HttpRequest, ReqwestClient, TransportLimits};
use crate::vocab::{HeaderPair, ServerDefect as D};

/// The tool that calls the upstream API.
pub const UPSTREAM_TOOL: &str = "fetch_upstream";
/// The resource whose text names the authenticated user.
pub const WHOAMI_RESOURCE: &str = "mcp-authspec://whoami";
/// What the reference server sends upstream: a credential of its own, obtained apart from
/// any client's token (MCP 2025-06-18 "Access Token Privilege Restriction"; Security Best
/// Practices "Token Passthrough"). A static one is enough for an API that only records.
pub const UPSTREAM_CREDENTIAL: &str = "reference-server-upstream-credential";

/// The tools of `tools/list` beside the built-in ones.
pub(super) fn tools(d: &Deployment) -> Vec<Value> {
    let mut tools = Vec::new();
    if d.config.upstream.is_some() {
        tools.push(json!({
            "name": UPSTREAM_TOOL,
            "description": "Fetches items from the upstream API",
            "inputSchema": {"type": "object", "properties": {}}
        }));
    }
    tools
}

/// The resources of `resources/list`.
pub(super) fn resources(d: &Deployment) -> Vec<Value> {
    if !d.config.per_user_resource {
        return Vec::new();
    }
    vec![json!({"uri": WHOAMI_RESOURCE, "name": "whoami", "mimeType": "text/plain"})]
}

/// The result of a request for a fixture primitive, `None` for any other request.
pub(super) async fn result(
    d: &Deployment,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Option<Value> {
    let request: Value = serde_json::from_slice(body).ok()?;
    match request["method"].as_str()? {
        "tools/call" if request["params"]["name"] == UPSTREAM_TOOL => {
            Some(call_upstream(d, d.config.upstream.as_deref()?, headers).await)
        }
        "resources/read"
            if d.config.per_user_resource && request["params"]["uri"] == WHOAMI_RESOURCE =>
        {
            Some(whoami(d, headers))
        }
        _ => None,
    }
}

async fn call_upstream(d: &Deployment, upstream: &str, headers: &axum::http::HeaderMap) -> Value {
    let credential = if d.config.has(D::ForwardsClientToken) {
        headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    } else {
        format!("Bearer {UPSTREAM_CREDENTIAL}")
    };
    let request = HttpRequest {
        method: "GET".into(),
        url: format!("{upstream}/items"),
        headers: vec![HeaderPair::new("Authorization", credential)],
        body: None,
    };
    let answer = match ReqwestClient::new(TransportLimits::default()) {
        Ok(client) => client.send(request).await.map_err(|e| e.message),
        Err(e) => Err(e.message),
    };
    match answer {
        Ok(a) => json!({
            "content": [{"type": "text", "text": String::from_utf8_lossy(&a.body)}],
            "isError": false
        }),
        Err(e) => json!({
            "content": [{"type": "text", "text": format!("the upstream API failed: {e}")}],
            "isError": true
        }),
    }
}

/// `resources/read` of the whoami resource: per-user data, so `cacheScope: "private"`
/// (2026-07-28 server/utilities/caching, "Choosing a Cache Scope").
fn whoami(d: &Deployment, headers: &axum::http::HeaderMap) -> Value {
    let subject = subject_of(headers);
    let scope = if d.config.has(D::PerUserResultPublic) {
        "public"
    } else {
        "private"
    };
    let fresh = json!({
        "contents": [{"uri": WHOAMI_RESOURCE, "mimeType": "text/plain", "text": format!("you are {subject}")}],
        "ttlMs": 0,
        "cacheScope": scope,
    });
    if d.config.has(D::SharesPrivateResults) {
        return lock(&d.shared_result).get_or_insert(fresh).clone();
    }
    fresh
}
