//! The proxy's authorization endpoint: the request is checked (registered client, the
//! exact registered `redirect_uri`, PKCE), then forwarded upstream only when this
//! browser already approved this `client_id`; otherwise the proxy's own consent page is
//! shown (Best Practices, "Consent UI Requirements": the client's name, the scopes, the
//! redirect URI, a CSRF token, no framing).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::answers::{error_page, escape, redirect, with_params};
use super::approval::forward;
use super::signing::{has_consent, set_cookie, CSRF_COOKIE};
use super::state::{lock, ClientRequest, ProxyState};
use crate::actors::tokens::random_id;
use crate::vocab::ServerDefect as D;

/// The two URIs differ at most in their ports (the defect's comparison).
fn same_but_port(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(mut a), Ok(mut b)) => {
            let _ = a.set_port(None);
            let _ = b.set_port(None);
            a == b
        }
        _ => false,
    }
}

pub(super) async fn authorize(
    State(s): State<Arc<ProxyState>>,
    headers: HeaderMap,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| p.get(k).cloned();
    let Some(client_id) = get("client_id") else {
        return error_page(StatusCode::BAD_REQUEST, "client_id is missing");
    };
    let Some(client) = lock(&s.clients).get(&client_id).cloned() else {
        return error_page(StatusCode::BAD_REQUEST, "unknown client_id");
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page(StatusCode::BAD_REQUEST, "redirect_uri is missing");
    };
    // Best Practices, "Redirect URI Validation": exact string matching.
    let registered = client.redirect_uris.iter().any(|r| {
        *r == redirect_uri
            || (s.has(D::ProxyRedirectUriPrefixMatch) && redirect_uri.starts_with(r.as_str()))
            || (s.has(D::ProxyRedirectUriPortIgnored) && same_but_port(r, &redirect_uri))
    });
    if !registered {
        return error_page(
            StatusCode::BAD_REQUEST,
            "redirect_uri is not the one this client registered",
        );
    }
    let state = get("state");
    let refuse = |error: &str| {
        let mut params = vec![("error", error)];
        if let Some(st) = &state {
            params.push(("state", st));
        }
        redirect(with_params(&redirect_uri, &params), Vec::new())
    };
    if get("response_type").as_deref() != Some("code") {
        return refuse("unsupported_response_type");
    }
    if get("code_challenge").is_none() || get("code_challenge_method").as_deref() != Some("S256") {
        return refuse("invalid_request");
    }
    let request = ClientRequest {
        client_id: client_id.clone(),
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        code_challenge: get("code_challenge"),
        scope: get("scope").unwrap_or_default(),
    };
    if s.has(D::ProxySkipsConsent) || has_consent(&s, &headers, &client_id) {
        return forward(&s, request, Vec::new());
    }
    // Not a credential (the CSRF cookie is), so reports may show it.
    let transaction = format!("txn{}", random_id());
    let csrf = random_id();
    lock(&s.pending).insert(transaction.clone(), request.clone());
    let scopes = if request.scope.is_empty() {
        "(the third party's default scopes)".to_string()
    } else {
        request.scope.clone()
    };
    let anonymous = s.has(D::ProxyConsentAnonymous);
    let name = if client.client_name.is_empty() || anonymous {
        "An unnamed client".to_string()
    } else {
        client.client_name.clone()
    };
    let body = format!(
        "<!doctype html><html><head><title>Approve {name}</title></head><body>\
         <h1>Allow {name} to use the third-party API on your behalf?</h1>\
         <p>Scopes: {scopes}</p><p>Tokens go to: {redirect}</p>\
         <form method=\"post\" action=\"/consent?txn={transaction}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\
         </form></body></html>",
        name = escape(&name),
        scopes = escape(&scopes),
        redirect = if anonymous {
            "your client".to_string()
        } else {
            escape(&redirect_uri)
        },
    );
    let mut answer = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    let h = answer.headers_mut();
    if !s.has(D::ProxyConsentPageFrameable) {
        h.insert("x-frame-options", "DENY".parse().expect("static header"));
        h.insert(
            "content-security-policy",
            "frame-ancestors 'none'".parse().expect("static header"),
        );
    }
    // Double-submit CSRF token: the form's copy must equal this cookie's.
    if let Ok(v) = set_cookie(&s, CSRF_COOKIE, &csrf).parse() {
        h.append(header::SET_COOKIE, v);
    }
    answer
}
