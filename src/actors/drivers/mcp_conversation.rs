//! What a real MCP client does around the requests a case sends, so that a server of the
//! revision accepts them: after a successful `initialize` it completes the handshake
//! with `notifications/initialized` and keeps the session id the server assigned for the
//! later requests of the case (lifecycle, "Initialization"; transports, "Session
//! Management"). None of this is judged: it is the set-up a conformant client performs.

use serde_json::Value;

use crate::logic::answer::Answer;
use crate::logic::case_model::McpMessage;
use crate::logic::mcp_messages::{build, initialized_notification, method_of};
use crate::transport::{HttpRequest, Recorder};
use crate::vocab::{HeaderPair, Revision};

/// The header that carries the session id (transports, "Session Management").
pub const SESSION_HEADER: &str = "Mcp-Session-Id";

/// The HTTP request of an MCP message shaped for the revision, to `url`, with a bearer
/// token when given: what the harness sends on its own (discovery, the revision probe).
pub fn mcp_request(
    message: McpMessage,
    revision: Revision,
    url: &str,
    bearer: Option<&str>,
) -> HttpRequest {
    let built = build(message, revision);
    let mut headers: Vec<HeaderPair> = built
        .headers
        .into_iter()
        .map(|(n, v)| HeaderPair::new(n, v))
        .collect();
    if let Some(token) = bearer {
        headers.push(HeaderPair::new("Authorization", format!("Bearer {token}")));
    }
    HttpRequest {
        method: "POST".into(),
        url: url.to_string(),
        headers,
        body: Some(built.body.to_string().into_bytes()),
    }
}

/// The JSON-RPC id of a request body, when it is a JSON-RPC request.
pub fn rpc_id(request: &HttpRequest) -> Option<Value> {
    let body = request.body.as_deref()?;
    let message: Value = serde_json::from_slice(body).ok()?;
    message.get("id").cloned()
}

/// Whether the message is sent as `initialize` in this revision.
pub fn is_initialize(message: Option<McpMessage>, revision: Revision) -> bool {
    message.is_some_and(|m| method_of(m, revision) == "initialize")
}

/// After an `initialize` the server answered with a result: sends
/// `notifications/initialized` with the same credentials (and the session id, when the
/// server assigned one), recorded as evidence under the step's label. Returns the
/// session id for the later requests of the case.
pub async fn complete_initialization(
    recorder: &Recorder,
    label: &str,
    sent: &HttpRequest,
    answer: &Answer,
    revision: Revision,
) -> Option<String> {
    let succeeded = answer.status.is_some_and(|s| (200..300).contains(&s))
        && crate::logic::query::StepQuery::Json("/result".into())
            .evaluate(answer, &Default::default())
            .is_ok();
    if !succeeded {
        return None;
    }
    let session = answer
        .header_values(SESSION_HEADER)
        .first()
        .map(|s| s.to_string());
    let note = initialized_notification(revision);
    let mut headers: Vec<HeaderPair> = note
        .headers
        .into_iter()
        .map(|(n, v)| HeaderPair::new(n, v))
        .collect();
    // The same credentials as the `initialize`: a token in a header, nothing else.
    headers.extend(
        sent.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("authorization"))
            .cloned(),
    );
    if let Some(id) = &session {
        headers.push(HeaderPair::new(SESSION_HEADER, id.clone()));
    }
    let request = HttpRequest {
        method: "POST".into(),
        url: sent.url.clone(),
        headers,
        body: Some(note.body.to_string().into_bytes()),
    };
    // The answer (202 Accepted normally) is evidence only; a server that refuses the
    // notification shows it in the next request's answer.
    let _ = recorder
        .send(
            &format!("{label} (then notifications/initialized)"),
            request,
        )
        .await;
    session
}
