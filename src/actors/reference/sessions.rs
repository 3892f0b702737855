//! Sessions of the reference server (transports, "Session Management", up to
//! 2025-11-25): the id handed out at `initialize`, and the subject it is bound to (MCP
//! security best practices, "Session Hijacking": "bind session IDs to user-specific
//! information"). A session is never a credential: `authentication` still asks every
//! request for its token.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::deployment::{lock, Deployment};
use crate::vocab::ServerDefect as D;

/// The transport's session header.
pub(super) const SESSION_HEADER: &str = "mcp-session-id";

/// Opens a session for an authenticated `initialize`: its id goes on the response and is
/// remembered with the subject of the request's token.
pub(super) fn open_session(d: &Deployment, headers: &HeaderMap, response: &mut Response) {
    let id = session_id(d);
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(SESSION_HEADER, v);
        lock(&d.sessions).insert(id, subject_of(headers));
    }
}

/// `session-opens-get-stream`: the request names a session this server opened.
pub(super) fn known_session(d: &Deployment, headers: &HeaderMap) -> bool {
    headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| lock(&d.sessions).contains_key(s))
}

/// MCP security best practices, "Session Hijacking": session ids are bound to the user
/// (`<user_id>:<session_id>`), so a session another subject opened is not found for this
/// one — 404, the transport's answer for a session that does not exist.
pub(super) fn session_of_another_subject(d: &Deployment, headers: &HeaderMap) -> Option<Response> {
    // Without a token only a defect served the request; the defect decides.
    if d.config.has(D::SessionNotBoundToUser) || !headers.contains_key(header::AUTHORIZATION) {
        return None;
    }
    let session = headers.get(SESSION_HEADER)?.to_str().ok()?;
    let opened_by = lock(&d.sessions).get(session).cloned()?;
    if opened_by == subject_of(headers) {
        return None;
    }
    let err = json!({"jsonrpc": "2.0", "error": {"code": -32001, "message": "session not found"}});
    Some((StatusCode::NOT_FOUND, axum::Json(err)).into_response())
}

/// The `sub` claim of the request's bearer token, empty without one: whom a session
/// belongs to. Read only after `authenticate` accepted the token, so the payload is
/// trusted; a token that is not a JWT has no subject.
pub(super) fn subject_of(headers: &HeaderMap) -> String {
    use base64::Engine;
    let payload = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .and_then(|(_, token)| token.trim().split('.').nth(1))
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    payload
        .as_ref()
        .and_then(|claims| claims["sub"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// 128 random bits, hex: session ids must be unguessable and of visible ASCII
/// (transports, "Session Management"), unless a defect says otherwise.
fn session_id(d: &Deployment) -> String {
    if d.config.has(D::ConstantSessionId) {
        return "mcp-authspec-session".to_string();
    }
    if d.config.has(D::CounterSessionIds) {
        return (lock(&d.sessions).len() + 1).to_string();
    }
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Without randomness there is no safe id; an empty header value is refused below.
        return String::new();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if d.config.has(D::SessionIdWithSpace) {
        return format!("session {hex}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn bearer(claims: &Value) -> HeaderMap {
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let token = format!(
            "{}.{}.sig",
            b64(br#"{"alg":"RS256"}"#),
            b64(claims.to_string().as_bytes())
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        headers
    }

    #[test]
    fn the_subject_is_the_sub_claim_of_the_bearer_token() {
        assert_eq!(subject_of(&bearer(&json!({"sub": "alice"}))), "alice");
        assert_eq!(subject_of(&bearer(&json!({"aud": "x"}))), "");
        assert_eq!(subject_of(&HeaderMap::new()), "");
        let mut opaque = HeaderMap::new();
        opaque.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer opaque"),
        );
        assert_eq!(subject_of(&opaque), "");
    }
}
