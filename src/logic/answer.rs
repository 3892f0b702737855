//! What a step observed: the target's HTTP answer, as queries see it.

use crate::vocab::HeaderPair;

/// The response a step's expectations are evaluated against. `failure` is set when no
/// usable HTTP response arrived (the connection broke mid-response, garbage instead of
/// HTTP, …): every query then reports the failure as its reason.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// The URL that answered (the last one tried, for `first_of`).
    pub url: String,
    pub status: Option<u16>,
    pub headers: Vec<HeaderPair>,
    pub body: Vec<u8>,
    pub truncated: bool,
    pub failure: Option<String>,
    /// The JSON-RPC id of the request, when it was one: an event-stream answer's
    /// response is the message with this id.
    pub rpc_id: Option<serde_json::Value>,
    /// The bearer token the request carried, to look for it where it must not be (an
    /// elicitation URL, say).
    pub sent_bearer: Option<String>,
}

impl Answer {
    /// Every value of a header, in order, name compared case-insensitively.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        crate::vocab::header_values(&self.headers, name)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}
