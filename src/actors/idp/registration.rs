//! Dynamic client registration (RFC 7591): MCP clients register themselves before the
//! authorization code flow. The IdP checks the metadata as a real server would and
//! answers with the client information response (RFC 7591 §3.2.1).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use url::{Host, Url};

use super::auth_methods::assigned;
use super::client::{Client, RedirectRule};
use super::state::{lock, IdpState};
use crate::actors::tokens::{random_id, unix_now};
use crate::actors::traffic::serves;
use crate::vocab::{Endpoint, IdpDefect as D, IdpKnob as K};

const GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];

pub fn routes(state: Arc<IdpState>) -> Router {
    let path = state.endpoint_root_path();
    Router::new()
        .route(
            &format!("{path}/register"),
            serves(Endpoint::Registration, post(register)),
        )
        .with_state(state)
}

/// An OAuth error answer: a JSON object with `error` and `error_description` (RFC 6749
/// §5.2, RFC 7591 §3.2.2), never cached (RFC 6749 §5.1).
pub(super) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({"error": error, "error_description": description});
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// True when the request's `Content-Type` is `media_type`, parameters aside.
pub(super) fn has_media_type(headers: &HeaderMap, media_type: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(media_type))
}

/// An error code of RFC 7591 §3.2.2 and why.
type Refusal = (&'static str, String);

async fn register(State(s): State<Arc<IdpState>>, headers: HeaderMap, body: Bytes) -> Response {
    if s.has(D::RegistrationEndpointUnserved) {
        // The defect: the metadata names an endpoint nothing serves.
        return StatusCode::NOT_FOUND.into_response();
    }
    let earlier = s.registration_requests.fetch_add(1, Ordering::SeqCst);
    if let Some(limit) = s.config.registration_limit {
        if earlier >= limit as u64 {
            return rate_limited();
        }
    }
    match registered(&s, &headers, &body) {
        // RFC 7591 §3.2.1: 201 Created; the answer may carry a secret, so no caching.
        Ok(answer) => (
            StatusCode::CREATED,
            [(header::CACHE_CONTROL, "no-store")],
            Json(answer),
        )
            .into_response(),
        Err((error, description)) => {
            // The defect: RFC 7591 §3.2.2 defines the error codes for bad metadata.
            let error = if s.has(D::RegistrationWrongErrorCode) {
                "server_error"
            } else {
                error
            };
            oauth_error(StatusCode::BAD_REQUEST, error, &description)
        }
    }
}

/// A rate limiter's answer (RFC 6585 §4): 429 with a retry hint, in the JSON shape the
/// TypeScript SDK's limiter uses.
fn rate_limited() -> Response {
    let body = json!({
        "error": "too_many_requests",
        "error_description": "registration rate limit exceeded; try again later",
    });
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "3600")],
        Json(body),
    )
        .into_response()
}

/// Checks the client metadata, stores the client and returns the client information.
fn registered(s: &IdpState, headers: &HeaderMap, body: &[u8]) -> Result<Value, Refusal> {
    if s.has(D::RefusesValidRegistration) {
        return Err(metadata_error(
            "this server refuses every registration (the refuses-valid-registration defect)",
        ));
    }
    if s.has_knob(K::RefusesRedirectUris) {
        return Err((
            "invalid_redirect_uri",
            "this server's redirect URI policy refuses these redirect URIs for the given \
             application_type (the refuses-redirect-uris knob)"
                .into(),
        ));
    }
    // RFC 7591 §3.1: the metadata is a JSON document sent as application/json.
    if !has_media_type(headers, "application/json") {
        return Err(metadata_error(
            "the registration request must be application/json (RFC 7591 §3.1)",
        ));
    }
    let Ok(Value::Object(meta)) = serde_json::from_slice::<Value>(body) else {
        return Err(metadata_error(
            "the registration request is not a JSON object (RFC 7591 §3.1)",
        ));
    };
    let redirect_uris = redirect_uris(s, &meta)?;
    // RFC 7591 §2: if omitted, the default is client_secret_basic; a method this server
    // does not offer is replaced by one it does (§3.2.1), and the answer names it.
    let requested = match meta.get("token_endpoint_auth_method") {
        None => None,
        Some(Value::String(m)) => Some(m.as_str()),
        Some(other) => {
            return Err(metadata_error(&format!(
                "token_endpoint_auth_method {other} is not a string (RFC 7591 §2)"
            )))
        }
    };
    let method = assigned(s, requested)
        .map_err(|why| metadata_error(&why))?
        .to_string();
    // RFC 7591 §3.2.1 lets the server substitute suitable values: without grant_types
    // the client gets refresh tokens as well as codes.
    let grant_types = string_list(&meta, "grant_types", &GRANT_TYPES)?;
    let grant_types = grant_types.unwrap_or_else(|| GRANT_TYPES.map(String::from).to_vec());
    let response_types = string_list(&meta, "response_types", &["code"])?;
    let response_types = response_types.unwrap_or_else(|| vec!["code".to_string()]);
    // RFC 7591 §2.1: the code response type goes with the authorization_code grant.
    if !grant_types.iter().any(|g| g == "authorization_code") {
        return Err(metadata_error(
            "grant_types must include authorization_code, the grant of the code response \
             type (RFC 7591 §2.1)",
        ));
    }
    let client_name = match meta.get("client_name") {
        None => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err(metadata_error("client_name must be a string")),
    };

    let client_id = random_id();
    let client_secret = (method != "none").then(random_id);
    let mut answer = Map::new();
    // RFC 7591 §3.2.1: client_id is required in the response; the defect leaves it out.
    if !s.has(D::NoClientIdInRegistration) {
        answer.insert("client_id".into(), json!(client_id));
    }
    if let Some(secret) = &client_secret {
        answer.insert("client_secret".into(), json!(secret));
        // RFC 7591 §3.2.1: 0 means the secret never expires; required with a secret.
        if !s.has(D::NoSecretExpiry) {
            answer.insert("client_secret_expires_at".into(), json!(0));
        }
    }
    answer.insert("client_id_issued_at".into(), json!(unix_now()));
    answer.insert("redirect_uris".into(), json!(redirect_uris));
    answer.insert("token_endpoint_auth_method".into(), json!(method));
    answer.insert("grant_types".into(), json!(grant_types));
    answer.insert("response_types".into(), json!(response_types));
    if let Some(name) = client_name {
        answer.insert("client_name".into(), json!(name));
    }
    let client = Client {
        client_id: client_id.clone(),
        client_secret,
        redirect_uris,
        redirect_rule: RedirectRule::Registered,
        token_endpoint_auth_method: method,
        grant_types,
        assertion_key: None,
    };
    lock(&s.clients).insert(client_id, client);
    Ok(Value::Object(answer))
}

fn metadata_error(description: &str) -> Refusal {
    ("invalid_client_metadata", description.to_string())
}

/// `redirect_uris`: required for redirect-based flows (RFC 7591 §2), each acceptable.
fn redirect_uris(s: &IdpState, meta: &Map<String, Value>) -> Result<Vec<String>, Refusal> {
    let refuse = |why: String| ("invalid_redirect_uri", why);
    let uris = match meta.get("redirect_uris") {
        Some(Value::Array(uris)) if !uris.is_empty() => uris,
        _ => {
            return Err(refuse(
                "redirect_uris must be a non-empty array of URIs (RFC 7591 §2)".into(),
            ))
        }
    };
    uris.iter()
        .map(|uri| {
            let uri = uri
                .as_str()
                .ok_or_else(|| refuse(format!("redirect URI {uri} is not a string")))?;
            check_redirect_uri(s, uri).map_err(refuse)?;
            Ok(uri.to_string())
        })
        .collect()
}

/// OAuth 2.1 §2.3.1 and RFC 6749 §3.1.2: an absolute URI without fragment; OAuth 2.1
/// §1.5 and RFC 8252 §7.3 allow plain http only on the loopback interface.
pub(super) fn check_redirect_uri(s: &IdpState, uri: &str) -> Result<(), String> {
    let url = Url::parse(uri).map_err(|e| format!("{uri:?} is not an absolute URI: {e}"))?;
    if url.fragment().is_some() && !s.has(D::AcceptsFragmentRedirectUri) {
        return Err(format!(
            "{uri:?} has a fragment component, which a redirect URI must not have \
             (RFC 6749 §3.1.2)"
        ));
    }
    let loopback = url.scheme() == "http"
        && match url.host() {
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
    if url.scheme() == "https" || loopback || s.has(D::AcceptsInsecureRedirectUri) {
        return Ok(());
    }
    Err(format!(
        "{uri:?} is neither https nor http on a loopback host (OAuth 2.1 §1.5, RFC 8252 §7.3)"
    ))
}

/// An optional array of strings drawn from `allowed`.
fn string_list(
    meta: &Map<String, Value>,
    name: &str,
    allowed: &[&str],
) -> Result<Option<Vec<String>>, Refusal> {
    let Some(value) = meta.get(name) else {
        return Ok(None);
    };
    let list = value
        .as_array()
        .filter(|a| !a.is_empty())
        .and_then(|a| {
            a.iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| metadata_error(&format!("{name} must be a non-empty array of strings")))?;
    match list.iter().find(|v| !allowed.contains(&v.as_str())) {
        Some(unsupported) => Err(metadata_error(&format!(
            "{name} value {unsupported:?} is not supported; this server supports {allowed:?}"
        ))),
        None => Ok(Some(list)),
    }
}
