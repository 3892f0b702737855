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
    let mut params = if method == "initialize" {
        json!({
            "protocolVersion": revision.as_str(),
            "capabilities": {},
            "clientInfo": {"name": "mcp-authspec", "version": env!("CARGO_PKG_VERSION")}
        })
    } else {
        json!({})
    };
    if stateless {
        params["_meta"] = json!({ PROTOCOL_VERSION_META: revision.as_str() });
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
    McpRequest {
        body: json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}),
        headers,
    }
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
}
