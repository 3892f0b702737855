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
//! - 2025-11-25: a `URLElicitationRequiredError` (-32042) whose `data.elicitations` hold
//!   the URL-mode elicitation (client/elicitation "URL Elicitation Required Error").

use axum::http::HeaderMap;
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
    let elicitation_id = random_id();
    let url = elicitation_url(d, headers, &elicitation_id);
    let message = "Connect your account to continue";
    if !modern {
        return Some(json!({"jsonrpc": "2.0", "id": id, "error": {
            "code": -32042,
            "message": "This request requires more information.",
            "data": {"elicitations": [{
                "mode": "url", "elicitationId": elicitation_id, "url": url, "message": message,
            }]},
        }}));
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
        let sub: String = url::form_urlencoded::byte_serialize(subject_of(headers).as_bytes()).collect();
        url.push_str(&format!("?user={sub}"));
    }
    url
}
