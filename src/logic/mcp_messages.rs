//! The MCP JSON-RPC requests the harness sends, shaped for the revision under test. This
//! is the one place that says what a valid request of each revision looks like; cases,
//! the revision probe and the reference client all build their messages here.
//!
//! | revision   | opens with                                   | `MCP-Protocol-Version` | per request                                   |
//! |------------|----------------------------------------------|------------------------|-----------------------------------------------|
//! | 2025-03-26 | `initialize` → `notifications/initialized`    | never                  | `Mcp-Session-Id` when the server assigned one |
//! | 2025-06-18 | `initialize` → `notifications/initialized`    | after `initialize`     | `Mcp-Session-Id` when the server assigned one |
//! | 2025-11-25 | `initialize` → `notifications/initialized`    | after `initialize`     | `Mcp-Session-Id` when the server assigned one |
//! | 2026-07-28 | nothing: every request stands alone          | every request          | `Mcp-Method` (and `Mcp-Name`), `_meta` fields |
//!
//! Sources: lifecycle "Initialization" (≤2025-11-25); transports "Protocol Version
//! Header" (2025-06-18+) and "Session Management"; 2026-07-28 basic/index "Per-request
//! protocol fields" (`protocolVersion` and `clientCapabilities` required, `clientInfo`
//! SHOULD) and Streamable HTTP "Standard Request Headers" (`Mcp-Method` on all requests,
//! `Mcp-Name` for `tools/call`, `resources/read`, `prompts/get`).

use serde_json::{json, Value};

use super::case_model::McpMessage;
use crate::vocab::Revision;

/// The `_meta` keys of 2026-07-28's per-request protocol fields.
const PROTOCOL_VERSION_META: &str = "io.modelcontextprotocol/protocolVersion";
const CLIENT_CAPABILITIES_META: &str = "io.modelcontextprotocol/clientCapabilities";
const CLIENT_INFO_META: &str = "io.modelcontextprotocol/clientInfo";

/// Body and extra headers of an MCP request.
pub struct McpRequest {
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

/// Whether the revision opens a conversation with `initialize` (up to 2025-11-25) or
/// carries everything in every request (2026-07-28).
pub fn opens_with_initialize(revision: Revision) -> bool {
    !revision.features().stateless_requests
}

/// The JSON-RPC method a message is sent as in this revision.
pub fn method_of(message: McpMessage, revision: Revision) -> &'static str {
    match message {
        McpMessage::FirstProtected | McpMessage::FirstProtectedWithElicitation
            if !opens_with_initialize(revision) =>
        {
            "tools/list"
        }
        McpMessage::FirstProtected
        | McpMessage::Initialize
        | McpMessage::FirstProtectedWithElicitation => "initialize",
        McpMessage::ToolsList => "tools/list",
        McpMessage::Discover => "server/discover",
        McpMessage::CallUpstreamTool => "tools/call",
        McpMessage::ReadPerUserResource => "resources/read",
    }
}

/// The client the harness says it is (`clientInfo`).
fn client_info() -> Value {
    json!({"name": "mcp-authspec", "version": env!("CARGO_PKG_VERSION")})
}

/// Builds the request. Up to 2025-11-25 a session starts with `initialize`; from 2026-07-28
/// the first protected request is an ordinary method (`tools/list`) carrying the
/// protocol fields itself.
pub fn build(message: McpMessage, revision: Revision) -> McpRequest {
    build_named(message, revision, "")
}

/// [`build`], with the name of the fixture primitive a message calls
/// ([`McpMessage::fixture_variable`]): a tool's name, a resource's URI.
pub fn build_named(message: McpMessage, revision: Revision, name: &str) -> McpRequest {
    let method = method_of(message, revision);
    let capabilities = if message == McpMessage::FirstProtectedWithElicitation {
        json!({"elicitation": {"form": {}, "url": {}}})
    } else {
        json!({})
    };
    let params = match message {
        _ if method == "initialize" => json!({
            "protocolVersion": revision.as_str(),
            "capabilities": capabilities,
            "clientInfo": client_info(),
        }),
        McpMessage::CallUpstreamTool => json!({"name": name, "arguments": {}}),
        McpMessage::ReadPerUserResource => json!({"uri": name}),
        _ => json!({}),
    };
    build_method(method, params, Some(1), revision)
}

/// The capabilities a `tools/call` of a fixture tool declares (2026-07-28, in `_meta`):
/// the input requests the harness answers (`logic/input_responses.rs`).
pub fn input_capabilities() -> Value {
    json!({"elicitation": {"form": {}, "url": {}}, "sampling": {}, "roots": {}})
}

/// A `tools/call` of `name` without arguments, or its retry with the `inputResponses`
/// and `requestState` of an `InputRequiredResult` (2026-07-28 basic/patterns/mrtr,
/// "Basic Workflow": the retry has its own JSON-RPC id, "Client Requirements" item 3).
/// From 2026-07-28 the request declares [`input_capabilities`]; up to 2025-11-25 the
/// session's `initialize` declares what the client supports.
pub fn tool_call(
    name: &str,
    input_responses: Option<Value>,
    request_state: Option<&str>,
    revision: Revision,
) -> McpRequest {
    let mut params = json!({"name": name, "arguments": {}});
    if !opens_with_initialize(revision) {
        params["_meta"] = json!({CLIENT_CAPABILITIES_META: input_capabilities()});
    }
    let retry = input_responses.is_some() || request_state.is_some();
    if let Some(responses) = input_responses.filter(|r| r.as_object().is_none_or(|o| !o.is_empty()))
    {
        params["inputResponses"] = responses;
    }
    if let Some(state) = request_state {
        params["requestState"] = json!(state);
    }
    build_method(
        "tools/call",
        params,
        Some(if retry { 2 } else { 1 }),
        revision,
    )
}

/// The notification that completes the initialization handshake (lifecycle,
/// "Initialization": the client MUST send it after a successful `initialize`).
pub fn initialized_notification(revision: Revision) -> McpRequest {
    build_method("notifications/initialized", json!({}), None, revision)
}

/// Any request (with an `id`) or notification (`id: None`), shaped for the revision as
/// [`build`] shapes its messages: the reference client sends `notifications/initialized`
/// and `tools/call` with it.
pub fn build_method(
    method: &str,
    params: Value,
    id: Option<u64>,
    revision: Revision,
) -> McpRequest {
    let stateless = !opens_with_initialize(revision);
    let mut params = params;
    if stateless {
        if let Some(obj) = params.as_object_mut() {
            let meta = obj.entry("_meta").or_insert_with(|| json!({}));
            if let Some(meta) = meta.as_object_mut() {
                meta.insert(PROTOCOL_VERSION_META.into(), json!(revision.as_str()));
                // A request that declares capabilities of its own keeps them.
                meta.entry(CLIENT_CAPABILITIES_META)
                    .or_insert_with(|| json!({}));
                meta.insert(CLIENT_INFO_META.into(), client_info());
            }
        }
    }
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        (
            "Accept".to_string(),
            "application/json, text/event-stream".to_string(),
        ),
    ];
    // The header is required after initialization from 2025-06-18 and on every request
    // from 2026-07-28 (transports, "Protocol Version Header").
    if stateless || (method != "initialize" && revision.features().protocol_version_header) {
        headers.push((
            "MCP-Protocol-Version".to_string(),
            revision.as_str().to_string(),
        ));
    }
    if stateless {
        headers.push(("Mcp-Method".to_string(), method.to_string()));
        let name = params
            .get("name")
            .or_else(|| params.get("uri"))
            .and_then(Value::as_str);
        if let (true, Some(name)) = (
            matches!(method, "tools/call" | "resources/read" | "prompts/get"),
            name,
        ) {
            headers.push(("Mcp-Name".to_string(), name.to_string()));
        }
    }
    let body = match id {
        Some(id) => json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        None => json!({"jsonrpc": "2.0", "method": method, "params": params}),
    };
    McpRequest { body, headers }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(r: &'a McpRequest, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn first_protected_request_depends_on_revision() {
        let old = build(McpMessage::FirstProtected, Revision::R2025_06_18);
        assert_eq!(old.body["method"], "initialize");
        assert_eq!(old.body["params"]["protocolVersion"], "2025-06-18");
        assert!(header(&old, "MCP-Protocol-Version").is_none());
        assert!(header(&old, "Mcp-Method").is_none());
        let new = build(McpMessage::FirstProtected, Revision::R2026_07_28);
        assert_eq!(new.body["method"], "tools/list");
        assert_eq!(header(&new, "MCP-Protocol-Version"), Some("2026-07-28"));
        assert_eq!(header(&new, "Mcp-Method"), Some("tools/list"));
    }

    #[test]
    fn every_2026_request_carries_the_required_protocol_fields() {
        for message in [
            McpMessage::FirstProtected,
            McpMessage::ToolsList,
            McpMessage::Discover,
        ] {
            let r = build(message, Revision::R2026_07_28);
            let meta = &r.body["params"]["_meta"];
            assert_eq!(meta[PROTOCOL_VERSION_META], "2026-07-28");
            assert!(meta[CLIENT_CAPABILITIES_META].is_object());
            assert_eq!(meta[CLIENT_INFO_META]["name"], "mcp-authspec");
            assert_eq!(
                header(&r, "Mcp-Method"),
                r.body["method"].as_str(),
                "Mcp-Method must equal the body's method"
            );
        }
    }

    #[test]
    fn other_methods_are_shaped_like_the_built_ones() {
        let call = build_method(
            "tools/call",
            json!({"name": "echo"}),
            Some(4),
            Revision::R2026_07_28,
        );
        assert_eq!(call.body["id"], 4);
        assert_eq!(call.body["params"]["name"], "echo");
        assert_eq!(
            call.body["params"]["_meta"][PROTOCOL_VERSION_META],
            "2026-07-28"
        );
        assert_eq!(header(&call, "Mcp-Name"), Some("echo"));
        let note = initialized_notification(Revision::R2025_06_18);
        assert!(note.body.get("id").is_none());
        assert_eq!(note.body["method"], "notifications/initialized");
        assert!(header(&note, "MCP-Protocol-Version").is_some());
        let legacy = initialized_notification(Revision::R2025_03_26);
        assert!(header(&legacy, "MCP-Protocol-Version").is_none());
    }
}
