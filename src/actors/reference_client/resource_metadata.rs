//! Protected resource metadata discovery (RFC 9728; MCP 2025-06-18+ "Authorization
//! Server Discovery"): where the metadata is, that it describes this MCP server, and
//! which authorization server it names.

use serde_json::{Map, Value};
use url::Url;

use super::challenge::ChallengeInfo;
use super::wire::{describe, http_url, json_object, string_member, Ctx};
use crate::logic::well_known::{
    insert_well_known, is_https_or_loopback, origin_of, root_well_known,
};
use crate::vocab::ClientDefect as D;

const PRM_SUFFIX: &str = "oauth-protected-resource";

/// The protected resource metadata and the issuer the client will use.
pub(super) struct ResourceMetadata {
    pub document: Map<String, Value>,
    /// `authorization_servers[0]`, exactly as listed (or the MCP origin by the
    /// `UsesMcpOriginAs` defect).
    pub issuer: String,
}

impl ResourceMetadata {
    /// `scopes_supported` space-joined (MCP "Scope Selection Strategy"), if listed.
    pub fn scopes_supported(&self) -> Option<String> {
        let scopes: Vec<&str> = self
            .document
            .get("scopes_supported")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        (!scopes.is_empty()).then(|| scopes.join(" "))
    }
}

/// The URLs to try, in order: the challenge's `resource_metadata` alone when given
/// (RFC 9728 §5.1: the server says where it is), else the well-known URIs (RFC 9728
/// §3.1): path-inserted first, then the root one (MCP 2025-11-25 "Protected Resource
/// Metadata Discovery Requirements").
fn candidates(ctx: &Ctx, server: &Url, challenge: &ChallengeInfo) -> Vec<Url> {
    let named = challenge
        .resource_metadata
        .as_deref()
        .filter(|_| !ctx.has(D::IgnoresResourceMetadata))
        // A relative or non-http value is no usable location (RFC 9728 §5.1 wants a
        // URL); the client then discovers as if none were given.
        .and_then(http_url);
    if let Some(url) = named {
        return vec![url];
    }
    let mut path = insert_well_known(server, PRM_SUFFIX);
    let root = root_well_known(server, PRM_SUFFIX);
    if path == root && ctx.has(D::PrmTrailingSlashForRoot) {
        path.set_path(&format!("{}/", root.path()));
    }
    let mut urls = if ctx.has(D::NoRootFallback) {
        vec![path]
    } else if ctx.has(D::ProbesRootFirst) {
        vec![root, path]
    } else {
        vec![path, root]
    };
    // Without a path both URIs are the same; asking twice would be noise.
    urls.dedup();
    urls
}

/// What protected resource metadata discovery found.
pub(super) enum Discovered {
    Metadata(ResourceMetadata),
    /// No candidate URL served a metadata document: what each answered. The server is
    /// then one of 2025-03-26, which has no such metadata.
    Nothing(String),
}

/// Finds the protected resource metadata and checks it describes this server. A
/// document that is found but wrong is an error, never a reason to look elsewhere.
pub(super) async fn discover_resource_metadata(
    ctx: &Ctx,
    challenge: &ChallengeInfo,
) -> Result<Discovered, String> {
    let server = http_url(ctx.server_url()).ok_or_else(|| {
        format!(
            "the server URL {:?} is not an http(s) URL",
            ctx.server_url()
        )
    })?;
    let mut tried = Vec::new();
    let mut document = None;
    for url in candidates(ctx, &server, challenge) {
        let response = ctx.get(url.as_str(), Vec::new()).await?;
        // The first 200 answer with a JSON object wins (RFC 9728 §3.2).
        match json_object(&response).filter(|_| response.status == 200) {
            Some(doc) => {
                document = Some(doc);
                break;
            }
            None => tried.push(format!("{url} ({})", describe(&response))),
        }
    }
    let Some(document) = document else {
        return Ok(Discovered::Nothing(format!(
            "no protected resource metadata: {} (RFC 9728 §3)",
            tried.join("; ")
        )));
    };
    // RFC 9728 §3.3: the resource must be identical to the URL the metadata was
    // looked up for, or the metadata may be an impersonator's.
    let resource = string_member(&document, "resource");
    if resource != Some(ctx.server_url()) && !ctx.has(D::SkipsPrmResourceCheck) {
        return Err(format!(
            "the protected resource metadata names resource {resource:?}, not {:?} (RFC 9728 §3.3)",
            ctx.server_url()
        ));
    }
    let issuer = if ctx.has(D::UsesMcpOriginAs) {
        origin_of(&server)
    } else {
        first_authorization_server(&document)?
    };
    Ok(Discovered::Metadata(ResourceMetadata { document, issuer }))
}

/// `authorization_servers[0]` (RFC 9728 §2; MCP lets the client choose, and the
/// reference client takes the first), which must be https or loopback http (MCP
/// "Communication Security").
fn first_authorization_server(document: &Map<String, Value>) -> Result<String, String> {
    let issuer = document
        .get("authorization_servers")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .ok_or("the protected resource metadata lists no authorization_servers (RFC 9728 §2)")?;
    match http_url(issuer) {
        Some(url) if is_https_or_loopback(&url) => Ok(issuer.to_string()),
        _ => Err(format!(
            "the authorization server {issuer:?} is not an https URL (MCP \"Communication Security\")"
        )),
    }
}
