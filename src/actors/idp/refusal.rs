//! The token endpoint's error response (RFC 6749 §5.2), which client authentication and
//! the grants refuse with: one leaf type, so that neither imports the endpoint.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::registration::oauth_error;
use super::state::IdpState;
use crate::logic::dpop_view::USE_DPOP_NONCE;
use crate::vocab::IdpDefect as D;

/// The realm of the Basic challenge sent when Basic authentication fails.
const BASIC_CHALLENGE: &str = "Basic realm=\"mcp-authspec-idp\"";

/// An error response of RFC 6749 §5.2.
pub(super) struct Refusal {
    status: StatusCode,
    error: &'static str,
    description: String,
    /// The client tried HTTP Basic: a 401 then carries a Basic challenge (§5.2).
    basic_challenge: bool,
    /// The nonce a `use_dpop_nonce` answer provides (RFC 9449 §8: the DPoP-Nonce header).
    dpop_nonce: Option<String>,
}

/// A token endpoint's answer (RFC 6749 §5.1 and §5.2): the JSON, never cached, or the
/// error response.
pub(super) fn token_response(
    s: &IdpState,
    answered: Result<serde_json::Value, Refusal>,
) -> Response {
    match answered {
        Ok(answer) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(answer),
        )
            .into_response(),
        Err(refusal) => refusal.into_response(s),
    }
}

impl Refusal {
    pub(super) fn bad(error: &'static str, description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
            basic_challenge: false,
            dpop_nonce: None,
        }
    }

    /// An error the server did not handle (the defects that answer 500).
    pub(super) fn server_error(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            description: description.into(),
            basic_challenge: false,
            dpop_nonce: None,
        }
    }

    /// `invalid_client` is the one error answered with 401 (RFC 6749 §5.2).
    pub(super) fn client(description: impl Into<String>, basic_challenge: bool) -> Self {
        Refusal {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: description.into(),
            basic_challenge,
            dpop_nonce: None,
        }
    }

    /// RFC 9449 §8: 400 `use_dpop_nonce` with the nonce to put into the next proof.
    pub(super) fn use_dpop_nonce(nonce: &str) -> Self {
        Refusal {
            dpop_nonce: Some(nonce.to_string()),
            ..Refusal::bad(
                USE_DPOP_NONCE,
                "the authorization server requires a DPoP nonce",
            )
        }
    }

    pub(super) fn into_response(self, s: &IdpState) -> Response {
        let mut response = if s.has(D::NonJsonErrors) {
            // The defect: RFC 6749 §5.2 wants an application/json object.
            let body = format!(
                "error: {}\nerror_description: {}\n",
                self.error, self.description
            );
            let headers = [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ];
            (self.status, headers, body).into_response()
        } else {
            oauth_error(self.status, self.error, &self.description)
        };
        if self.basic_challenge && s.has(D::BasicAuthFailure400) {
            *response.status_mut() = StatusCode::BAD_REQUEST;
        } else if self.basic_challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(BASIC_CHALLENGE),
            );
        }
        if let Some(v) = self.dpop_nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
            response.headers_mut().insert("DPoP-Nonce", v);
        }
        response
    }
}
