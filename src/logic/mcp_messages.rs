//! The MCP JSON-RPC requests the harness sends, shaped for the revision under test.

use serde_json::{json, Value};

use super::case_model::McpMessage;
use crate::vocab::Revision;

/// The `_meta` key that carries the protocol version in every request from 2026-07-28.
const PROTOCOL_VERSION_META: &str = "io.modelcontextprotocol/protocolVersion";

/// Body and extra headers of an MCP request.
pub struct McpRequest {
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

/// Builds the request. Up to 2025-11-25 a session starts with `initialize`; from 2026-07-28
/// every request carries `MCP-Protocol-Version` and the version in `_meta`, and the
/// first protected request is an ordinary method (`tools/list`).
pub fn build(message: McpMessage, revision: Revision) -> McpRequest {
    let stateless = revision >= Revision::R2026_07_28;
    let method = match message {
        McpMessage::FirstProtected if stateless => "tools/list",
        McpMessage::FirstProtected | McpMessage::Initialize => "initialize",
        McpMessage::ToolsList => "tools/list",
    };
    let params = if method == "initialize" {
        json!({
            "protocolVersion": revision.as_str(),
            "capabilities": {},
            "clientInfo": {"name": "mcp-authspec", "version": env!("CARGO_PKG_VERSION")}
        })
    } else {
        json!({})
    };
    build_method(method, params, Some(1), revision)
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
    let stateless = revision >= Revision::R2026_07_28;
    let mut params = params;
    if stateless {
        if let Some(obj) = params.as_object_mut() {
            obj.insert(
                "_meta".into(),
                json!({ PROTOCOL_VERSION_META: revision.as_str() }),
            );
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
    if stateless || (method != "initialize" && revision >= Revision::R2025_06_18) {
        headers.push((
            "MCP-Protocol-Version".to_string(),
            revision.as_str().to_string(),
        ));
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

    #[test]
    fn first_protected_request_depends_on_revision() {
        let old = build(McpMessage::FirstProtected, Revision::R2025_06_18);
        assert_eq!(old.body["method"], "initialize");
        assert_eq!(old.body["params"]["protocolVersion"], "2025-06-18");
        assert!(!old.headers.iter().any(|(n, _)| n == "MCP-Protocol-Version"));
        let new = build(McpMessage::FirstProtected, Revision::R2026_07_28);
        assert_eq!(new.body["method"], "tools/list");
        assert_eq!(
            new.body["params"]["_meta"][PROTOCOL_VERSION_META],
            "2026-07-28"
        );
        assert!(new
            .headers
            .iter()
            .any(|(n, v)| n == "MCP-Protocol-Version" && v == "2026-07-28"));
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
        let note = build_method(
            "notifications/initialized",
            json!({}),
            None,
            Revision::R2025_06_18,
        );
        assert!(note.body.get("id").is_none());
        assert!(note
            .headers
            .iter()
            .any(|(n, _)| n == "MCP-Protocol-Version"));
    }
}
