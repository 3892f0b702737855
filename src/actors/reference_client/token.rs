//! The token endpoint: redeeming a code (RFC 6749 §4.1.3, RFC 7636 §4.5), refreshing
//! (RFC 6749 §6), client authentication (RFC 6749 §2.3; RFC 7523 §2.2 assertions) and
//! reading the answer (§5.1).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::as_metadata::AsMetadata;
use super::authorization::AuthorizationCode;
use super::client_assertion::assertion_params;
use super::dpop_requests::post_token_form;
use super::identity::ClientIdentity;
use super::wire::{describe, json_object, string_member, Ctx};
use crate::vocab::{ClientDefect as D, ClientKnob as K, HeaderPair};

/// The tokens the client holds.
#[derive(Debug, Clone)]
pub(super) struct Tokens {
    pub access: String,
    pub refresh: Option<String>,
}

/// Exchanges a code for tokens.
pub(super) async fn redeem(
    ctx: &Ctx,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    grant: &AuthorizationCode,
    redirect_uri: &str,
) -> Result<Tokens, String> {
    let mut form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", grant.code.clone()),
        // RFC 6749 §4.1.3: required since the authorization request had it.
        ("redirect_uri", redirect_uri.to_string()),
        ("code_verifier", grant.code_verifier.clone()),
    ];
    if ctx.has(D::NoRedirectUriInToken) {
        form.retain(|(name, _)| *name != "redirect_uri");
    }
    push_resource_and_scope(ctx, &mut form, None);
    token_request(ctx, metadata, client, form).await
}

/// The resource (MCP "Resource Parameter Implementation": in token requests too, RFC 8707
/// §2; left out under the `NoResourceInToken` defect) and the scope asked for, if any, in
/// a token request of any grant.
pub(super) fn push_resource_and_scope(
    ctx: &Ctx,
    form: &mut Vec<(&'static str, String)>,
    scope: Option<&str>,
) {
    if ctx.sends_resource() && !ctx.has(D::NoResourceInToken) {
        form.push(("resource", ctx.resource()));
    }
    if let Some(scope) = scope {
        form.push(("scope", scope.to_string()));
    }
}

/// Renews the access token with a refresh token.
pub(super) async fn refresh(
    ctx: &Ctx,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    refresh_token: &str,
) -> Result<Tokens, String> {
    let mut form = vec![
        ("grant_type", "refresh_token".to_string()),
        ("refresh_token", refresh_token.to_string()),
    ];
    if ctx.sends_resource() && !ctx.has(D::NoResourceInRefresh) {
        form.push(("resource", ctx.resource()));
    }
    if ctx.has(D::RefreshTokenInQuery) {
        // The defect: the token in the URL too, where logs and proxies keep it.
        let mut url = url::Url::parse(&metadata.token_endpoint)
            .map_err(|e| format!("the token endpoint is not a URL: {e}"))?;
        url.query_pairs_mut()
            .append_pair("refresh_token", refresh_token);
        let leaky = AsMetadata {
            token_endpoint: url.to_string(),
            ..metadata.clone()
        };
        return token_request(ctx, &leaky, client, form).await;
    }
    token_request(ctx, metadata, client, form).await
}

pub(super) async fn token_request(
    ctx: &Ctx,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    mut form: Vec<(&'static str, String)>,
) -> Result<Tokens, String> {
    let mut headers = Vec::new();
    authenticate(ctx, metadata, client, &mut form, &mut headers)?;
    let endpoint = &metadata.token_endpoint;
    let response = post_token_form(ctx, endpoint, &form, headers).await?;
    let answer = json_object(&response)
        .filter(|_| response.status == 200)
        .ok_or_else(|| {
            format!(
                "the token request to {endpoint} failed: {}",
                describe(&response)
            )
        })?;
    let access = string_member(&answer, "access_token")
        .filter(|t| !t.is_empty())
        .ok_or("the token response has no access_token (RFC 6749 §5.1)")?;
    // RFC 6749 §7.1: a client must not use a token whose type it does not understand;
    // MCP uses Bearer tokens (RFC 6750), whose type name is case-insensitive; a DPoP
    // client also DPoP-bound ones (RFC 9449 §5).
    if let Some(kind) = string_member(&answer, "token_type") {
        let dpop = ctx.dpop.is_some() && kind.eq_ignore_ascii_case("dpop");
        if !kind.eq_ignore_ascii_case("bearer") && !dpop {
            return Err(format!(
                "the token response's token_type is {kind:?}, not Bearer (RFC 6749 §7.1)"
            ));
        }
    }
    Ok(Tokens {
        access: access.to_string(),
        refresh: string_member(&answer, "refresh_token")
            .filter(|t| !t.is_empty())
            .map(str::to_string),
    })
}

/// Client authentication with the client's method (RFC 6749 §2.3, RFC 7591 §2).
fn authenticate(
    ctx: &Ctx,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    form: &mut Vec<(&'static str, String)>,
    headers: &mut Vec<HeaderPair>,
) -> Result<(), String> {
    let id = client.client_id.clone();
    let secret = || {
        client.client_secret.clone().ok_or_else(|| {
            format!(
                "the client uses {} but has no client_secret",
                client.auth_method
            )
        })
    };
    if ctx.has(D::OmitsClientSecret) && client.client_secret.is_some() {
        form.push(("client_id", id));
        return Ok(());
    }
    match client.auth_method.as_str() {
        // RFC 6749 §3.2.1: a public client identifies itself with client_id.
        "none" => {
            // RFC 7521 §4.1: with an assertion grant client authentication is optional.
            let assertion_grant = form.iter().any(|(n, _)| *n == "assertion");
            let leave_out =
                assertion_grant && ctx.launch.has_knob(K::AssertionGrantWithoutClientId);
            if !ctx.has(D::NoClientIdForPublic) && !leave_out {
                form.push(("client_id", id));
            }
        }
        "client_secret_basic" | "client_secret_post" if ctx.has(D::BasicAndPost) => {
            headers.push(basic(&id, &secret()?));
            form.push(("client_id", id));
            form.push(("client_secret", secret()?));
        }
        "client_secret_basic" if ctx.has(D::SecretInBodyForBasic) => {
            form.push(("client_id", id));
            form.push(("client_secret", secret()?));
        }
        "client_secret_basic" => headers.push(basic(&id, &secret()?)),
        "client_secret_post" if ctx.has(D::BasicForPost) => headers.push(basic(&id, &secret()?)),
        "client_secret_post" => {
            form.push(("client_id", id));
            form.push(("client_secret", secret()?));
        }
        // RFC 7523 §2.2: the assertion alone; the client_id is its sub (§3).
        "private_key_jwt" => {
            let (pem, algorithm) = client
                .signing_key
                .as_ref()
                .ok_or("the client uses private_key_jwt but has no key")?;
            form.extend(assertion_params(ctx, metadata, &id, pem, algorithm)?);
        }
        other => {
            return Err(format!(
                "the client authentication method {other:?} is not supported (none, \
                 client_secret_basic, client_secret_post, private_key_jwt)"
            ))
        }
    }
    Ok(())
}

/// HTTP Basic with the form-urlencoded client_id and secret (RFC 6749 §2.3.1).
fn basic(id: &str, secret: &str) -> HeaderPair {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let credentials = STANDARD.encode(format!("{}:{}", encode(id), encode(secret)));
    HeaderPair::new("Authorization", format!("Basic {credentials}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_urlencoded_first() {
        let h = basic("a:b", "s p&");
        let decoded = STANDARD
            .decode(h.value.strip_prefix("Basic ").unwrap())
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "a%3Ab:s+p%26");
    }
}
