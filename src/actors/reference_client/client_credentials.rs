//! The OAuth client credentials extension's flow ("Client Credentials Flow"): in its
//! official scenarios the client is a machine client with pre-registered credentials in
//! the launch context. Discovery is the base protocol's (the extension's "Extension
//! Requirements"); then, instead of the authorization code flow, one token request with
//! `grant_type=client_credentials` (RFC 6749 §4.4.2), the RFC 8707 `resource` and the
//! scope, authenticated by a JWT assertion or the client secret. No dynamic
//! registration ("Overview").

use serde_json::json;

use super::as_metadata::AsMetadata;
use super::identity::ClientIdentity;
use super::token::{push_resource_and_scope, token_request, Tokens};
use super::wire::Ctx;
use crate::logic::well_known::origin_of;

/// The `CcRegisters` defect: a registration request before the pre-registered
/// credentials are used (the answer does not matter).
pub(super) async fn register_anyway(ctx: &Ctx, metadata: &AsMetadata) {
    if let Some(endpoint) = &metadata.registration_endpoint {
        let body = json!({
            "client_name": "mcp-authspec reference client",
            "grant_types": ["client_credentials"],
            "token_endpoint_auth_method": "client_secret_basic",
        });
        let _ = ctx.post_json(endpoint, &body).await;
    }
}

/// The client credentials grant (RFC 6749 §4.4.2) at the discovered token endpoint.
pub(super) async fn client_credentials_grant(
    ctx: &Ctx,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    scope: Option<&str>,
) -> Result<Tokens, String> {
    let mut form = vec![("grant_type", "client_credentials".to_string())];
    // MCP "Resource Parameter Implementation", which the extension keeps.
    push_resource_and_scope(ctx, &mut form, scope);
    token_request(ctx, metadata, client, form).await
}

/// The `CcSkipsDiscovery` defect's authorization server: the 2025-03-26 default
/// endpoints at the MCP server's origin, neither metadata document read.
pub(super) fn guessed_metadata(ctx: &Ctx) -> Result<AsMetadata, String> {
    let origin = url::Url::parse(ctx.server_url())
        .map(|u| origin_of(&u))
        .map_err(|e| format!("the server URL is not a URL: {e}"))?;
    Ok(AsMetadata {
        issuer: origin.clone(),
        document_issuer: None,
        url: format!("{origin}/.well-known/oauth-authorization-server"),
        authorization_endpoint: format!("{origin}/authorize"),
        token_endpoint: format!("{origin}/token"),
        registration_endpoint: None,
        code_challenge_methods: None,
        iss_parameter_supported: false,
        auth_methods: None,
        cimd_supported: false,
        offline_access: false,
    })
}
