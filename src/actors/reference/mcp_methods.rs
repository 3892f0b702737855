//! What the reference MCP server answers once a request is authenticated: the JSON-RPC
//! methods it implements, the 2026-07-28 request validation a strict server performs,
//! and the event-stream form of an answer. Conformant variations (`ServerKnob`s) that
//! real servers show live here: they change how the server answers, never whether a
//! token is accepted.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::deployment::Deployment;
use super::fixture_primitives;
use super::sessions::open_session;
use super::{request_state_tool, url_elicitation_tool};
use crate::vocab::{Revision, ServerKnob as K};

/// The argument-less tool beside `echo`.
const TEST_TOOL: &str = "test-tool";

/// The protocol version a request says it speaks (Streamable HTTP, "Protocol Version
/// Header").
fn revision_of(headers: &HeaderMap) -> Option<Revision> {
    headers
        .get("mcp-protocol-version")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// The answer to an authenticated POST; `fixture` is the result of a fixture primitive
/// the request calls (`fixture_primitives`), computed before.
pub(super) fn handle_post(
    d: &Deployment,
    headers: &HeaderMap,
    body: &[u8],
    fixture: Option<Value>,
) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        let err = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "parse error"}});
        return (StatusCode::BAD_REQUEST, axum::Json(err)).into_response();
    };
    let modern = revision_of(headers).is_some_and(|r| r.features().stateless_requests);
    let legacy_only = d.config.has_knob(K::ImplementsUpTo2025_11_25)
        || d.config
            .only_revision
            .is_some_and(|r| !r.features().stateless_requests);
    if modern && legacy_only {
        // What a session-based server of that era answers a request without a session.
        let err = json!({"jsonrpc": "2.0", "id": null,
                         "error": {"code": -32000, "message": "Bad Request: No valid session ID provided"}});
        return (StatusCode::BAD_REQUEST, axum::Json(err)).into_response();
    }
    if modern && d.config.has_knob(K::EnforcesRequestFields) {
        if let Some(refusal) = malformed(&request, headers) {
            return refusal;
        }
    }
    let is_initialize = request["method"] == "initialize";
    if let Some(stream) = url_elicitation_tool::held_stream(d, headers, &request, modern) {
        return stream;
    }
    // The fixture tools of B2 answer with whole replies (errors, input-required
    // results), one line each.
    let whole = None
        .or_else(|| request_state_tool::call(d, headers, &request))
        .or_else(|| url_elicitation_tool::call(d, headers, &request, modern));
    let Some(reply) = whole.or_else(|| respond(d, body, fixture)) else {
        // Notifications get 202 Accepted without a body (transports, "Sending Messages").
        return StatusCode::ACCEPTED.into_response();
    };
    // 2026-07-28 Streamable HTTP: an unimplemented method is 404 with -32601.
    let status = if modern && reply["error"]["code"] == -32601 {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let mut response = if d.config.has_knob(K::SsePriming) {
        (status, event_stream(&reply)).into_response()
    } else {
        (status, axum::Json(reply)).into_response()
    };
    if d.config.has_knob(K::SsePriming) {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
    }
    if is_initialize {
        open_session(d, headers, &mut response);
    }
    response
}

/// `enforces-request-fields`: the refusal of a 2026-07-28 request that lacks a required
/// `_meta` field (basic/index "Per-request protocol fields": -32602, HTTP 400) or whose
/// `Mcp-Method` header differs from its method (Streamable HTTP "Standard Request
/// Headers" and "Server Validation": -32020, HTTP 400).
fn malformed(request: &Value, headers: &HeaderMap) -> Option<Response> {
    let refuse = |code: i64, message: String| {
        let err = json!({"jsonrpc": "2.0", "id": request.get("id").cloned().unwrap_or(Value::Null),
                         "error": {"code": code, "message": message}});
        Some((StatusCode::BAD_REQUEST, axum::Json(err)).into_response())
    };
    let method = request["method"].as_str().unwrap_or_default();
    let header = headers.get("mcp-method").and_then(|v| v.to_str().ok());
    if header != Some(method) {
        return refuse(
            -32020,
            format!("Mcp-Method header {header:?} does not match the method `{method}`"),
        );
    }
    // Notifications carry no required fields.
    request.get("id")?;
    let meta = &request["params"]["_meta"];
    let missing: Vec<&str> = [
        "io.modelcontextprotocol/protocolVersion",
        "io.modelcontextprotocol/clientCapabilities",
    ]
    .into_iter()
    .filter(|k| meta.get(*k).is_none())
    .collect();
    if missing.is_empty() {
        return None;
    }
    refuse(
        -32602,
        format!(
            "params._meta is missing the required key(s): {}",
            missing.join(", ")
        ),
    )
}

/// `sse-priming`: the answer as an event stream: a priming event, a log notification,
/// then the response (MCP 2025-11-25 transports, "Sending Messages" items 5 and 6).
fn event_stream(reply: &Value) -> String {
    let notification = json!({"jsonrpc": "2.0", "method": "notifications/message",
                              "params": {"level": "info", "data": "working on it"}});
    format!(
        "id: prime-0\ndata: \n\nevent: message\ndata: {notification}\n\nevent: message\nid: prime-1\ndata: {reply}\n\n"
    )
}

/// The JSON-RPC reply to a request, or `None` for a notification; `fixture` answers a
/// request for a fixture primitive.
pub(super) fn respond(d: &Deployment, body: &[u8], fixture: Option<Value>) -> Option<Value> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let id = request.get("id").cloned()?;
    let method = request["method"].as_str().unwrap_or_default();
    let tools = !d.config.has_knob(K::NoTools);
    let supported: Vec<Revision> = match d.config.only_revision {
        Some(r) => vec![r],
        None => Revision::ALL.to_vec(),
    };
    let modern = request["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"]
        .as_str()
        .and_then(|v| v.parse::<Revision>().ok())
        .is_some_and(|r| r.features().stateless_requests);
    let mut capabilities = if tools {
        json!({"tools": {}})
    } else {
        json!({})
    };
    if d.config.per_user_resource {
        capabilities["resources"] = json!({});
    }
    let server_info =
        json!({"name": "mcp-authspec-reference", "version": env!("CARGO_PKG_VERSION")});
    let result = match method {
        _ if fixture.is_some() => fixture.unwrap_or_default(),
        "initialize" => {
            let asked = request["params"]["protocolVersion"]
                .as_str()
                .unwrap_or_default();
            // A server of one initialization-based revision negotiates that one
            // (lifecycle "Version Negotiation": it answers with a version it supports). A
            // 2026-07-28 server that still answers `initialize` is dual-era (2026-07-28
            // versioning, "Backward Compatibility"): it serves the legacy version asked.
            // 2026-07-28 itself has no `initialize`, so it is never what `initialize`
            // negotiates: a client asking for it there gets the newest legacy version.
            let newest = d
                .config
                .only_revision
                .unwrap_or(Revision::LATEST)
                .newest_with_initialize_up_to();
            // Lifecycle "Version Negotiation": the asked version when supported, else the
            // newest the server has.
            let version = asked
                .parse::<Revision>()
                .ok()
                .filter(|r| *r <= newest)
                .unwrap_or(newest);
            json!({
                "protocolVersion": version.as_str(),
                "capabilities": capabilities,
                "serverInfo": server_info,
            })
        }
        // 2026-07-28 server/discover: servers of that revision MUST implement it; a server
        // of an earlier revision does not know the method.
        "server/discover" if supported.iter().any(|r| r.features().server_discover) => json!({
            "supportedVersions": supported.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "capabilities": capabilities,
            "_meta": {"io.modelcontextprotocol/serverInfo": server_info},
            "ttlMs": 0,
            "cacheScope": "private",
        }),
        "ping" => json!({}),
        // Every revision's Tool requires `name` and `inputSchema` (2026-07-28: with
        // `type: "object"` at its root). `test-tool` is the tool the official scenarios'
        // mock serves and the official everything client calls after listing.
        "tools/list" if tools => json!({
            "tools": ([vec![json!({
                "name": "echo",
                "description": "Returns its text argument",
                "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
            }), json!({
                "name": TEST_TOOL,
                "description": "Takes no arguments and answers with a fixed text",
                "inputSchema": {"type": "object", "properties": {}}
            })], fixture_primitives::tools(d)].concat()),
        }),
        "resources/list" if d.config.per_user_resource => {
            json!({"resources": fixture_primitives::resources(d)})
        }
        "tools/call" if tools && request["params"]["name"] == TEST_TOOL => {
            json!({"content": [{"type": "text", "text": "test-tool was called"}], "isError": false})
        }
        "tools/call" if tools => {
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
    let mut result = result;
    if modern {
        // 2026-07-28 schema, Result: servers of this revision MUST include `resultType`.
        result["resultType"] = json!("complete");
        if method == "tools/list" || method == "resources/list" {
            // ListToolsResult is a CacheableResult: both fields required.
            result["ttlMs"] = json!(0);
            result["cacheScope"] = json!("private");
        }
    }
    Some(json!({"jsonrpc": "2.0", "id": id, "result": result}))
}
