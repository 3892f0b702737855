//! The authorization response (RFC 6749 §4.1.2): issuing the code of an approved request
//! and the redirect that carries it, or an error (§4.1.2.1), with `state` and `iss`
//! (RFC 9207 §2). The authorization endpoint and the login form both answer through it.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use url::Url;

use super::state::{lock, Approval, IdpState};
use crate::actors::tokens::{random_id, unix_now};
use crate::vocab::IdpDefect as D;

/// The `iss` a server with the `WrongIssInResponse` defect sends.
const WRONG_ISSUER: &str = "https://wrong-issuer.example";

/// Issues the code of an approved request and redirects with it (RFC 6749 §4.1.2).
pub(super) fn issue(s: &IdpState, approval: Approval) -> Response {
    let Approval {
        mut grant,
        mut target,
        state,
    } = approval;
    if s.has(D::CodeToOtherPath) {
        // The defect: RFC 6749 §4.1.2 sends the response to the client's redirect URI.
        let other = format!("{}-other", target.path().trim_end_matches('/'));
        target.set_path(&other);
    }
    grant.issued_at = unix_now();
    let code = random_id();
    lock(&s.codes).insert(code.clone(), grant);
    // RFC 6749 §4.1.2: state is required in the response, exactly as received, when the
    // request had it; the client's CSRF protection rests on it.
    let state = match state {
        Some(state) if s.has(D::AltersState) => Some(format!("{state}-x")),
        Some(_) if s.has(D::DropsState) => None,
        state => state,
    };
    redirect(s, target, &[("code", code)], state.as_deref())
}

/// 302 to the redirect URI with the response parameters added to its query, keeping
/// the query it has (RFC 6749 §3.1.2), with `state` echoed and `iss`: RFC 9207 §2 wants
/// it in error responses too, since the metadata advertises
/// `authorization_response_iss_parameter_supported`.
pub(super) fn redirect(
    s: &IdpState,
    mut target: Url,
    answer: &[(&str, String)],
    state: Option<&str>,
) -> Response {
    {
        let mut query = target.query_pairs_mut();
        for (name, value) in answer {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        let is_error = answer.iter().any(|(name, _)| *name == "error");
        if is_error && s.has(D::NoIssInErrorResponse) {
            // The defect: RFC 9207 §2 wants iss in error responses too.
        } else if s.has(D::WrongIssInResponse) {
            query.append_pair("iss", WRONG_ISSUER);
        } else if s.has(D::IssTrailingSlash) {
            // Equal only after normalization, which RFC 9207 §2.4 rules out.
            query.append_pair("iss", &format!("{}/", s.issuer));
        } else if s.has(D::IssUpperCaseScheme) {
            // `HTTP://…`: equal only under RFC 3986 §6.2.2.1 case normalization.
            let rest = s.issuer.split_once("://").map_or("", |(_, rest)| rest);
            query.append_pair("iss", &format!("HTTP://{rest}"));
        } else if s.has(D::IssPercentEncoded) {
            query.append_pair("iss", &percent_encode_first_path_letter(&s.issuer));
        } else if !s.has(D::NoIssInResponse) {
            query.append_pair("iss", &s.issuer);
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, target.as_str())]).into_response()
}

/// The issuer with the first letter of its path percent-encoded (`/tenant1` →
/// `/%74enant1`): equal only after RFC 3986 §6.2.2.2 percent-encoding normalization. An
/// issuer without a path letter is returned unchanged.
fn percent_encode_first_path_letter(issuer: &str) -> String {
    let path_start = issuer
        .split_once("://")
        .and_then(|(scheme, rest)| rest.find('/').map(|i| scheme.len() + 3 + i))
        .unwrap_or(issuer.len());
    let letter = issuer[path_start..]
        .char_indices()
        .find(|(_, c)| c.is_ascii_alphabetic())
        .map(|(i, c)| (path_start + i, c));
    match letter {
        Some((i, c)) => format!("{}%{:02X}{}", &issuer[..i], c as u32, &issuer[i + 1..]),
        None => issuer.to_string(),
    }
}
