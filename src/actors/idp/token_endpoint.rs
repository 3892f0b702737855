//! The token endpoint (RFC 6749 §3.2, OAuth 2.1 §3.2): client authentication as the
//! client registered it (`client_auth.rs`), the authorization code and refresh token
//! grants (`grants.rs`), the client credentials grant (`client_credentials.rs`), and
//! the answers: RFC 9068 JWT access tokens whose audience is
//! the RFC 8707 resource, and RFC 6749 §5.2 errors.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use super::client::Client;
use super::client_auth::authenticate;
use super::client_credentials::client_credentials;
use super::dpop::proven_key;
use super::grants::{redeem_code, refresh, Issue};
use super::jwt_bearer::redeem_assertion;
use super::params::Params;
use super::refusal::{token_response, Refusal};
use super::registration::has_media_type;
use super::state::{lock, IdpState};
use crate::actors::tokens::{random_id, Grant, DEFAULT_LIFETIME};
use crate::actors::traffic::serves;
use crate::logic::token_recipe::Mint;
use crate::vocab::oauth_urns::JWT_BEARER_GRANT;
use crate::vocab::{Endpoint, IdpDefect as D};

/// The access token lifetime of the `LongLivedAccessTokens` defect: 30 days, where
/// RFC 6750 §5.3 asks for short-lived bearer tokens (one hour or less).
const LONG_LIFETIME: i64 = 30 * 24 * 3600;

/// How long ago the first token of the `FirstTokenExpired` defect expired: well past any
/// leeway a resource server allows (RFC 7519 §4.1.4).
const EXPIRED_AGO: i64 = 600;

pub fn routes(state: Arc<IdpState>) -> Router {
    let path = state.endpoint_root_path();
    Router::new()
        .route(
            &format!("{path}/token"),
            serves(Endpoint::Token, post(token)),
        )
        .with_state(state)
}

async fn token(State(s): State<Arc<IdpState>>, headers: HeaderMap, body: Bytes) -> Response {
    let answered = if s.has(D::TokenEndpointServerError) {
        Err(Refusal::server_error("the token endpoint is broken"))
    } else {
        exchange(&s, &headers, &body)
    };
    // RFC 6749 §5.1: token responses must not be cached.
    let mut response = token_response(&s, answered);
    let refresh_defect = s.has(D::RefreshResponseIncomplete) && is_refresh_grant(&body);
    if s.has(D::NoCacheControl) || refresh_defect {
        response.headers_mut().remove(header::CACHE_CONTROL);
    }
    if s.has(D::TokenSuccessNotJson) && response.status() == StatusCode::OK {
        // The defect: RFC 6749 §5.1 names application/json for the success response.
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    response
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
    // RFC 7523 §2.1: client authentication is the grant's own business there.
    if p.get("grant_type") == Some(JWT_BEARER_GRANT) {
        let (client, issue) = redeem_assertion(s, headers, &p)?;
        let jkt = proven_key(s, headers)?;
        return answer(s, &client, issue, jkt.as_deref());
    }
    let client = authenticate(s, headers, &p)?;
    let grant_type = p
        .get("grant_type")
        .ok_or_else(|| Refusal::bad("invalid_request", "grant_type is missing"))?;
    if !matches!(
        grant_type,
        "authorization_code" | "refresh_token" | "client_credentials"
    ) {
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
    // RFC 9449 §5: the proof is checked before the grant, so that a refused proof (or
    // the nonce round of §8) leaves the code redeemable by the retry.
    let jkt = proven_key(s, headers)?;
    let jkt = jkt.as_deref();
    if grant_type == "authorization_code" {
        let issue = redeem_code(s, &client, &p)?;
        return answer(s, &client, issue, jkt);
    }
    if grant_type == "client_credentials" {
        let issue = client_credentials(s, &client, &p)?;
        return answer(s, &client, issue, jkt);
    }
    let issue = refresh(s, &client, &p)?;
    let mut answer = answer(s, &client, issue, jkt)?;
    if s.has(D::RefreshResponseIncomplete) {
        if let Some(fields) = answer.as_object_mut() {
            fields.remove("token_type");
        }
    }
    Ok(answer)
}

/// The successful response (RFC 6749 §5.1) with an RFC 9068 access token.
/// With a DPoP proof's key `jkt`, the token is bound to it (RFC 9449 §6.1) and typed
/// `DPoP` (§5).
fn answer(
    s: &IdpState,
    client: &Client,
    issue: Issue,
    jkt: Option<&str>,
) -> Result<Value, Refusal> {
    // RFC 8707 §2: the token is for the requested resource; without one, for the
    // server's one resource if it has one, else for the issuer.
    let audience = match (issue.resource, &s.config.default_audience) {
        _ if s.has(D::IgnoresResource) => s.issuer.clone(),
        (Some(resource), _) => resource,
        (None, Some(audience)) => audience.clone(),
        (None, None) => s.issuer.clone(),
    };
    let first = s.access_tokens_issued.fetch_add(1, Ordering::SeqCst) == 0;
    let (exp_offset, lifetime) = if first && s.has(D::FirstTokenExpired) {
        (-EXPIRED_AGO, 0)
    } else if s.has(D::LongLivedAccessTokens) {
        (LONG_LIFETIME, LONG_LIFETIME)
    } else {
        (DEFAULT_LIFETIME, DEFAULT_LIFETIME)
    };
    let mut claims = BTreeMap::from([("client_id".to_string(), json!(client.client_id))]);
    if let Some(jkt) = jkt {
        claims.insert("cnf".to_string(), json!({ "jkt": jkt }));
    }
    let recipe = Mint {
        claims,
        expires_in: Some(exp_offset),
        sign: s.config.access_token_signing,
        ..Default::default()
    };
    let grant = Grant {
        resource: audience,
        scope: issue.scope.clone(),
    };
    let access_token = s
        .minter
        .mint(&recipe, &grant)
        .map_err(Refusal::server_error)?;
    let mut answer = json!({
        "access_token": access_token,
        "token_type": if jkt.is_some() { "DPoP" } else { "Bearer" },
        "expires_in": lifetime,
        "scope": issue.scope,
    });
    if let Some(refresh) = issue.new_refresh {
        let refresh_token = random_id();
        lock(&s.refresh_tokens).insert(refresh_token.clone(), refresh);
        answer["refresh_token"] = json!(refresh_token);
    }
    Ok(answer)
}

/// `refresh-response-incomplete`: whether the request is a refresh token grant.
fn is_refresh_grant(body: &[u8]) -> bool {
    Params::parse(body).get("grant_type") == Some("refresh_token")
}
