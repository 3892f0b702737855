//! The reference server's URL-elicitation tool: it needs the user to visit a page of the
//! server (connecting a third-party account, say) before it can complete. The URL names
//! an opaque id of the elicitation and nothing about the user (client/elicitation, "Safe
//! URL Handling" items 1 and 2, 2025-11-25 and 2026-07-28), unless a defect says
//! otherwise. How the request reaches the client depends on the revision:
//!
//! - 2026-07-28: an `InputRequiredResult` whose `inputRequests` hold an
//!   `elicitation/create` with `mode: "url"` (basic/patterns/mrtr; client/elicitation
//!   "Elicitation Requests"); nobody visits the page in a test run, so a retry is asked
//!   again (the out-of-band interaction has not completed);
//! - 2025-11-25: an `elicitation/create` request to the client on the event stream that
//!   answers the call (transports, "Sending Messages" item 5), the stream then held open
//!   for the client's answer as a server waiting for the user would (the harness reads
//!   up to the request). The other form of that revision, a `URLElicitationRequiredError`
//!   (-32042), is read by the same query (`logic/mcp_results.rs`, its unit tests).

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::deployment::Deployment;
use super::sessions::subject_of;
use crate::actors::tokens::random_id;
use crate::vocab::ServerDefect as D;

/// The tool's name; the reference driver declares it as the launch contract's
/// `[tools] url_elicitation`.
pub const URL_ELICITATION_TOOL: &str = "connect-account";

/// The reply to a `tools/call` of the tool, or `None` for any other request.
pub(super) fn call(
    d: &Deployment,
    headers: &HeaderMap,
    request: &Value,
    modern: bool,
) -> Option<Value> {
    if request["method"] != "tools/call" || request["params"]["name"] != URL_ELICITATION_TOOL {
        return None;
    }
    let id = request.get("id").cloned()?;
    let params = &request["params"];
    let elicitation_id = elicitation_id();
    let url = elicitation_url(d, headers, &elicitation_id);
    let message = "Connect your account to continue";
    if !modern {
        // Answered by `held_stream`.
        return None;
    }
    let capabilities = &params["_meta"]["io.modelcontextprotocol/clientCapabilities"];
    // client/elicitation "Capabilities": no URL mode unless the client declared it.
    if capabilities["elicitation"].get("url").is_none() {
        return Some(json!({"jsonrpc": "2.0", "id": id, "result": {
            "content": [{"type": "text", "text": "this tool needs URL-mode elicitation"}],
            "isError": true,
            "resultType": "complete",
        }}));
    }
    Some(json!({"jsonrpc": "2.0", "id": id, "result": {
        "resultType": "input_required",
        "inputRequests": {"connect": {
            "method": "elicitation/create",
            "params": {"mode": "url", "url": url, "message": message},
        }},
    }}))
}

/// 2025-11-25: the answer to a `tools/call` of the tool in a session that declared URL
/// mode, as an event stream holding the `elicitation/create` request; `None` otherwise.
pub(super) fn held_stream(
    d: &Deployment,
    headers: &HeaderMap,
    request: &Value,
    modern: bool,
) -> Option<Response> {
    if modern
        || request["method"] != "tools/call"
        || request["params"]["name"] != URL_ELICITATION_TOOL
    {
        return None;
    }
    let elicitation_id = elicitation_id();
    let ask = json!({"jsonrpc": "2.0", "id": format!("elicit-{elicitation_id}"),
    "method": "elicitation/create", "params": {
        "mode": "url",
        "elicitationId": elicitation_id,
        "url": elicitation_url(d, headers, &elicitation_id),
        "message": "Connect your account to continue",
    }});
    let first = Bytes::from(format!(
        "id: e-0\ndata: \n\nevent: message\nid: e-1\ndata: {ask}\n\n"
    ));
    let body = Body::from_stream(HeldOpen(Some(first)));
    Some(
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/event-stream")],
            body,
        )
            .into_response(),
    )
}

/// A stream that yields its one chunk and then stays open without more: the call waits
/// for the client's answer to the request, which the harness never gives. The connection
/// task drops it when the harness hangs up.
struct HeldOpen(Option<Bytes>);

impl futures_core::Stream for HeldOpen {
    type Item = Result<Bytes, std::convert::Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.0.take() {
            Some(chunk) => Poll::Ready(Some(Ok(chunk))),
            None => Poll::Pending,
        }
    }
}

/// 160 random bits, hex: an id no one can guess (and, at 40 digits, none that the
/// report checks mistake for one of the mocks' 32-digit secrets).
fn elicitation_id() -> String {
    format!("{}{}", random_id(), &random_id()[..8])
}

/// A page of this server for the elicitation; the defects add what must not be there.
fn elicitation_url(d: &Deployment, headers: &HeaderMap, elicitation_id: &str) -> String {
    let mut url = format!("{}/elicit/{elicitation_id}", d.origin);
    if d.config.has(D::ElicitationUrlCarriesToken) {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .map(|(_, t)| t.trim().to_string())
            .unwrap_or_default();
        url.push_str(&format!("?access_token={token}"));
    } else if d.config.has(D::ElicitationUrlCarriesSubject) {
        let sub: String =
            url::form_urlencoded::byte_serialize(subject_of(headers).as_bytes()).collect();
        url.push_str(&format!("?user={sub}"));
    }
    url
}
