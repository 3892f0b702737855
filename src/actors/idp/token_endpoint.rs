//! The token endpoint (RFC 6749 §3.2, OAuth 2.1 §3.2): client authentication as the
//! client registered it, the authorization code grant with PKCE (RFC 7636 §4.6) and the
//! refresh token grant with rotation for public clients (OAuth 2.1 §4.3.1). Access
//! tokens are RFC 9068 JWTs whose audience is the RFC 8707 resource.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::authorize::{is_verifier_syntax, scope_tokens, Params};
use super::registration::{has_media_type, oauth_error};
use super::state::{lock, Client, CodeGrant, IdpState, RefreshGrant};
use crate::actors::tokens::{random_id, Grant, DEFAULT_LIFETIME};
use crate::logic::token_recipe::Mint;
use crate::vocab::IdpDefect as D;

/// The realm of the Basic challenge sent when Basic authentication fails.
const BASIC_CHALLENGE: &str = "Basic realm=\"mcp-authspec-idp\"";

pub fn routes(state: Arc<IdpState>) -> Router {
    let path = state.config.issuer_path.clone().unwrap_or_default();
    Router::new()
        .route(&format!("{path}/token"), post(token))
        .with_state(state)
}

/// An error response of RFC 6749 §5.2.
struct Refusal {
    status: StatusCode,
    error: &'static str,
    description: String,
    /// The client tried HTTP Basic: a 401 then carries a Basic challenge (§5.2).
    basic_challenge: bool,
}

impl Refusal {
    fn bad(error: &'static str, description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }

    /// `invalid_client` is the one error answered with 401 (RFC 6749 §5.2).
    fn client(description: impl Into<String>, basic_challenge: bool) -> Self {
        Refusal {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: description.into(),
            basic_challenge,
        }
    }

    fn into_response(self) -> Response {
        let mut response = oauth_error(self.status, self.error, &self.description);
        if self.basic_challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(BASIC_CHALLENGE),
            );
        }
        response
    }
}

async fn token(State(s): State<Arc<IdpState>>, headers: HeaderMap, body: Bytes) -> Response {
    match exchange(&s, &headers, &body) {
        // RFC 6749 §5.1: token responses must not be cached.
        Ok(answer) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            Json(answer),
        )
            .into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

fn exchange(s: &IdpState, headers: &HeaderMap, body: &[u8]) -> Result<Value, Refusal> {
    // RFC 6749 §3.2: parameters travel as application/x-www-form-urlencoded.
    if !has_media_type(headers, "application/x-www-form-urlencoded") {
        return Err(Refusal::bad(
            "invalid_request",
            "the token request must be application/x-www-form-urlencoded (RFC 6749 §3.2)",
        ));
    }
    let p = Params::parse(body);
    if let Some((error, description)) = p.repeat_error() {
        return Err(Refusal::bad(error, description));
    }
    let client = authenticate(s, headers, &p)?;
    let grant_type = p
        .get("grant_type")
        .ok_or_else(|| Refusal::bad("invalid_request", "grant_type is missing"))?;
    if !matches!(grant_type, "authorization_code" | "refresh_token") {
        return Err(Refusal::bad(
            "unsupported_grant_type",
            format!("grant_type {grant_type:?} is not supported"),
        ));
    }
    // RFC 6749 §5.2: a grant the client did not register is unauthorized_client.
    if !client.grant_types.iter().any(|g| g == grant_type) {
        return Err(Refusal::bad(
            "unauthorized_client",
            format!("the client did not register the {grant_type} grant type"),
        ));
    }
    let issue = if grant_type == "authorization_code" {
        redeem_code(s, &client, &p)?
    } else {
        refresh(s, &client, &p)?
    };
    answer(s, &client, issue)
}

/// Authenticates the client with the method it registered (RFC 6749 §2.3, RFC 7591 §2).
fn authenticate(s: &IdpState, headers: &HeaderMap, p: &Params) -> Result<Client, Refusal> {
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => Some(basic_credentials(value).ok_or_else(|| {
            Refusal::client(
                "the Authorization header is not HTTP Basic credentials with form-urlencoded \
                 client_id and secret (RFC 6749 §2.3.1)",
                true,
            )
        })?),
    };
    let used_basic = basic.is_some();
    let body_secret = p.get("client_secret");
    // RFC 6749 §2.3: one authentication method per request.
    if used_basic && body_secret.is_some() {
        return Err(Refusal::bad(
            "invalid_request",
            "the client authenticated both with Basic and with client_secret in the body \
             (RFC 6749 §2.3)",
        ));
    }
    let client_id = match (&basic, p.get("client_id")) {
        (Some((id, _)), Some(body_id)) if id != body_id => {
            return Err(Refusal::client(
                "the client_id in the body differs from the Basic credentials",
                true,
            ))
        }
        (Some((id, _)), _) => id.clone(),
        (None, Some(body_id)) => body_id.to_string(),
        (None, None) => {
            return Err(Refusal::client(
                "no client authentication and no client_id (RFC 6749 §3.2.1)",
                false,
            ))
        }
    };
    let client = lock(&s.clients)
        .get(&client_id)
        .cloned()
        .ok_or_else(|| Refusal::client(format!("unknown client {client_id:?}"), used_basic))?;
    let (method, secret) = match (basic, body_secret) {
        (Some((_, secret)), _) => ("client_secret_basic", Some(secret)),
        (None, Some(secret)) => ("client_secret_post", Some(secret.to_string())),
        (None, None) => ("none", None),
    };
    if method != client.token_endpoint_auth_method {
        return Err(Refusal::client(
            format!(
                "the client registered {} but authenticated with {method}",
                client.token_endpoint_auth_method
            ),
            used_basic,
        ));
    }
    if secret.is_some() && secret != client.client_secret {
        return Err(Refusal::client("wrong client secret", used_basic));
    }
    Ok(client)
}

/// HTTP Basic credentials; RFC 6749 §2.3.1 form-urlencodes the client_id and secret
/// before they are joined with `:` and base64-encoded.
fn basic_credentials(value: &HeaderValue) -> Option<(String, String)> {
    let (scheme, encoded) = value.to_str().ok()?.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// Decodes an application/x-www-form-urlencoded value: `+` is a space, `%XX` a byte.
/// Malformed escapes and bytes that are not UTF-8 are refused, not guessed at.
fn form_decode(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut input = s.bytes();
    while let Some(b) = input.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [input.next()?, input.next()?];
                // from_str_radix alone would take a sign: `%+1`.
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            _ => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

/// What a successful grant yields.
struct Issue {
    resource: Option<String>,
    scope: String,
    /// Issue a new refresh token for this grant.
    new_refresh: Option<RefreshGrant>,
}

fn required<'a>(p: &'a Params, name: &str) -> Result<&'a str, Refusal> {
    p.get(name)
        .ok_or_else(|| Refusal::bad("invalid_request", format!("{name} is missing")))
}

/// The authorization code grant (RFC 6749 §4.1.3, OAuth 2.1 §4.1.3).
fn redeem_code(s: &IdpState, client: &Client, p: &Params) -> Result<Issue, Refusal> {
    let code = required(p, "code")?;
    let invalid_grant = |why: &str| Refusal::bad("invalid_grant", why);
    // One lock from lookup to marking the code redeemed: two concurrent redemptions
    // cannot both succeed.
    let mut codes = lock(&s.codes);
    let grant = codes
        .get_mut(code)
        .ok_or_else(|| invalid_grant("the code was not issued by this server"))?;
    // RFC 6749 §4.1.2: a code is used once.
    if grant.redeemed && !s.has(D::ReusableCodes) {
        return Err(invalid_grant("the code was already redeemed"));
    }
    // RFC 6749 §4.1.3: the code must have been issued to the authenticated client.
    if grant.client_id != client.client_id && !s.has(D::SkipsClientCheck) {
        return Err(invalid_grant("the code was issued to another client"));
    }
    // RFC 6749 §4.1.3: redirect_uri identical to the authorization request's.
    let repeated = match p.get("redirect_uri") {
        Some(uri) => uri == grant.redirect_uri,
        None => !grant.redirect_uri_given,
    };
    if !s.has(D::SkipsRedirectUriCheck) && !repeated {
        return Err(invalid_grant(
            "redirect_uri differs from the authorization request's (RFC 6749 §4.1.3)",
        ));
    }
    if !s.has(D::SkipsPkceVerification) {
        verify_pkce(grant, p.get("code_verifier"))?;
    }
    same_resource(grant.resource.as_deref(), p)?;
    grant.redeemed = true;
    let grant = grant.clone();
    drop(codes);
    let new_refresh = client
        .grant_types
        .iter()
        .any(|g| g == "refresh_token")
        .then(|| RefreshGrant {
            client_id: client.client_id.clone(),
            resource: grant.resource.clone(),
            scope: grant.scope.clone(),
            revoked: false,
        });
    Ok(Issue {
        resource: grant.resource,
        scope: grant.scope,
        new_refresh,
    })
}

/// RFC 8707 §2: a token request may name the granted resource again, not another one.
fn same_resource(granted: Option<&str>, p: &Params) -> Result<(), Refusal> {
    match p.get("resource") {
        Some(resource) if granted != Some(resource) => Err(Refusal::bad(
            "invalid_target",
            format!("resource {resource:?} is not the one granted (RFC 8707 §2)"),
        )),
        _ => Ok(()),
    }
}

/// RFC 7636 §4.6: the verifier must transform into the challenge.
fn verify_pkce(grant: &CodeGrant, verifier: Option<&str>) -> Result<(), Refusal> {
    // Without a challenge (only through AcceptsMissingPkce) there is nothing to verify.
    let Some(challenge) = &grant.code_challenge else {
        return Ok(());
    };
    let verifier = verifier.ok_or_else(|| {
        Refusal::bad(
            "invalid_request",
            "code_verifier is missing (RFC 7636 §4.5)",
        )
    })?;
    if !is_verifier_syntax(verifier) {
        return Err(Refusal::bad(
            "invalid_request",
            "code_verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)",
        ));
    }
    let transformed = match grant.code_challenge_method.as_deref() {
        Some("S256") => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        _ => verifier.to_string(),
    };
    if transformed != *challenge {
        return Err(Refusal::bad(
            "invalid_grant",
            "code_verifier does not match the code_challenge (RFC 7636 §4.6)",
        ));
    }
    Ok(())
}

/// The refresh token grant (RFC 6749 §6, OAuth 2.1 §4.3).
fn refresh(s: &IdpState, client: &Client, p: &Params) -> Result<Issue, Refusal> {
    let token = required(p, "refresh_token")?;
    let invalid_grant = |why: &str| Refusal::bad("invalid_grant", why);
    let mut tokens = lock(&s.refresh_tokens);
    let grant = tokens
        .get_mut(token)
        .ok_or_else(|| invalid_grant("the refresh token was not issued by this server"))?;
    if grant.revoked {
        return Err(invalid_grant(
            "the refresh token was rotated and is revoked (OAuth 2.1 §4.3.1)",
        ));
    }
    if grant.client_id != client.client_id {
        return Err(invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    // RFC 6749 §6: the scope may shrink, never grow.
    let scope = match p.get("scope") {
        None => grant.scope.clone(),
        Some(requested) => {
            let granted = scope_tokens(&grant.scope);
            let requested = scope_tokens(requested);
            if let Some(extra) = requested.iter().find(|t| !granted.contains(t)) {
                return Err(Refusal::bad(
                    "invalid_scope",
                    format!("scope {extra:?} was not granted originally (RFC 6749 §6)"),
                ));
            }
            requested.join(" ")
        }
    };
    same_resource(grant.resource.as_deref(), p)?;
    // OAuth 2.1 §4.3.1: a public client's refresh token is sender-unconstrained, so it
    // is rotated: the used one is revoked and a new one issued, with the original scope
    // (RFC 6749 §6). Confidential clients keep theirs.
    let rotate = client.token_endpoint_auth_method == "none" && !s.has(D::NoRefreshRotation);
    let new_refresh = rotate.then(|| {
        grant.revoked = true;
        RefreshGrant {
            revoked: false,
            ..grant.clone()
        }
    });
    Ok(Issue {
        resource: grant.resource.clone(),
        scope,
        new_refresh,
    })
}

/// The successful response (RFC 6749 §5.1) with an RFC 9068 access token.
fn answer(s: &IdpState, client: &Client, issue: Issue) -> Result<Value, Refusal> {
    // RFC 8707 §2: the token is for the requested resource; without one, for the issuer.
    let audience = match issue.resource {
        Some(resource) if !s.has(D::IgnoresResource) => resource,
        _ => s.issuer.clone(),
    };
    let recipe = Mint {
        claims: BTreeMap::from([("client_id".to_string(), json!(client.client_id))]),
        ..Default::default()
    };
    let grant = Grant {
        resource: audience,
        scope: issue.scope.clone(),
    };
    let access_token = s.minter.mint(&recipe, &grant).map_err(|e| Refusal {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        error: "server_error",
        description: e,
        basic_challenge: false,
    })?;
    let mut answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": DEFAULT_LIFETIME,
        "scope": issue.scope,
    });
    if let Some(refresh) = issue.new_refresh {
        let refresh_token = random_id();
        lock(&s.refresh_tokens).insert(refresh_token.clone(), refresh);
        answer["refresh_token"] = json!(refresh_token);
    }
    Ok(answer)
}
