//! What a client learns about a server before it authorizes, read once per run: the
//! resource identifier tokens are issued for, and the scope the server says it needs.
//! Cases read them as `{resource}` and `{required_scope}`.
//!
//! - The resource is the `resource` of the protected resource metadata (RFC 9728 §2),
//!   found as a client finds it: the URL the challenge names (§5.1), else the
//!   path-inserted well-known URI, else the root one (MCP 2025-11-25 "Protected Resource
//!   Metadata Discovery Requirements"). It is used only when it covers the endpoint
//!   (same origin, a path prefix: MCP "Canonical Server URI" allows the origin);
//!   otherwise, or without metadata, the endpoint URL itself.
//! - The scope needed is the challenge's `scope` (RFC 6750 §3), else the metadata's
//!   `scopes_supported` (the MCP 2025-11-25 "Scope Selection Strategy" fallback).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::mcp_conversation::mcp_request;
use crate::logic::case_model::McpMessage;
use crate::logic::well_known::{insert_well_known, resource_covers, root_well_known};
use crate::logic::www_authenticate::{find_challenge, parse_challenges};
use crate::transport::{get_json, HttpClient};
use crate::vocab::Revision;

/// What discovery found.
pub struct Discovered {
    /// The resource identifier valid tokens are issued for.
    pub resource: String,
    /// The scope the server names, or why none is known.
    pub required_scope: Result<String, String>,
}

/// Discovery within `limit`; what it did not learn in time is unknown (the endpoint as
/// resource, no scope).
pub async fn discover(
    client: Arc<dyn HttpClient>,
    url: &Url,
    revision: Revision,
    limit: Duration,
) -> Discovered {
    let unknown = || {
        Discovered {
        resource: url.to_string(),
        required_scope: Err(format!(
            "the server named no scope within {} s (no answer to the unauthenticated request or the metadata)",
            limit.as_secs()
        )),
    }
    };
    tokio::time::timeout(limit, discover_unbounded(client, url, revision))
        .await
        .unwrap_or_else(|_| unknown())
}

async fn discover_unbounded(
    client: Arc<dyn HttpClient>,
    url: &Url,
    revision: Revision,
) -> Discovered {
    let request = mcp_request(McpMessage::FirstProtected, revision, url.as_str(), None);
    let mut advertised = None;
    let mut challenge_scope = None;
    if let Ok(r) = client.send(request).await {
        let values = crate::vocab::header_values(&r.headers, "www-authenticate");
        if let Ok(challenges) = parse_challenges(&values) {
            if let Some(bearer) = find_challenge(&challenges, "Bearer") {
                advertised = bearer.param("resource_metadata").map(str::to_string);
                challenge_scope = bearer
                    .param("scope")
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_string);
            }
        }
    }
    let mut candidates: Vec<String> = advertised.into_iter().collect();
    candidates.push(insert_well_known(url, "oauth-protected-resource").to_string());
    candidates.push(root_well_known(url, "oauth-protected-resource").to_string());
    let mut metadata: Option<Value> = None;
    for candidate in candidates {
        if let Ok(doc) = get_json(client.as_ref(), &candidate).await {
            metadata = Some(doc);
            break;
        }
    }
    let resource = metadata
        .as_ref()
        .and_then(|m| m.get("resource"))
        .and_then(Value::as_str)
        .filter(|r| Url::parse(r).is_ok_and(|parsed| resource_covers(&parsed, url)))
        .map(str::to_string)
        .unwrap_or_else(|| url.to_string());
    let listed = metadata
        .as_ref()
        .and_then(|m| m.get("scopes_supported"))
        .and_then(Value::as_array)
        .map(|scopes| {
            scopes
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|s| !s.is_empty());
    let required_scope = challenge_scope.or(listed).ok_or_else(|| {
        "the server names no scope: its 401 challenge has no `scope` and its protected \
         resource metadata no `scopes_supported`"
            .to_string()
    });
    Discovered {
        resource,
        required_scope,
    }
}
