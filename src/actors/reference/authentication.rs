//! Authenticating each MCP request on its own (MCP "Token Requirements"): the bearer
//! token of this request, validated against the trusted issuer, with one defect knob
//! per shortcut real servers take. Refusals answer per RFC 6750 §3.1 and MCP "Error
//! Handling": 401 `invalid_token`, 403 `insufficient_scope`. The scope a request needs
//! depends on the JSON-RPC method it calls (`scope_policy`), so the buffered body is read
//! before the token is checked.

use std::net::SocketAddr;

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::challenge::{challenge, separate_line_before};
use super::deployment::{lock, Deployment};
use super::dpop_resource::{self, DpopRefusal};
use super::mcp_methods::respond;
use super::protected_resource_metadata as prm;
use super::request_state_tool;
use super::scope_policy::{insufficient_scope_challenge, scope_for_body, STEP_UP_SCOPE};
use std::sync::atomic::Ordering;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::actors::tokens::Rejection;
use crate::vocab::{ServerDefect as D, ServerKnob as K};

/// Why a request is not served.
pub(super) enum Refusal {
    /// No bearer credentials at all.
    NoToken,
    /// The token was refused.
    Rejected(Rejection),
    /// The server broke on the token (a real SDK bug: a parse panic becomes a 500).
    Crashed,
    /// More than one `Authorization` header: a malformed request (RFC 9110 §5.3 allows one
    /// field line; RFC 6750 §3.1 `invalid_request`), whichever of them is valid.
    Malformed,
    /// The DPoP extension's refusals (RFC 9449 §7.1, §9): the error code, why, and the
    /// nonce of a `use_dpop_nonce` answer.
    Dpop(DpopRefusal),
}

pub(super) async fn authenticate(
    d: &Deployment,
    peer: SocketAddr,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refusal> {
    let has = |x| d.config.has(x);
    if has(D::ServesUnauthenticated) {
        return Ok(());
    }
    if has(D::AcceptsEmptyBearer) && is_empty_bearer(headers) {
        return Ok(());
    }
    if headers.get_all(header::AUTHORIZATION).iter().count() > 1
        && !has(D::FirstAuthorizationHeaderWins)
    {
        return Err(Refusal::Malformed);
    }
    let dpop = d.config.idp.dpop.is_some();
    let presented = if dpop {
        dpop_resource::presented_token(headers).map_err(Refusal::Dpop)?
    } else {
        credentials(d, uri, headers)
    };
    let Some(token) = presented else {
        // A session id is not a credential (MCP security best practices, "Session
        // Hijacking"); nor is an earlier request on the same connection.
        let session = headers.get("mcp-session-id").and_then(|v| v.to_str().ok());
        if has(D::SessionAuthenticates)
            && session.is_some_and(|s| lock(&d.sessions).contains_key(s))
        {
            return Ok(());
        }
        if has(D::RemembersClientAddress) && lock(&d.remembered_peers).contains(&peer.ip()) {
            return Ok(());
        }
        if has(D::RequestStateAuthenticates) && request_state_tool::carries_valid_state(d, body) {
            return Ok(());
        }
        return Err(Refusal::NoToken);
    };
    if has(D::RejectsAllTokens) {
        return Err(Refusal::Rejected(Rejection::Invalid(
            "every token is refused".into(),
        )));
    }
    if has(D::CrashesOnMalformedToken) && token.split('.').count() != 3 {
        return Err(Refusal::Crashed);
    }
    // The proof first (RFC 9449 §7.1, §9), then the token's own claims: the nonce round
    // and the proof's faults are answered whatever the token's audience or scope, so a
    // DPoP client's proofs are judged apart from its base protocol's mistakes.
    if dpop {
        dpop_resource::check(d, method, headers, &token).map_err(Refusal::Dpop)?;
    }
    let required = scope_for_body(&d.config, body);
    let no_hierarchy = Default::default();
    let implies = if has(D::IgnoresScopeHierarchy) {
        &no_hierarchy
    } else {
        &d.config.scope_implies
    };
    d.trust
        .validate(&token, d.resource(), &required, implies, &d.config.defects)
        .await
        .map_err(Refusal::Rejected)?;
    if let Some(m) = &d.migration {
        // The first accepted request moves the server; from then on only the new
        // authorization server's tokens are its own.
        let moved = m.done.swap(true, Ordering::SeqCst);
        if moved && token_issuer(&token).as_deref() != Some(m.issuer.as_str()) {
            return Err(Refusal::Rejected(Rejection::Invalid(
                "the authorization server has changed".into(),
            )));
        }
    }
    // A valid token that no step-up can satisfy: the client must give up after a few
    // tries rather than loop (MCP 2025-11-25 "Step-Up Authorization Flow": clients
    // should limit their retries).
    if d.config.has_knob(K::AlwaysForbidden) {
        return Err(Refusal::Rejected(Rejection::InsufficientScope {
            needed: STEP_UP_SCOPE.to_string(),
            granted: String::new(),
        }));
    }
    if d.config.has_knob(K::RevokesTokenAtToolsCall) && revoked(d, &token, body) {
        return Err(Refusal::Rejected(Rejection::Invalid(
            "this token was revoked".into(),
        )));
    }
    if has(D::SingleUseTokens) && !lock(&d.served_tokens).insert(token) {
        return Err(Refusal::Rejected(Rejection::Invalid(
            "this token was already used".into(),
        )));
    }
    lock(&d.remembered_peers).insert(peer.ip());
    Ok(())
}

/// `accepts-empty-bearer`: the Bearer scheme with no token (RFC 6750 §2.1 requires one).
fn is_empty_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("bearer"))
}

/// `revokes-token-at-tools-call`: the token of the first `tools/call` is revoked then,
/// and stays revoked.
fn revoked(d: &Deployment, token: &str, body: &[u8]) -> bool {
    let mut revoked = lock(&d.revoked_tokens);
    if revoked.contains(token) {
        return true;
    }
    let calls_tool = serde_json::from_slice::<Value>(body)
        .ok()
        .is_some_and(|m| m.get("method").and_then(Value::as_str) == Some("tools/call"));
    if calls_tool && revoked.is_empty() {
        revoked.insert(token.to_string());
        return true;
    }
    false
}

/// The `iss` claim of a JWT, read without verifying (the signature was checked).
fn token_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_string)
}

/// The token of the request: `Authorization: Bearer` only (RFC 6750 §2.1; MCP forbids
/// the query string), unless a defect accepts other places.
fn credentials(d: &Deployment, uri: &Uri, headers: &HeaderMap) -> Option<String> {
    let has = |x| d.config.has(x);
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        match value.split_once(' ') {
            // The scheme is case-insensitive (RFC 9110 §11.1).
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                return Some(token.trim().to_string())
            }
            None if has(D::AcceptsTokenWithoutScheme) => return Some(value.trim().to_string()),
            _ => {}
        }
    }
    if has(D::AcceptsQueryToken) {
        let query = uri.query().unwrap_or_default();
        return url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.into_owned());
    }
    None
}

impl Refusal {
    pub(super) fn response(&self, d: &Deployment, request_body: &[u8]) -> Response {
        let has = |x| d.config.has(x);
        match self {
            Refusal::NoToken => unauthorized(d, StatusCode::UNAUTHORIZED, None, request_body),
            Refusal::Dpop(refusal) => dpop_resource::refusal(d, refusal),
            Refusal::Crashed => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error: token parse failed",
            )
                .into_response(),
            Refusal::Rejected(Rejection::InsufficientScope { needed, granted })
                if !has(D::InsufficientScopeAs401) =>
            {
                insufficient_scope(d, &insufficient_scope_challenge(&d.config, needed, granted))
            }
            // RFC 6750 §3.1: 400 with `invalid_request`.
            Refusal::Malformed => unauthorized(
                d,
                StatusCode::BAD_REQUEST,
                Some("invalid_request"),
                request_body,
            ),
            Refusal::Rejected(rejection) => {
                let status = match rejection {
                    Rejection::Audience(_) if has(D::WrongAudienceForbidden) => {
                        StatusCode::FORBIDDEN
                    }
                    _ if has(D::InvalidTokenForbidden) => StatusCode::FORBIDDEN,
                    _ => StatusCode::UNAUTHORIZED,
                };
                let error = (!has(D::NoInvalidTokenError)).then_some("invalid_token");
                let mut response = unauthorized(d, status, error, request_body);
                if has(D::NoChallengeForRefusedToken) {
                    response.headers_mut().remove(header::WWW_AUTHENTICATE);
                }
                response
            }
        }
    }
}

/// RFC 6750 §3 / RFC 9728 §5.1: a Bearer challenge naming the metadata.
fn unauthorized(
    d: &Deployment,
    status: StatusCode,
    error: Option<&str>,
    request_body: &[u8],
) -> Response {
    let status = if d.config.has(D::ForbiddenInsteadOfUnauthorized) && error.is_none() {
        StatusCode::FORBIDDEN
    } else {
        status
    };
    let body = if d.config.has(D::LeaksDataIn401) {
        serde_json::to_string(&respond(d, request_body, None).unwrap_or(Value::Null))
            .unwrap_or_default()
    } else {
        json!({
            "error": error.unwrap_or("unauthorized"),
            "error_description": "a valid bearer token is required"
        })
        .to_string()
    };
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    let scope = scope_for_body(&d.config, request_body);
    if let Some(c) = challenge(d, error, &scope).and_then(|c| HeaderValue::from_str(&c).ok()) {
        if let Some(first) = separate_line_before(d) {
            response
                .headers_mut()
                .append(header::WWW_AUTHENTICATE, HeaderValue::from_static(first));
        }
        response.headers_mut().append(header::WWW_AUTHENTICATE, c);
    }
    response
}

/// MCP "Runtime Insufficient Scope Errors" (2025-11-25+): 403 with the scope to request
/// and where the metadata is, so the client can step up.
fn insufficient_scope(d: &Deployment, needed: &str) -> Response {
    // 2025-03-26 has no protected resource metadata to name.
    let metadata = if d.config.predates_resource_metadata() {
        String::new()
    } else {
        format!(", resource_metadata=\"{}\"", prm::advertised_url(d))
    };
    let needed = if d.config.has(D::OfflineAccessIn403Challenge) {
        format!("{needed} offline_access")
    } else {
        needed.to_string()
    };
    let challenge = format!(
        "Bearer error=\"insufficient_scope\", scope=\"{needed}\"{metadata}, \
         error_description=\"the token lacks a scope this request needs\""
    );
    let mut response = (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": "insufficient_scope", "scope": needed}).to_string(),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}
