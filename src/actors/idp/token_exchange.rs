//! The enterprise identity provider of enterprise-managed authorization (ext-auth draft,
//! "4. Token Exchange"), served beside the MCP authorization server at
//! `{origin}/enterprise`: an OpenID provider that exchanges the ID token it issued to
//! the client for an Identity Assertion JWT Authorization Grant (ID-JAG) by RFC 8693
//! token exchange. Strict like a real one: every required parameter, the subject token's
//! signature, issuer and audience ("4.1 Processing Rules"), the target authorization
//! server and resource.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

use super::client_assertion::audience_names_server;
use super::config::AssertionGrantConfig;
use super::jwt_bearer::{enterprise_issuer, issuer_at, token_endpoint_of, ID_JAG_TYP};
use super::params::Params;
use super::refusal::{token_response, Refusal};
use super::registration::has_media_type;
use super::state::IdpState;
use crate::actors::tokens::{enterprise_idp, random_id, unix_now};
use crate::actors::traffic::serves;
use crate::vocab::oauth_urns::{ID_JAG_TOKEN_TYPE, ID_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT};
use crate::vocab::Endpoint;

/// How long an ID-JAG is valid: the draft's example response gives 300 s.
const ID_JAG_LIFETIME: i64 = 300;
/// How long the context's ID token is valid.
const ID_TOKEN_LIFETIME: i64 = 3600;

/// The user the enterprise identity provider signed in.
pub const ENTERPRISE_USER: &str = "mcp-authspec-enterprise-user";

pub fn routes(state: Arc<IdpState>) -> Router {
    if !matches!(
        state.config.assertion_grant,
        Some(AssertionGrantConfig::Enterprise { .. })
    ) {
        return Router::new();
    }
    Router::new()
        .route(
            "/enterprise/token",
            serves(Endpoint::IdentityProvider, post(exchange)),
        )
        .route(
            "/enterprise/.well-known/openid-configuration",
            serves(Endpoint::IdentityProvider, get(metadata)),
        )
        .with_state(state)
}

/// The ID token the client got at single sign-on ("3. User Authentication"), for the
/// launch context: issued to `idp_client_id` by the enterprise identity provider.
pub fn id_token(origin: &str, idp_client_id: &str) -> Result<String, String> {
    let now = unix_now();
    let claims = json!({
        "iss": issuer_at(origin),
        "sub": ENTERPRISE_USER,
        "aud": idp_client_id,
        "iat": now,
        "exp": now + ID_TOKEN_LIFETIME,
    });
    enterprise_idp().sign(&claims, None)
}

/// OpenID Connect Discovery §3, so that a client may find the token endpoint itself.
async fn metadata(State(s): State<Arc<IdpState>>) -> Json<Value> {
    let issuer = enterprise_issuer(&s);
    Json(json!({
        "issuer": issuer,
        "token_endpoint": token_endpoint_of(&issuer),
        "grant_types_supported": [TOKEN_EXCHANGE_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
    }))
}

async fn exchange(State(s): State<Arc<IdpState>>, headers: HeaderMap, body: Bytes) -> Response {
    token_response(&s, answer(&s, &headers, &body))
}

fn answer(s: &IdpState, headers: &HeaderMap, body: &[u8]) -> Result<Value, Refusal> {
    let Some(AssertionGrantConfig::Enterprise {
        idp_client_id,
        mcp_client_id,
    }) = &s.config.assertion_grant
    else {
        return Err(Refusal::server_error(
            "no enterprise identity provider here",
        ));
    };
    if !has_media_type(headers, "application/x-www-form-urlencoded") {
        return Err(Refusal::bad(
            "invalid_request",
            "the token request must be application/x-www-form-urlencoded (RFC 6749 §3.2)",
        ));
    }
    let p = Params::parse(body);
    let bad = |why: String| Refusal::bad("invalid_request", why);
    let expect = |name: &str, value: &str, why: &str| -> Result<(), Refusal> {
        match p.get(name) {
            Some(v) if v == value => Ok(()),
            other => Err(bad(format!("{name} is {other:?}, not {value:?} ({why})"))),
        }
    };
    if p.get("grant_type") != Some(TOKEN_EXCHANGE_GRANT) {
        return Err(Refusal::bad(
            "unsupported_grant_type",
            format!("this identity provider takes only {TOKEN_EXCHANGE_GRANT}"),
        ));
    }
    expect(
        "requested_token_type",
        ID_JAG_TOKEN_TYPE,
        "enterprise-managed authorization 4",
    )?;
    expect(
        "subject_token_type",
        ID_TOKEN_TYPE,
        "RFC 8693 §3; this provider issues ID tokens",
    )?;
    // A public client at the identity provider: a client_id, if any, is the one the ID
    // token was issued to ("4.1": the subject token's audience is the requesting client).
    if let Some(named) = p.get("client_id") {
        if named != idp_client_id {
            return Err(Refusal::client(format!("unknown client {named:?}"), false));
        }
    }
    let subject = p
        .get("subject_token")
        .ok_or_else(|| bad("subject_token is missing (RFC 8693 §2.1)".into()))?;
    let key = DecodingKey::from_jwk(&enterprise_idp().jwk)
        .map_err(|e| Refusal::server_error(e.to_string()))?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[enterprise_issuer(s)]);
    validation.set_audience(&[idp_client_id]);
    let user = decode::<Value>(subject, &key, &validation)
        .map_err(|e| {
            Refusal::bad(
                "invalid_grant",
                format!(
                    "the subject token is not an ID token this provider issued to \
                     {idp_client_id}: {e} (enterprise-managed authorization 4.1)"
                ),
            )
        })?
        .claims;
    // "4": audience is the MCP authorization server's issuer, resource the MCP server.
    let audience = p
        .get("audience")
        .ok_or_else(|| bad("audience is missing (enterprise-managed authorization 4)".into()))?;
    if let Err(accepted) = audience_names_server(s, Some(&json!(audience)), false) {
        return Err(Refusal::bad(
            "invalid_target",
            format!(
                "audience {audience:?} is no authorization server this provider issues grants \
                 for ({accepted}) (RFC 8693 §2.2.2)"
            ),
        ));
    }
    let resource = p
        .get("resource")
        .ok_or_else(|| bad("resource is missing (enterprise-managed authorization 4)".into()))?;
    if url::Url::parse(resource).is_err() {
        return Err(Refusal::bad(
            "invalid_target",
            format!("resource {resource:?} is not an absolute URI (RFC 8707 §2)"),
        ));
    }
    let now = unix_now();
    let mut claims = json!({
        "iss": enterprise_issuer(s),
        "sub": user.get("sub").cloned().unwrap_or(Value::Null),
        "aud": audience,
        "resource": resource,
        "client_id": mcp_client_id,
        "jti": random_id(),
        "iat": now,
        "exp": now + ID_JAG_LIFETIME,
    });
    if let Some(scope) = p.get("scope") {
        claims["scope"] = json!(scope);
    }
    let grant = enterprise_idp()
        .sign(&claims, Some(ID_JAG_TYP))
        .map_err(Refusal::server_error)?;
    Ok(json!({
        "issued_token_type": ID_JAG_TOKEN_TYPE,
        "access_token": grant,
        "token_type": "N_A",
        "expires_in": ID_JAG_LIFETIME,
    }))
}
