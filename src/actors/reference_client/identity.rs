//! The client's identity at the authorization server: a pre-registered client from the
//! launch context, or one registered dynamically (RFC 7591; MCP "Dynamic Client
//! Registration").

use serde_json::{json, Value};

use super::as_metadata::AsMetadata;
use super::wire::{describe, json_object, string_member, Ctx};
use crate::vocab::{ClientDefect as D, Revision};

const CLIENT_NAME: &str = "mcp-authspec reference client";

/// How the client authenticates at the token endpoint (RFC 7591 §2).
#[derive(Debug, Clone)]
pub(super) struct ClientIdentity {
    pub client_id: String,
    pub client_secret: Option<String>,
    /// `none`, `client_secret_basic` or `client_secret_post`.
    pub auth_method: String,
}

/// The default method of a client without one: `none` for a public client, and RFC
/// 7591 §2's default `client_secret_basic` when there is a secret.
fn default_method(secret: Option<&str>) -> &'static str {
    if secret.is_some() {
        "client_secret_basic"
    } else {
        "none"
    }
}

pub(super) async fn client_identity(
    ctx: &Ctx,
    metadata: &AsMetadata,
    redirect_uri: &str,
) -> Result<ClientIdentity, String> {
    if let Some(client_id) = ctx.launch.context_str("client_id") {
        if !ctx.has(D::IgnoresPreregisteredClient) {
            let secret = ctx.launch.context_str("client_secret");
            let method = ctx
                .launch
                .context_str("token_endpoint_auth_method")
                .unwrap_or(default_method(secret));
            return Ok(ClientIdentity {
                client_id: client_id.to_string(),
                client_secret: secret.map(str::to_string),
                auth_method: method.to_string(),
            });
        }
    }
    let Some(endpoint) = &metadata.registration_endpoint else {
        return Err(
            "no pre-registered client and no registration_endpoint to register one \
             (MCP \"Dynamic Client Registration\")"
                .into(),
        );
    };
    register(ctx, endpoint, redirect_uri).await
}

/// The client metadata sent for registration (RFC 7591 §2).
fn registration_request(ctx: &Ctx, redirect_uri: &str) -> Value {
    let mut body = json!({
        "client_name": CLIENT_NAME,
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    });
    // A public client (RFC 6749 §2.1): without the member RFC 7591 §2 defaults to
    // client_secret_basic, which a native client cannot keep secret.
    if !ctx.has(D::DcrWithoutAuthMethod) {
        body["token_endpoint_auth_method"] = json!("none");
    }
    // 2026-07-28 asks a registering client to say it is native (OpenID Connect Dynamic
    // Client Registration §2 application_type; loopback redirect URIs, RFC 8252).
    if ctx.revision() >= Revision::R2026_07_28 && !ctx.has(D::DcrWithoutApplicationType) {
        body["application_type"] = json!("native");
    }
    body
}

async fn register(ctx: &Ctx, endpoint: &str, redirect_uri: &str) -> Result<ClientIdentity, String> {
    let response = ctx
        .post_json(endpoint, &registration_request(ctx, redirect_uri))
        .await?;
    // RFC 7591 §3.2.1: 201 Created; any 2xx with the client information is taken.
    let answer = json_object(&response)
        .filter(|_| (200..300).contains(&response.status))
        .ok_or_else(|| format!("registration at {endpoint} failed: {}", describe(&response)))?;
    let client_id = string_member(&answer, "client_id")
        .filter(|id| !id.is_empty())
        .ok_or("the registration response has no client_id (RFC 7591 §3.2.1)")?;
    let secret = string_member(&answer, "client_secret").filter(|s| !s.is_empty());
    let method =
        string_member(&answer, "token_endpoint_auth_method").unwrap_or(default_method(secret));
    Ok(ClientIdentity {
        client_id: client_id.to_string(),
        client_secret: secret.map(str::to_string),
        auth_method: method.to_string(),
    })
}
