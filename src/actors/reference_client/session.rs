//! The MCP session the client runs once authorized: the messages of each revision, how
//! each request carries the token and session id, and what counts as a good answer
//! (JSON-RPC over streamable HTTP, JSON or an SSE stream).

use serde_json::{json, Value};
use url::Url;

use super::wire::{describe, header, Ctx};
use crate::logic::case_model::McpMessage;
use crate::logic::mcp_messages::{build, build_method, McpRequest};
use crate::transport::{HttpRequest, HttpResponse};
use crate::vocab::{ClientDefect as D, HeaderPair, Revision};

/// One message of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// Up to 2025-11-25 `initialize`, from 2026-07-28 `tools/list`: the first request,
    /// sent first without a token (`McpMessage::FirstProtected`).
    First,
    Initialized,
    /// The optional GET that opens the server's event stream (transports "Listening for
    /// Messages from the Server": the client MAY issue it; the server answers with a
    /// stream or 405). Up to 2025-11-25: 2026-07-28 removed the GET stream.
    OpenStream,
    ToolsList,
    ToolsCall,
}

impl Step {
    fn method(self, revision: Revision) -> &'static str {
        match self {
            Step::First if revision.features().stateless_requests => "tools/list",
            Step::First => "initialize",
            Step::Initialized => "notifications/initialized",
            Step::OpenStream => "GET stream",
            Step::ToolsList => "tools/list",
            Step::ToolsCall => "tools/call",
        }
    }

    fn is_notification(self) -> bool {
        self == Step::Initialized
    }
}

/// The session of the revision: up to 2025-11-25 it starts with the initialization
/// handshake (lifecycle, "Initialization"); from 2026-07-28 requests stand alone, and the
/// first request is already `tools/list`.
pub(super) fn steps(revision: Revision) -> Vec<Step> {
    let features = revision.features();
    let mut steps = vec![Step::First];
    if !features.stateless_requests {
        steps.push(Step::Initialized);
    }
    if features.get_event_stream {
        steps.push(Step::OpenStream);
    }
    if !features.stateless_requests {
        steps.push(Step::ToolsList);
    }
    steps.push(Step::ToolsCall);
    steps
}

/// JSON-RPC id of a step's request.
fn id(step: Step) -> u64 {
    match step {
        Step::First | Step::Initialized | Step::OpenStream => 1,
        Step::ToolsList => 2,
        Step::ToolsCall => 3,
    }
}

fn message(step: Step, revision: Revision) -> McpRequest {
    match step {
        Step::First => build(McpMessage::FirstProtected, revision),
        Step::Initialized | Step::OpenStream => {
            build_method("notifications/initialized", json!({}), None, revision)
        }
        Step::ToolsList => build_method(step.method(revision), json!({}), Some(id(step)), revision),
        Step::ToolsCall => build_method(
            step.method(revision),
            json!({"name": "echo", "arguments": {"text": "hello"}}),
            Some(id(step)),
            revision,
        ),
    }
}

/// The HTTP request of a step. The token goes in `Authorization: Bearer` (RFC 6750
/// §2.1; MCP "Token Requirements": on every request, never in the query string, which
/// the `TokenInQuery` defect does as well).
pub(super) fn request(
    ctx: &Ctx,
    step: Step,
    token: Option<&str>,
    session_id: Option<&str>,
) -> HttpRequest {
    let McpRequest { body, headers } = message(step, ctx.revision());
    let mut headers: Vec<HeaderPair> = headers
        .into_iter()
        .map(|(n, v)| HeaderPair::new(n, v))
        .collect();
    let mut url = ctx.server_url().to_string();
    if let Some(token) = token {
        headers.push(HeaderPair::new("Authorization", format!("Bearer {token}")));
        // The defects: in the query as well, under RFC 6750 §2.3's name on every
        // request, or once under another name.
        let in_query = if ctx.has(D::TokenInQuery) {
            Some("access_token")
        } else if ctx.has(D::TokenInQueryOtherName) && step == Step::ToolsCall {
            Some("token")
        } else {
            None
        };
        if let (Some(name), Ok(mut parsed)) = (in_query, Url::parse(&url)) {
            parsed.query_pairs_mut().append_pair(name, token);
            url = parsed.to_string();
        }
    }
    // Transports, "Session Management": the id the server assigned goes on every
    // later request.
    if let Some(id) = session_id {
        headers.push(HeaderPair::new("Mcp-Session-Id", id));
    }
    if step == Step::OpenStream {
        // A GET has no body: only the headers that still apply, and asking for a stream.
        headers.retain(|h| {
            !h.name.eq_ignore_ascii_case("Content-Type") && !h.name.eq_ignore_ascii_case("Accept")
        });
        headers.push(HeaderPair::new("Accept", "text/event-stream"));
        return HttpRequest {
            method: "GET".into(),
            url,
            headers,
            body: None,
        };
    }
    HttpRequest {
        method: "POST".into(),
        url,
        headers,
        body: Some(body.to_string().into_bytes()),
    }
}

/// The session id an `initialize` answer assigned, if any.
pub(super) fn assigned_session(
    step: Step,
    revision: Revision,
    response: &HttpResponse,
) -> Option<String> {
    (step == Step::First && step.method(revision) == "initialize")
        .then(|| header(response, "Mcp-Session-Id"))
        .flatten()
        .map(str::to_string)
}

/// Whether a step's (non-401/403) answer is a success.
pub(super) fn check_answer(ctx: &Ctx, step: Step, response: &HttpResponse) -> Result<(), String> {
    let method = step.method(ctx.revision());
    if step.is_notification() {
        // Transports, "Sending Messages": 202 Accepted (any 2xx is taken).
        return if (200..300).contains(&response.status) {
            Ok(())
        } else {
            Err(format!("{method} was refused: {}", describe(response)))
        };
    }
    if response.status != 200 {
        return Err(format!("{method} failed: {}", describe(response)));
    }
    let reply = messages(response)
        .into_iter()
        .find(|m| m.get("id").and_then(Value::as_u64) == Some(id(step)))
        .ok_or_else(|| format!("{method}: no JSON-RPC response in {}", describe(response)))?;
    if let Some(error) = reply.get("error") {
        return Err(format!("{method} returned a JSON-RPC error: {error}"));
    }
    let result = reply
        .get("result")
        .ok_or_else(|| format!("{method}: the JSON-RPC response has no result"))?;
    if step == Step::ToolsCall && result.get("isError").and_then(Value::as_bool) == Some(true) {
        return Err(format!("tools/call reported an error: {result}"));
    }
    Ok(())
}

/// The JSON-RPC messages of an answer: one JSON body, or the `data` of each event of a
/// `text/event-stream` body (transports, "Sending Messages"; the SSE format joins an
/// event's data lines with newlines).
fn messages(response: &HttpResponse) -> Vec<Value> {
    let text = String::from_utf8_lossy(&response.body);
    let is_sse = header(response, "Content-Type").is_some_and(|t| {
        t.trim_start()
            .to_ascii_lowercase()
            .starts_with("text/event-stream")
    });
    if !is_sse {
        return serde_json::from_str::<Value>(&text).into_iter().collect();
    }
    let mut found = Vec::new();
    let mut data: Vec<&str> = Vec::new();
    // A final event without its blank line is taken too (the body may be cut).
    for line in text.lines().chain([""]) {
        if line.is_empty() {
            if !data.is_empty() {
                found.extend(serde_json::from_str::<Value>(&data.join("\n")));
                data.clear();
            }
        } else if let Some(rest) = line.strip_prefix("data:") {
            data.push(rest.strip_prefix(' ').unwrap_or(rest));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn sse_bodies_are_read_event_by_event() {
        let response = HttpResponse {
            status: 200,
            headers: vec![HeaderPair::new("content-type", "text/event-stream")],
            body: b"event: message\ndata: {\"jsonrpc\":\"2.0\",\ndata: \"id\":3,\"result\":{}}\n\n: c\n"
                .to_vec(),
            truncated: false,
            elapsed: Duration::ZERO,
        };
        let found = messages(&response);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["id"], 3);
    }
}
