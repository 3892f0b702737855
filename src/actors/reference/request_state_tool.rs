//! The reference server's request-state tool (2026-07-28 basic/patterns/mrtr, "Server
//! Requirements (Basic Workflow)"): the first call answers with an `InputRequiredResult`
//! that asks the user to confirm (a form elicitation, when the client declared the
//! capability) and carries a `requestState`; the retry with the confirmation and the
//! echoed state completes. The state is what a real server would keep there: whose call
//! it is (`sub`), the tool, and an expiry. It is attacker-controlled input (same section,
//! item 4), so it is HMAC-protected and verified on receipt, and bound to the principal
//! (item 5: the authenticated principal, a short TTL, the originating request).

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::deployment::Deployment;
use super::sessions::subject_of;
use crate::vocab::ServerDefect as D;

/// The tool's name; the reference driver declares it as the launch contract's
/// `[tools] request_state`.
pub const REQUEST_STATE_TOOL: &str = "confirm-action";

/// How long a state stays valid (item 5: "a short expiry").
const STATE_TTL_SECONDS: u64 = 300;

/// The key of the state's MAC: random per process, never leaves it.
fn key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut k = [0u8; 32];
        if getrandom::fill(&mut k).is_err() {
            k = *b"mcp-authspec-reference-fallback!";
        }
        k
    })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn hmac() -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key()).expect("HMAC takes any key length")
}

/// The state of a call by `subject`: the payload and its MAC, both hex (`payload.mac`),
/// or under `request-state-unprotected` the payload's JSON as it is.
fn mint(d: &Deployment, subject: &str) -> String {
    let payload =
        json!({"sub": subject, "tool": REQUEST_STATE_TOOL, "exp": now() + STATE_TTL_SECONDS})
            .to_string();
    if d.config.has(D::RequestStateUnprotected) {
        return payload;
    }
    let payload = hex(payload.as_bytes());
    let mut m = hmac();
    m.update(payload.as_bytes());
    let tag = hex(&m.finalize().into_bytes());
    format!("{payload}.{tag}")
}

/// The verified payload of a state, or why it is refused.
fn verify(d: &Deployment, state: &str) -> Result<Value, &'static str> {
    let bytes = if d.config.has(D::RequestStateUnprotected) {
        state.as_bytes().to_vec()
    } else {
        let (payload, tag) = state.rsplit_once('.').ok_or("not a protected state")?;
        let mut m = hmac();
        m.update(payload.as_bytes());
        let tag = unhex(tag).ok_or("malformed MAC")?;
        m.verify_slice(&tag).map_err(|_| "MAC mismatch")?;
        unhex(payload).ok_or("malformed payload")?
    };
    let claims: Value = serde_json::from_slice(&bytes).map_err(|_| "not JSON")?;
    if claims["exp"].as_u64().is_none_or(|exp| exp < now()) {
        return Err("expired");
    }
    Ok(claims)
}

/// `request-state-authenticates`: the request is a retry of this tool carrying a state
/// that verifies (whoever sends it).
pub(super) fn carries_valid_state(d: &Deployment, body: &[u8]) -> bool {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    is_call(&request)
        && request["params"]["requestState"]
            .as_str()
            .is_some_and(|s| verify(d, s).is_ok())
}

fn is_call(request: &Value) -> bool {
    request["method"] == "tools/call" && request["params"]["name"] == REQUEST_STATE_TOOL
}

/// The reply to a `tools/call` of the tool, or `None` for any other request.
pub(super) fn call(d: &Deployment, headers: &HeaderMap, request: &Value) -> Option<Value> {
    if !is_call(request) {
        return None;
    }
    let id = request.get("id").cloned()?;
    let params = &request["params"];
    let subject = subject_of(headers);
    let capabilities = &params["_meta"]["io.modelcontextprotocol/clientCapabilities"];
    // Item 7: no input request of a kind the client did not declare.
    let elicits = capabilities.get("elicitation").is_some();
    let Some(state) = params["requestState"].as_str() else {
        return Some(input_required(d, id, &subject, elicits));
    };
    let claims = match verify(d, state) {
        Ok(c) => c,
        Err(why) => return Some(invalid_state(id, why)),
    };
    // Item 5: "the authenticated principal, rejecting state presented by a different
    // principal".
    let bound = claims["sub"] == subject.as_str() || d.config.has(D::RequestStateNotBoundToUser);
    if claims["tool"] != REQUEST_STATE_TOOL || !bound {
        return Some(invalid_state(id, "the state belongs to another call"));
    }
    let confirmed = !elicits || params["inputResponses"]["confirm"]["action"] == "accept";
    if !confirmed {
        // "Error Handling": missing input is asked for again rather than refused.
        return Some(input_required(d, id, &subject, elicits));
    }
    Some(json!({"jsonrpc": "2.0", "id": id, "result": {
        "content": [{"type": "text", "text": "confirmed"}],
        "isError": false,
        "resultType": "complete",
    }}))
}

fn input_required(d: &Deployment, id: Value, subject: &str, elicits: bool) -> Value {
    let mut result = json!({"resultType": "input_required", "requestState": mint(d, subject)});
    if elicits {
        result["inputRequests"] = json!({"confirm": {
            "method": "elicitation/create",
            "params": {
                "mode": "form",
                "message": "Confirm the action",
                "requestedSchema": {
                    "type": "object",
                    "properties": {"ok": {"type": "boolean"}},
                    "required": ["ok"],
                },
            },
        }});
    }
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// Item 4: state that fails verification is rejected, as a JSON-RPC error (Error
/// Handling: -32602 for invalid parameters).
fn invalid_state(id: Value, why: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {
        "code": -32602,
        "message": format!("requestState refused: {why}"),
    }})
}
