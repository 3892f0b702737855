//! Does the server implement the revision under test? Asked once per revision, with the
//! run's valid token, before any case of that revision runs. A server that does not
//! implement it gets one `unsupported` finding for the revision instead of dozens of
//! token failures that would blame authorization for a version mismatch.
//!
//! - Up to 2025-11-25 the client proposes a version at `initialize` and the server
//!   answers with the one it uses (lifecycle, "Version Negotiation"): another version, or
//!   a JSON-RPC error, means the revision is not implemented.
//! - 2026-07-28: `server/discover` lists the supported versions (server/discover; servers
//!   MUST implement it); `UnsupportedProtocolVersionError` (-32022) says no; and a `4xx`
//!   without a recognised modern error identifies a legacy server (basic/versioning,
//!   "Backward Compatibility with Initialization-Based Versions").
//!
//! Anything the probe cannot read (no token, the token refused, a 5xx, a broken answer)
//! decides nothing: the cases run and judge for themselves.

use std::sync::Arc;

use serde_json::Value;

use super::mcp_conversation::{mcp_request, rpc_id};
use crate::actors::tokens::TokenSupply;
use crate::logic::answer::Answer;
use crate::logic::case_model::McpMessage;
use crate::logic::catalog::Catalog;
use crate::logic::mcp_messages::opens_with_initialize;
use crate::logic::query::StepQuery;
use crate::logic::redaction::redact_exchange;
use crate::logic::template::Vars;
use crate::logic::token_recipe::TokenSend;
use crate::transport::{HttpClient, Recorder};
use crate::vocab::{CaseReport, Level, Outcome, Revision, Role};

/// The id of the finding in reports.
pub const FINDING_ID: &str = "server/revision/implemented";
/// The catalog requirement the finding cites.
const REQUIREMENT: &str = "RS-VER-01";

/// JSON-RPC errors a 2026-07-28 server gives to a request it understood as modern
/// (basic/index "Per-request protocol fields", transports "Server Validation",
/// versioning): they identify a modern server, whatever they object to.
const MODERN_ERRORS: [i64; 4] = [-32020, -32021, -32601, -32602];
/// `UnsupportedProtocolVersionError` (2026-07-28 basic/versioning).
const UNSUPPORTED_VERSION: i64 = -32022;

/// What the probe learned.
pub enum Support {
    /// Implemented, or the probe could not tell: run the cases.
    RunCases,
    /// Not implemented: the finding that replaces the revision's cases.
    Unsupported(Box<CaseReport>),
}

/// Probes one revision. Without a valid token there is nothing to ask: every answer
/// would be a 401.
pub async fn probe(
    client: Arc<dyn HttpClient>,
    url: &str,
    resource: &str,
    revision: Revision,
    tokens: &TokenSupply,
) -> Support {
    let valid = TokenSend::default();
    if tokens.missing(&valid).is_some() {
        return Support::RunCases;
    }
    let Ok(token) = tokens.fresh_valid(resource) else {
        return Support::RunCases;
    };
    let message = if opens_with_initialize(revision) {
        McpMessage::Initialize
    } else {
        McpMessage::Discover
    };
    let request = mcp_request(message, revision, url, Some(&token));
    let id = rpc_id(&request);
    let recorder = Recorder::new(client);
    let label = format!("does the server implement {revision}?");
    // Transport limits bound the request; a server that does not answer decides nothing.
    let Ok(response) = recorder.send(&label, request).await else {
        return Support::RunCases;
    };
    let mut answer = response.into_answer(url.to_string());
    answer.rpc_id = id;
    let verdict = if opens_with_initialize(revision) {
        judge_initialize(&answer, revision)
    } else {
        judge_discover(&answer, revision)
    };
    match verdict {
        None => Support::RunCases,
        Some(reason) => {
            let mut report = finding(revision, reason);
            report.exchanges = recorder
                .exchanges()
                .into_iter()
                .map(redact_exchange)
                .collect();
            Support::Unsupported(Box::new(report))
        }
    }
}

/// `Some(reason)` when the answer to `initialize` says the revision is not implemented.
fn judge_initialize(answer: &Answer, revision: Revision) -> Option<String> {
    let status = answer.status?;
    if status == 401 || status == 403 || status >= 500 {
        return None;
    }
    let message = json(answer)?;
    if let Some(error) = message.get("error") {
        return Some(format!(
            "the server answered `initialize` with protocolVersion {revision} with HTTP \
             {status} and the JSON-RPC error {}",
            describe_error(error)
        ));
    }
    let negotiated = message.pointer("/result/protocolVersion")?.as_str()?;
    (negotiated != revision.as_str()).then(|| {
        format!(
            "asked for {revision} at `initialize`, the server answered with protocolVersion \
             {negotiated} (lifecycle, \"Version Negotiation\": it proposes a version it \
             supports instead)"
        )
    })
}

/// `Some(reason)` when the answer to `server/discover` says the revision is not
/// implemented.
fn judge_discover(answer: &Answer, revision: Revision) -> Option<String> {
    let status = answer.status?;
    if status == 401 || status == 403 || status >= 500 {
        return None;
    }
    let message = json(answer);
    if (200..300).contains(&status) {
        let versions = message
            .as_ref()?
            .pointer("/result/supportedVersions")?
            .as_array()?;
        let listed = versions.iter().any(|v| v == revision.as_str());
        return (!listed).then(|| {
            format!(
                "`server/discover` lists the supported versions {}, without {revision}",
                Value::Array(versions.clone())
            )
        });
    }
    let error = message.as_ref().and_then(|m| m.get("error"));
    let code = error.and_then(|e| e.get("code")).and_then(Value::as_i64);
    match code {
        Some(UNSUPPORTED_VERSION) => Some(format!(
            "the server answered a {revision} request with UnsupportedProtocolVersionError: {}",
            describe_error(error?)
        )),
        Some(c) if MODERN_ERRORS.contains(&c) => None,
        _ if (400..500).contains(&status) => {
            let body: String = answer.body_text().chars().take(200).collect();
            Some(format!(
                "the server answered a {revision} request (`server/discover` with the \
                 per-request protocol fields and headers) with HTTP {status} and no \
                 {revision} error ({}), which identifies a server of an earlier, \
                 initialization-based revision (basic/versioning, \"Backward Compatibility \
                 with Initialization-Based Versions\")",
                match error {
                    Some(e) => format!("JSON-RPC error {}", describe_error(e)),
                    None => format!("body {body:?}"),
                }
            ))
        }
        _ => None,
    }
}

/// The JSON-RPC message of the answer, from a JSON body or an event stream.
fn json(answer: &Answer) -> Option<Value> {
    StepQuery::Json(String::new())
        .evaluate(answer, &Vars::new())
        .ok()
}

fn describe_error(error: &Value) -> String {
    let code = error.get("code").map(Value::to_string).unwrap_or_default();
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    format!("{code} {message:?}")
}

/// The finding that stands for the revision's cases.
fn finding(revision: Revision, reason: String) -> CaseReport {
    unsupported_revision(
        RevisionFinding {
            id: FINDING_ID,
            title: "The server implements the revision under test",
            role: Role::Server,
            requirement: REQUIREMENT,
        },
        revision,
        reason,
    )
}

/// Which finding stands for a revision the target does not implement.
pub(super) struct RevisionFinding {
    pub id: &'static str,
    pub title: &'static str,
    pub role: Role,
    pub requirement: &'static str,
}

/// The `unsupported` finding that replaces a revision's cases, for either role.
pub(super) fn unsupported_revision(
    what: RevisionFinding,
    revision: Revision,
    reason: String,
) -> CaseReport {
    let requirement = Catalog::builtin().get(what.requirement);
    let target = match what.role {
        Role::Client => "client",
        _ => "server",
    };
    CaseReport {
        id: what.id.to_string(),
        title: what.title.to_string(),
        role: what.role,
        requirement: what.requirement.to_string(),
        scenario: None,
        requirement_text: requirement.map(|r| r.statement.clone()).unwrap_or_default(),
        level: Level::MAY,
        revision,
        outcome: Outcome::Unsupported,
        reason: Some(format!(
            "{reason}. The cases of {revision} were not run: a {target} that does not \
             implement a revision is reported once, not judged by its rules"
        )),
        spec: requirement
            .map(|r| r.references_for(revision))
            .unwrap_or_default(),
        checks: Vec::new(),
        exchanges: Vec::new(),
        process: None,
        omitted_exchanges: 0,
        duration_ms: 0,
        baseline: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::HeaderPair;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            url: "http://127.0.0.1:1/mcp".into(),
            status: Some(status),
            headers: vec![HeaderPair::new("Content-Type", "application/json")],
            body: body.as_bytes().to_vec(),
            ..Answer::default()
        }
    }

    #[test]
    fn another_negotiated_version_is_unsupported() {
        let a = answer(
            200,
            r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18"}}"#,
        );
        assert!(judge_initialize(&a, Revision::R2025_06_18).is_none());
        let reason = judge_initialize(&a, Revision::R2025_11_25).unwrap();
        assert!(reason.contains("2025-06-18"), "{reason}");
    }

    #[test]
    fn a_legacy_answer_to_a_modern_request_is_unsupported() {
        let ts = answer(
            400,
            r#"{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: No valid session ID provided"},"id":null}"#,
        );
        let reason = judge_discover(&ts, Revision::R2026_07_28).unwrap();
        assert!(reason.contains("-32000"), "{reason}");
        let version = answer(
            400,
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"Unsupported protocol version","data":{"supported":["2025-11-25"]}}}"#,
        );
        assert!(judge_discover(&version, Revision::R2026_07_28).is_some());
    }

    #[test]
    fn modern_answers_and_unreadable_ones_run_the_cases() {
        let listed = answer(
            200,
            r#"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":["2026-07-28"]}}"#,
        );
        assert!(judge_discover(&listed, Revision::R2026_07_28).is_none());
        let no_discover = answer(
            404,
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}"#,
        );
        assert!(judge_discover(&no_discover, Revision::R2026_07_28).is_none());
        assert!(judge_discover(&answer(401, ""), Revision::R2026_07_28).is_none());
        assert!(judge_discover(&answer(500, "oops"), Revision::R2026_07_28).is_none());
        assert!(judge_initialize(&answer(403, ""), Revision::R2025_06_18).is_none());
    }
}
