//! The third-party authorization server's redirect back to the proxy: the `state` must
//! be present, equal the one stored at the forward (server-side and in this browser's
//! state cookie), unexpired, and is then deleted (Best Practices, "OAuth State Parameter
//! Validation"). Only then is the third-party code redeemed and a code of the proxy's own
//! sent to the client's registered redirect URI.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::answers::{error_page, redirect, with_params};
use super::signing::{request_cookie, STATE_COOKIE};
use super::state::{lock, Forwarded, IssuedCode, ProxyState, STATE_LIFETIME};
use crate::actors::tokens::random_id;
use crate::vocab::ServerDefect as D;

pub(super) async fn upstream_callback(
    State(s): State<Arc<ProxyState>>,
    headers: HeaderMap,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let Some(forwarded) = checked_state(&s, &headers, p.get("state")) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "the callback's state is missing, unknown, expired or already used",
        );
    };
    let Some(code) = p.get("code") else {
        return error_page(StatusCode::BAD_REQUEST, "the third party sent no code");
    };
    let access_token = match redeem(&s, code, &forwarded.upstream_verifier).await {
        Ok(t) => t,
        Err(why) => return error_page(StatusCode::BAD_GATEWAY, &why),
    };
    let request = forwarded.request;
    let own_code = random_id();
    let mut params = vec![("code", own_code.as_str()), ("iss", s.origin.as_str())];
    if let Some(st) = &request.state {
        params.push(("state", st));
    }
    let location = with_params(&request.redirect_uri, &params);
    lock(&s.codes).insert(
        own_code.clone(),
        IssuedCode {
            request,
            access_token,
        },
    );
    redirect(location, Vec::new())
}

/// The forwarded request the callback's `state` belongs to, taken out of the store
/// (kept under `proxy-state-reusable`; the state cookie's under `proxy-state-not-checked`).
fn checked_state(s: &ProxyState, headers: &HeaderMap, state: Option<&String>) -> Option<Forwarded> {
    let mut store = lock(&s.forwarded);
    let cookie = request_cookie(headers, STATE_COOKIE);
    let state = if s.has(D::ProxyStateNotChecked) {
        // The defect: the browser's state cookie alone decides, the query is ignored.
        cookie?
    } else {
        let state = state.filter(|st| !st.is_empty())?;
        if cookie.as_ref() != Some(state) {
            return None;
        }
        state.clone()
    };
    let forwarded = if s.has(D::ProxyStateReusable) {
        store.get(&state).cloned()?
    } else {
        store.remove(&state)?
    };
    (forwarded.created.elapsed() <= STATE_LIFETIME).then_some(forwarded)
}

/// The third-party code exchanged for its access token, as the static confidential
/// client (RFC 6749 §4.1.3, HTTP Basic per §2.3.1).
async fn redeem(s: &ProxyState, code: &str, verifier: &str) -> Result<String, String> {
    let callback = s.callback_url();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", callback.as_str()),
        ("code_verifier", verifier),
        ("resource", s.resource.as_str()),
    ];
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let answer = reqwest::Client::new()
        .post(&s.upstream.token_endpoint)
        .basic_auth(&s.upstream.client_id, Some(&s.upstream.client_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("the third party's token endpoint is unreachable: {e}"))?;
    let status = answer.status();
    let text = answer.text().await.unwrap_or_default();
    let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    match doc["access_token"].as_str() {
        Some(t) if status.is_success() => Ok(t.to_string()),
        _ => Err(format!(
            "the third party refused the code ({status}): {doc}"
        )),
    }
}
