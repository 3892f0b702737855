//! DPoP at the MCP server (RFC 9449 §7), in the DPoP extension's set-ups: the token is
//! accepted only under the `DPoP` scheme (§7.1; a bound token presented as Bearer is
//! refused, §7.2) with a proof for this request (`check_proof`: `htm`, `htu`, `ath`, the
//! token's `cnf.jkt`); with the nonce posture a proof without the server's nonce is
//! answered with `use_dpop_nonce` (§9). Refusals are 401 with a DPoP challenge (§7.1).

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::deployment::Deployment;
use super::protected_resource_metadata as prm;
use crate::actors::tokens::{check_proof, ProofContext, ProofRefusal};
use crate::logic::dpop_view::{DPOP_ALGORITHMS, INVALID_DPOP_PROOF, USE_DPOP_NONCE};

/// A DPoP refusal (RFC 9449 §7.1, §9): the error code, why, and the nonce of a
/// `use_dpop_nonce` answer.
#[derive(Debug, Clone)]
pub(super) struct DpopRefusal {
    pub error: &'static str,
    pub why: String,
    pub nonce: Option<String>,
}

/// The token of `Authorization: DPoP <token>`; `None` without an Authorization header.
pub(super) fn presented_token(headers: &HeaderMap) -> Result<Option<String>, DpopRefusal> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    match value.split_once(' ') {
        // The scheme is case-insensitive (RFC 9110 §11.1).
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("DPoP") => {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(DpopRefusal {
            error: "invalid_token",
            why: "the access token is DPoP-bound: present it with the DPoP scheme \
                  (RFC 9449 §7.1, §7.2)"
                .into(),
            nonce: None,
        }),
    }
}

/// Checks the request's proof for the validated `token`.
pub(super) fn check(
    d: &Deployment,
    method: &Method,
    headers: &HeaderMap,
    token: &str,
) -> Result<(), DpopRefusal> {
    let nonce_required = d.config.idp.dpop.is_some_and(|p| p.nonce);
    let context = ProofContext {
        method: method.as_str(),
        url: &d.mcp_url,
        token: Some(token),
        nonce: nonce_required.then_some(d.dpop_nonce.as_str()),
    };
    match check_proof(headers, &context, &d.dpop_jtis) {
        Ok(_) => Ok(()),
        Err(ProofRefusal::Invalid(why)) => Err(DpopRefusal {
            error: INVALID_DPOP_PROOF,
            why,
            nonce: None,
        }),
        Err(ProofRefusal::NeedsNonce) => Err(DpopRefusal {
            error: USE_DPOP_NONCE,
            why: "the MCP server requires a DPoP nonce".into(),
            nonce: Some(d.dpop_nonce.clone()),
        }),
    }
}

/// 401 with `WWW-Authenticate: DPoP error=…, algs=…` (RFC 9449 §7.1) and, for
/// `use_dpop_nonce`, the `DPoP-Nonce` header (§9).
pub(super) fn refusal(d: &Deployment, r: &DpopRefusal) -> Response {
    let (error, why, nonce) = (r.error, r.why.as_str(), r.nonce.as_deref());
    let challenge = format!(
        "DPoP error=\"{error}\", error_description=\"{}\", algs=\"{}\", \
         resource_metadata=\"{}\"",
        why.replace('"', "'"),
        DPOP_ALGORITHMS.join(" "),
        prm::advertised_url(d)
    );
    let body = json!({"error": error, "error_description": why}).to_string();
    let mut response = (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    if let Some(v) = nonce.and_then(|n| HeaderValue::from_str(n).ok()) {
        response.headers_mut().insert("DPoP-Nonce", v);
    }
    response
}
