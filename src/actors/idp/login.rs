//! The login form of `Consent::LoginForm`. RFC 6749 §4.1.1 leaves how the authorization
//! server authenticates the resource owner and obtains consent to the server; this mode
//! does it the way browser-facing servers do: a valid authorization request is answered
//! with a login page, and only submitting that page from the same user agent with the
//! right credentials issues the code, exactly as `Consent::Immediate` would have.
//! The form carries a CSRF token and is bound to a session cookie (RFC 6749 §10.12), and
//! the page refuses to be framed (RFC 6749 §10.13, RFC 9700 §4.16).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::issue::issue;
use super::params::Params;
use super::state::{lock, Approval, IdpState, PendingLogin};
use crate::actors::tokens::random_id;
use crate::actors::traffic::serves;
use crate::vocab::Endpoint;

/// The one resource owner the IdP knows.
pub const LOGIN_USERNAME: &str = "alice";
pub const LOGIN_PASSWORD: &str = "wonderland";
/// The cookie binding a login form to the user agent it was served to.
pub const SESSION_COOKIE: &str = "idp_session";

pub fn routes(state: Arc<IdpState>) -> Router {
    let path = state.endpoint_root_path();
    Router::new()
        .route(
            &format!("{path}/login"),
            serves(Endpoint::Login, post(login)),
        )
        .with_state(state)
}

/// Remembers the approved request and answers with the page that asks for consent.
pub(super) fn login_page(s: &IdpState, approval: Approval) -> Response {
    let request = random_id();
    let session = random_id();
    let csrf = random_id();
    let page = format!(
        "<!doctype html>\n<html><head><title>Sign in</title></head><body>\n\
         <p>Sign in to let client <code>{client}</code> use <code>{scope}</code>.</p>\n\
         <form method=\"post\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\n\
         <label>Username <input type=\"text\" name=\"username\"></label>\n\
         <label>Password <input type=\"password\" name=\"password\"></label>\n\
         <button type=\"submit\">Sign in</button>\n\
         </form>\n</body></html>\n",
        client = escape(&approval.grant.client_id),
        scope = escape(&approval.grant.scope),
        action = escape(&s.endpoint("login")),
        csrf = escape(&csrf),
        request = escape(&request),
    );
    let pending = PendingLogin {
        approval,
        session: session.clone(),
        csrf,
    };
    lock(&s.pending_logins).insert(request, pending);
    let headers = [
        (
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"),
        ),
        // The page holds a CSRF token: no caching.
        (header::CACHE_CONTROL, "no-store".to_string()),
        // RFC 6749 §10.13: a login page must not be framed (clickjacking).
        (header::X_FRAME_OPTIONS, "DENY".to_string()),
        (
            header::CONTENT_SECURITY_POLICY,
            "frame-ancestors 'none'".to_string(),
        ),
    ];
    (StatusCode::OK, headers, Html(page)).into_response()
}

/// `POST /login`: issues the code of the pending request, or refuses without
/// redirecting (the user agent may not be the one the request came from).
async fn login(State(s): State<Arc<IdpState>>, headers: HeaderMap, body: Bytes) -> Response {
    match submitted(&s, &headers, &body) {
        Ok(approval) => issue(&s, approval),
        Err(why) => {
            let page = format!(
                "<!doctype html>\n<html><head><title>Login failed</title></head><body>\n\
                 <p>login failed: {why}</p>\n</body></html>\n"
            );
            (
                StatusCode::BAD_REQUEST,
                [(header::CACHE_CONTROL, "no-store")],
                Html(page),
            )
                .into_response()
        }
    }
}

/// The approval of a correctly submitted form.
fn submitted(s: &IdpState, headers: &HeaderMap, body: &[u8]) -> Result<Approval, &'static str> {
    let p = Params::parse(body);
    let fields = ["request", "csrf", "username", "password"];
    if fields.iter().any(|f| p.is_repeated(f)) {
        return Err("a form field is given more than once");
    }
    let request = p.get("request").ok_or("the form names no request")?;
    // Single use whatever the outcome: a failed attempt starts over at /authorize, so
    // neither the CSRF token nor the password can be guessed at repeatedly.
    let pending = lock(&s.pending_logins)
        .remove(request)
        .ok_or("the request is unknown or was already submitted")?;
    if session_cookie(headers) != Some(pending.session.as_str()) {
        return Err("the session cookie is missing or belongs to another login");
    }
    if p.get("csrf") != Some(pending.csrf.as_str()) {
        return Err("the CSRF token does not match the form's");
    }
    if p.get("username") != Some(LOGIN_USERNAME) || p.get("password") != Some(LOGIN_PASSWORD) {
        return Err("wrong username or password");
    }
    Ok(pending.approval)
}

/// The value of the session cookie (RFC 6265 §5.4: `name=value` pairs separated by
/// `; `, possibly over several `Cookie` headers).
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

/// Escapes text for an HTML attribute value or element content.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
