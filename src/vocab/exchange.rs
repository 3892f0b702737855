//! One recorded HTTP request and its response: the evidence behind every verdict.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::endpoint::Endpoint;

/// A header as it went over the wire. Kept as a list, not a map: the order and repetition
/// of headers (two `WWW-Authenticate` lines, say) is itself evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderPair {
    pub name: String,
    pub value: String,
}

impl HeaderPair {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// Every value of the header `name` among `headers`, in order, the name compared
/// case-insensitively (RFC 9110 §5.1).
pub fn header_values<'a>(headers: &'a [HeaderPair], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
        .collect()
}

/// A request the harness sent and what came back. Secrets are redacted before an exchange
/// reaches a report (see `logic::redaction`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// Which step of the case sent it (its name, or `step N`).
    pub step: String,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<HeaderPair>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    /// HTTP status; absent when no response arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub response_headers: Vec<HeaderPair>,
    /// The response body as text (lossy UTF-8), cut at the body limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    /// True when the body was longer than the limit and was cut.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub response_truncated: bool,
    /// Milliseconds from sending the request to the end of the (capped) body.
    pub elapsed_ms: u64,
    /// Why no (complete) response arrived: refused, timed out, reset, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport_error: Option<String>,
    /// The access token the request carried, decoded, its signature redacted: which
    /// token a server accepted or refused is the evidence of a token case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_token: Option<SentToken>,
    /// The endpoint of a mock that served the request, as the mock tagged it; absent for
    /// the harness's own requests and for a request no endpoint of the mocks served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Endpoint>,
}

impl Exchange {
    /// A request as sent, before any answer: status, response and timing are filled in
    /// when they arrive (or stay empty when none does).
    pub fn request(
        step: impl Into<String>,
        method: impl Into<String>,
        url: impl Into<String>,
        request_headers: Vec<HeaderPair>,
        request_body: Option<String>,
    ) -> Exchange {
        Exchange {
            step: step.into(),
            method: method.into(),
            url: url.into(),
            request_headers,
            request_body,
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            response_truncated: false,
            elapsed_ms: 0,
            transport_error: None,
            sent_token: None,
            endpoint: None,
        }
    }

    /// The same exchange, tagged as served by `endpoint`.
    pub fn served_by(mut self, endpoint: Endpoint) -> Exchange {
        self.endpoint = Some(endpoint);
        self
    }

    /// Whether `selection` picks this request (by the tag of the endpoint that served it).
    pub fn sent_to(&self, selection: Endpoint) -> bool {
        selection.selects(self.endpoint)
    }
}

/// An access token as sent, for the report. Never holds the signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SentToken {
    /// `authorization header`, `authorization header without scheme` or `query string`.
    pub carried_in: String,
    /// The JOSE header, when the token is a JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<serde_json::Value>,
    /// The claims, when the token is a JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<serde_json::Value>,
    /// What stood in the signature's place: `[redacted: N characters]`, or `empty`; for a
    /// token that is not a JWT, its length.
    pub signature: String,
}
