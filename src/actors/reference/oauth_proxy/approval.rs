//! The consent approval (the consent page's form post) and the forward to the
//! third-party authorization server that follows it. The consent is recorded for this
//! `client_id` in a signed cookie; the `state` sent upstream is random, stored only now,
//! after consent, server-side and in a cookie (Best Practices, "OAuth State Parameter
//! Validation").

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::answers::{error_page, redirect, with_params};
use super::signing::{consent_cookie, request_cookie, set_cookie, CSRF_COOKIE, STATE_COOKIE};
use super::state::{lock, ClientRequest, Forwarded, ProxyState};
use crate::actors::idp::DEFAULT_SCOPE;
use crate::actors::tokens::random_id;
use crate::vocab::ServerDefect as D;

pub(super) async fn approve(
    State(s): State<Arc<ProxyState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let csrf_ok = match (f.get("csrf"), request_cookie(&headers, CSRF_COOKIE)) {
        (Some(form), Some(cookie)) => !form.is_empty() && *form == cookie,
        _ => false,
    };
    if !csrf_ok && !s.has(D::ProxyConsentWithoutCsrf) {
        return error_page(
            StatusCode::FORBIDDEN,
            "the consent form's CSRF token is wrong",
        );
    }
    let pending = q.get("txn").and_then(|t| lock(&s.pending).remove(t));
    let Some(request) = pending else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "unknown or used consent transaction",
        );
    };
    if f.get("decision").map(String::as_str) != Some("approve") {
        let mut params = vec![("error", "access_denied")];
        if let Some(st) = &request.state {
            params.push(("state", st));
        }
        return redirect(with_params(&request.redirect_uri, &params), Vec::new());
    }
    let cookie = consent_cookie(&s, &headers, &request.client_id);
    forward(&s, request, vec![cookie])
}

/// The redirect to the third-party authorization server under the static client ID,
/// with a fresh `state` stored (and set as a cookie) immediately before it.
pub(super) fn forward(
    s: &ProxyState,
    request: ClientRequest,
    mut cookies: Vec<String>,
) -> Response {
    let state = if s.has(D::ProxyStateFixed) {
        "mcp-proxy-state".to_string()
    } else {
        random_id()
    };
    let verifier = format!("{}{}", random_id(), random_id());
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let scope = if request.scope.is_empty() {
        DEFAULT_SCOPE.to_string()
    } else {
        request.scope.clone()
    };
    lock(&s.forwarded).insert(
        state.clone(),
        Forwarded {
            request,
            upstream_verifier: verifier,
            created: Instant::now(),
        },
    );
    cookies.push(set_cookie(s, STATE_COOKIE, &state));
    let callback = s.callback_url();
    let location = with_params(
        &s.upstream.authorization_endpoint,
        &[
            ("response_type", "code"),
            ("client_id", &s.upstream.client_id),
            ("redirect_uri", &callback),
            ("state", &state),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("resource", &s.resource),
            ("scope", &scope),
        ],
    );
    redirect(location, cookies)
}
