//! The JWT bearer grant (RFC 7523 §2.1) of enterprise-managed authorization (ext-auth
//! draft "4. Token Exchange", "5. Access Token Request") and of workload identity
//! federation (SEP-1933): the client obtains or is given a JWT and redeems it at the
//! MCP authorization server's token endpoint; after a refusal it neither retries nor
//! switches grant types (the official auth/wif-jwt-bearer scenario's rule).

use super::as_metadata::AsMetadata;
use super::client_assertion::issuer_as_written;
use super::identity::ClientIdentity;
use super::token::{push_resource_and_scope, token_request, Tokens};
use super::wire::{describe, json_object, string_member, Ctx};
use crate::vocab::oauth_urns::{
    ACCESS_TOKEN_TYPE, ID_JAG_TOKEN_TYPE, ID_TOKEN_TYPE, JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT,
};
use crate::vocab::{ClientDefect as D, ClientKnob as K};

/// How often the `WifRetriesAfterRefusal` defect sends a refused grant again.
const RETRIES: usize = 3;

/// Enterprise-managed authorization: the ID-JAG for this MCP server, then the grant.
pub(super) async fn enterprise_grant(
    ctx: &Ctx,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    scope: Option<&str>,
) -> Result<Tokens, String> {
    let id_token = ctx
        .launch
        .context_str("idp_id_token")
        .ok_or("the launch context has no idp_id_token")?
        .to_string();
    let assertion = if ctx.has(D::EmaSendsIdToken) {
        id_token
    } else {
        id_jag(ctx, metadata, &id_token, scope).await?
    };
    jwt_bearer(ctx, metadata, client, assertion, scope).await
}

/// "4. Token Exchange" (RFC 8693 §2.1) at the enterprise identity provider.
async fn id_jag(
    ctx: &Ctx,
    metadata: &AsMetadata,
    id_token: &str,
    scope: Option<&str>,
) -> Result<String, String> {
    let endpoint = ctx
        .launch
        .context_str("idp_token_endpoint")
        .ok_or("the launch context has no idp_token_endpoint")?;
    let requested = if ctx.has(D::EmaRequestsAccessToken) {
        ACCESS_TOKEN_TYPE
    } else {
        ID_JAG_TOKEN_TYPE
    };
    // "audience: The Issuer URL of the MCP server's authorization server".
    let audience = if ctx.has(D::EmaAudienceIsResource) {
        ctx.resource()
    } else {
        issuer_as_written(ctx, &metadata.issuer)
    };
    let mut form = vec![
        ("grant_type", TOKEN_EXCHANGE_GRANT.to_string()),
        ("requested_token_type", requested.to_string()),
        ("audience", audience),
        ("resource", ctx.resource()),
        ("subject_token", id_token.to_string()),
        ("subject_token_type", ID_TOKEN_TYPE.to_string()),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope.to_string()));
    }
    if let Some(id) = ctx.launch.context_str("idp_client_id") {
        if !ctx.launch.has_knob(K::AssertionGrantWithoutClientId) {
            form.push(("client_id", id.to_string()));
        }
    }
    let response = ctx.post_form(endpoint, &form, Vec::new()).await?;
    let answer = json_object(&response)
        .filter(|_| response.status == 200)
        .ok_or_else(|| {
            format!(
                "the token exchange at {endpoint} failed: {}",
                describe(&response)
            )
        })?;
    // RFC 8693 §2.2.1: issued_token_type says what came back.
    if string_member(&answer, "issued_token_type") != Some(ID_JAG_TOKEN_TYPE) {
        return Err(format!(
            "the token exchange at {endpoint} issued no ID-JAG: {}",
            describe(&response)
        ));
    }
    string_member(&answer, "access_token")
        .map(str::to_string)
        .ok_or_else(|| "the token exchange response has no access_token (RFC 8693 §2.2.1)".into())
}

/// Workload identity federation: the context's `valid_jwt` as the grant.
pub(super) async fn workload_grant(
    ctx: &Ctx,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    scope: Option<&str>,
) -> Result<Tokens, String> {
    let which = if ctx.has(D::WifSendsWrongAudience) {
        "wrong_audience_jwt"
    } else if ctx.has(D::WifSendsExpired) {
        "expired_jwt"
    } else {
        "valid_jwt"
    };
    let jwt = ctx
        .launch
        .context_str(which)
        .ok_or_else(|| format!("the launch context has no {which}"))?
        .to_string();
    jwt_bearer(ctx, metadata, client, jwt, scope).await
}

/// RFC 7523 §2.1: `grant_type=…:jwt-bearer` and `assertion`, the resource (MCP
/// "Resource Parameter Implementation") and the scope; the client authenticates as it
/// registered (none for the workload's public client).
async fn jwt_bearer(
    ctx: &Ctx,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    assertion: String,
    scope: Option<&str>,
) -> Result<Tokens, String> {
    let mut form = vec![
        ("grant_type", JWT_BEARER_GRANT.to_string()),
        ("assertion", assertion),
    ];
    push_resource_and_scope(ctx, &mut form, scope);
    let first = token_request(ctx, metadata, client, form.clone()).await;
    let Err(refused) = first else {
        return first;
    };
    // The defects: what the official scenario's broken clients do after a refusal.
    if ctx.has(D::WifRetriesAfterRefusal) {
        for _ in 0..RETRIES {
            let _ = token_request(ctx, metadata, client, form.clone()).await;
        }
    }
    if ctx.has(D::WifFallsBackToClientCredentials) {
        let fallback = vec![("grant_type", "client_credentials".to_string())];
        let _ = token_request(ctx, metadata, client, fallback).await;
    }
    Err(refused)
}
