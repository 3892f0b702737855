//! Which protocol version a client speaks, read from its authorized requests to the mock
//! MCP server: the `MCP-Protocol-Version` header (2025-06-18 transports, "Protocol Version
//! Header": every request after initialization carries the negotiated version; 2026-07-28
//! every request), else the 2026-07-28 per-request `_meta` field
//! `io.modelcontextprotocol/protocolVersion`. An `initialize` request only proposes a
//! version (lifecycle, "Version Negotiation"), so it says nothing here.

use std::collections::BTreeSet;

use serde_json::Value;

use super::observation::{bearer_token, header, part, Observation};
use crate::vocab::{Endpoint, Exchange};

const VERSION_HEADER: &str = "mcp-protocol-version";
const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";

/// The versions the client's authorized, non-`initialize` MCP requests carry; empty when
/// none carries one (the client never got that far, or speaks 2025-03-26, which has no
/// header).
pub fn versions_spoken(o: &Observation) -> BTreeSet<String> {
    o.to(Endpoint::Mcp)
        .into_iter()
        .filter(|e| bearer_token(e).is_some() && !is_initialize(e))
        .filter_map(version_of)
        .collect()
}

fn body(e: &Exchange) -> Option<Value> {
    serde_json::from_str(e.request_body.as_deref()?).ok()
}

fn is_initialize(e: &Exchange) -> bool {
    body(e).is_some_and(|b| b.get("method").and_then(Value::as_str) == Some("initialize"))
}

fn version_of(e: &Exchange) -> Option<String> {
    if let Some(v) = part(e, &header(VERSION_HEADER)) {
        return Some(v.trim().to_string());
    }
    body(e)?
        .pointer("/params/_meta")?
        .get(META_VERSION)?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::HeaderPair;

    const MCP: &str = "http://127.0.0.1:1/mcp";

    fn request(headers: &[(&str, &str)], body: &str) -> Exchange {
        let headers = headers
            .iter()
            .map(|(n, v)| HeaderPair::new(*n, *v))
            .collect();
        Exchange::request("client", "POST", MCP, headers, Some(body.into()))
            .served_by(Endpoint::Mcp)
    }

    fn spoken(exchanges: Vec<Exchange>) -> Vec<String> {
        versions_spoken(&Observation {
            exchanges,
            mcp_url: MCP.into(),
            ..Observation::default()
        })
        .into_iter()
        .collect()
    }

    #[test]
    fn reads_the_header_of_authorized_requests_after_initialize() {
        let bearer = ("Authorization", "Bearer t");
        let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}"#;
        let list = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
        assert_eq!(
            spoken(vec![
                request(&[], list),
                request(&[bearer], init),
                request(&[bearer, ("MCP-Protocol-Version", "2025-11-25")], list),
            ]),
            ["2025-11-25"]
        );
        // Unauthorized requests and a bare initialize say nothing.
        assert!(spoken(vec![
            request(&[("MCP-Protocol-Version", "2025-06-18")], list),
            request(&[bearer], init)
        ])
        .is_empty());
    }

    #[test]
    fn reads_the_per_request_meta_of_2026_07_28() {
        let list = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#;
        assert_eq!(
            spoken(vec![request(&[("authorization", "bearer t")], list)]),
            ["2026-07-28"]
        );
    }
}
