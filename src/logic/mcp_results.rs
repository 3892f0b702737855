//! What an answer to a `tools/call` says, for the fixture-tool cases: how the call ended
//! ([`call_outcome`]), the URL-mode elicitation URLs it carries in any revision's form
//! ([`elicitation_urls`]), and what of the caller's credential or identity those URLs
//! carry ([`elicitation_url_secrets`]).

use serde_json::Value;

use super::answer::Answer;
use super::event_stream::event_data;

/// A value, or why there is none (the step queries' `QueryValue`, spelled out so that
/// this file does not import the one that uses it).
type QueryValue = Result<Value, String>;

/// Every JSON-RPC message of the answer: the body, or each event of an event stream
/// (Streamable HTTP may answer a POST with one, transports "Sending Messages").
fn messages(answer: &Answer) -> Result<Vec<Value>, String> {
    if let Some(failure) = &answer.failure {
        return Err(format!("no usable response: {failure}"));
    }
    let is_stream = answer
        .header_values("content-type")
        .first()
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/event-stream"));
    if is_stream {
        return Ok(event_data(&answer.body_text())
            .iter()
            .filter_map(|d| serde_json::from_str(d).ok())
            .collect());
    }
    Ok(serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .into_iter()
        .collect())
}

/// The response to the request among the messages: `result` or `error`, with the
/// request's id when it is known.
fn response<'a>(answer: &Answer, messages: &'a [Value]) -> Option<&'a Value> {
    messages.iter().find(|m| {
        (m.get("result").is_some() || m.get("error").is_some())
            && answer
                .rpc_id
                .as_ref()
                .is_none_or(|id| m.get("id") == Some(id))
    })
}

/// How a call ended: `complete` (a result that is neither an `InputRequiredResult` nor a
/// tool error), `input_required` (2026-07-28 `resultType`), `tool_error` (`isError:
/// true`, tools "Error Handling"), `rpc_error` (a JSON-RPC error), `server_request` (an
/// event stream that holds a request to the client and no response yet), or
/// `http_error` (a 4xx or 5xx without a JSON-RPC response).
pub fn call_outcome(answer: &Answer) -> QueryValue {
    let messages = messages(answer)?;
    let outcome = match response(answer, &messages) {
        Some(m) if m.get("error").is_some() => "rpc_error",
        Some(m) if m["result"]["resultType"] == "input_required" => "input_required",
        Some(m) if m["result"]["isError"] == true => "tool_error",
        Some(_) => "complete",
        None if messages.iter().any(is_server_request) => "server_request",
        None if answer.status.is_some_and(|s| s >= 400) => "http_error",
        None => {
            return Err(format!(
                "HTTP {} without a JSON-RPC response to the request",
                answer.status.unwrap_or_default()
            ))
        }
    };
    Ok(Value::String(outcome.into()))
}

fn is_server_request(m: &Value) -> bool {
    m.get("method").is_some() && m.get("id").is_some()
}

/// Every URL-mode elicitation URL the answer carries, in the form of its revision:
/// an `elicitation/create` request to the client on the stream (2025-11-25), the
/// `data.elicitations` of a `URLElicitationRequiredError` (-32042, 2025-11-25), or the
/// `inputRequests` of an `InputRequiredResult` (2026-07-28).
pub fn elicitation_urls(answer: &Answer) -> QueryValue {
    let messages = messages(answer)?;
    let mut params: Vec<&Value> = Vec::new();
    for m in &messages {
        if m["method"] == "elicitation/create" {
            params.push(&m["params"]);
        }
        if m["error"]["code"] == -32042 {
            if let Some(list) = m["error"]["data"]["elicitations"].as_array() {
                params.extend(list.iter());
            }
        }
        if let Some(requests) = m["result"]["inputRequests"].as_object() {
            params.extend(
                requests
                    .values()
                    .filter(|r| r["method"] == "elicitation/create")
                    .map(|r| &r["params"]),
            );
        }
    }
    Ok(Value::Array(
        params
            .into_iter()
            .filter(|p| p["mode"] == "url")
            .filter_map(|p| p["url"].as_str())
            .map(|u| Value::String(u.to_string()))
            .collect(),
    ))
}

/// The length of a piece of the access token that counts as carrying it: long enough
/// never to occur by chance, short enough to catch a token cut or split into parts.
pub const TOKEN_PIECE_LEN: usize = 24;

/// Claims of the token that name the end user (RFC 9068 §2.2 `sub`; OpenID Connect Core
/// §5.1 standard claims).
const PERSONAL_CLAIMS: [&str; 4] = ["sub", "email", "name", "preferred_username"];

/// What of the request's credential and identity the answer's elicitation URLs carry, in
/// words (never the values): the access token, a piece of it, or a claim naming the user.
/// Each URL is read as sent and percent-decoded.
pub fn elicitation_url_secrets(answer: &Answer) -> QueryValue {
    let Value::Array(urls) = elicitation_urls(answer)? else {
        return Ok(Value::Array(Vec::new()));
    };
    let token = answer.sent_bearer.as_deref().unwrap_or_default();
    let claims = (!token.is_empty())
        .then(|| super::jwt_view::describe("request", token).claims)
        .flatten();
    let mut found = Vec::new();
    for (n, url) in urls.iter().filter_map(Value::as_str).enumerate() {
        let decoded = percent_decoded(url);
        let texts = [url, decoded.as_str()];
        let mut say = |what: String| found.push(Value::String(format!("URL {}: {what}", n + 1)));
        if !token.is_empty() {
            if texts.iter().any(|t| t.contains(token)) {
                say("the access token of the request".into());
            } else if texts.iter().any(|t| carries_piece(t, token)) {
                say(format!(
                    "a {TOKEN_PIECE_LEN}-character piece of the access token of the request"
                ));
            }
        }
        for claim in PERSONAL_CLAIMS {
            let Some(value) = claims.as_ref().and_then(|c| c[claim].as_str()) else {
                continue;
            };
            if texts.iter().any(|t| names(t, value)) {
                say(format!("the `{claim}` claim of the request's token"));
            }
        }
    }
    Ok(Value::Array(found))
}

/// Whether `text` holds a piece of the token outside its JOSE header (which every token
/// of one issuer shares, so it says nothing about this one).
fn carries_piece(text: &str, token: &str) -> bool {
    let header_len = match token.split('.').collect::<Vec<_>>().as_slice() {
        [header, _, _] => header.len() + 1,
        _ => 0,
    };
    let chars: Vec<char> = token.chars().collect();
    (header_len..chars.len().saturating_sub(TOKEN_PIECE_LEN - 1)).any(|start| {
        let piece: String = chars[start..start + TOKEN_PIECE_LEN].iter().collect();
        text.contains(&piece)
    })
}

/// Whether `text` names `value`: anywhere when it is long enough not to occur by chance,
/// else as a whole path segment or query value.
fn names(text: &str, value: &str) -> bool {
    if value.is_empty() {
        return false;
    }
    if value.chars().count() >= 8 {
        return text.contains(value);
    }
    text.split(['/', '?', '&', '=', '#', '.'])
        .any(|part| part == value)
}

/// The URL with its percent-escapes (and `+` in the query) decoded.
fn percent_decoded(url: &str) -> String {
    let plus = url.replace('+', " ");
    url::form_urlencoded::parse(format!("x={}", plus.replace('&', "%26")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::HeaderPair;
    use serde_json::json;

    fn answer(body: Value) -> Answer {
        Answer {
            url: "http://127.0.0.1:1/mcp".into(),
            status: Some(200),
            headers: vec![HeaderPair::new("Content-Type", "application/json")],
            body: body.to_string().into_bytes(),
            rpc_id: Some(json!(1)),
            ..Answer::default()
        }
    }

    #[test]
    fn tells_how_a_call_ended() {
        let outcome = |b: Value| call_outcome(&answer(b)).unwrap();
        assert_eq!(
            outcome(json!({"jsonrpc": "2.0", "id": 1, "result": {"content": []}})),
            "complete"
        );
        assert_eq!(
            outcome(json!({"jsonrpc": "2.0", "id": 1, "result": {"resultType": "input_required"}})),
            "input_required"
        );
        assert_eq!(
            outcome(json!({"jsonrpc": "2.0", "id": 1, "result": {"isError": true}})),
            "tool_error"
        );
        assert_eq!(
            outcome(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602}})),
            "rpc_error"
        );
        let mut refused = answer(json!({"error": "invalid_token"}));
        refused.status = Some(401);
        assert_eq!(call_outcome(&refused).unwrap(), "http_error");
    }

    #[test]
    fn finds_urls_in_every_revision_form() {
        let modern = answer(
            json!({"jsonrpc": "2.0", "id": 1, "result": {"resultType": "input_required",
            "inputRequests": {"a": {"method": "elicitation/create", "params": {"mode": "url", "url": "https://s/e/1", "message": "m"}},
                              "b": {"method": "elicitation/create", "params": {"mode": "form", "message": "m"}}}}}),
        );
        assert_eq!(elicitation_urls(&modern).unwrap(), json!(["https://s/e/1"]));
        let error = answer(
            json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32042, "message": "m",
            "data": {"elicitations": [{"mode": "url", "elicitationId": "x", "url": "https://s/e/2", "message": "m"}]}}}),
        );
        assert_eq!(elicitation_urls(&error).unwrap(), json!(["https://s/e/2"]));
        let request = json!({"jsonrpc": "2.0", "id": 7, "method": "elicitation/create",
            "params": {"mode": "url", "elicitationId": "x", "url": "https://s/e/3", "message": "m"}});
        let stream = Answer {
            headers: vec![HeaderPair::new("Content-Type", "text/event-stream")],
            body: format!("id: p\ndata: \n\nevent: message\ndata: {request}\n\n").into_bytes(),
            ..answer(json!({}))
        };
        assert_eq!(elicitation_urls(&stream).unwrap(), json!(["https://s/e/3"]));
        assert_eq!(call_outcome(&stream).unwrap(), "server_request");
    }

    #[test]
    fn finds_the_token_its_pieces_and_the_user_in_a_url() {
        use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
        let claims = URL_SAFE_NO_PAD.encode(r#"{"sub":"user-4711-abc","email":"a@b.example"}"#);
        let token =
            format!("eyJhbGciOiJSUzI1NiJ9.{claims}.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU");
        let with = |url: &str| {
            let mut a = answer(
                json!({"jsonrpc": "2.0", "id": 1, "result": {"resultType": "input_required",
                "inputRequests": {"a": {"method": "elicitation/create", "params": {"mode": "url", "url": url, "message": "m"}}}}}),
            );
            a.sent_bearer = Some(token.clone());
            elicitation_url_secrets(&a).unwrap()
        };
        assert_eq!(with("https://s/elicit/0f3a9c"), json!([]));
        assert_eq!(
            with(&format!("https://s/e?t={token}")),
            json!(["URL 1: the access token of the request"])
        );
        let piece = &token[token.len() - 30..];
        assert!(with(&format!("https://s/e/{piece}"))[0]
            .as_str()
            .unwrap()
            .contains("piece"));
        assert_eq!(
            with("https://s/e?u=user-4711-abc"),
            json!(["URL 1: the `sub` claim of the request's token"])
        );
        assert_eq!(
            with("https://s/e?m=a%40b.example"),
            json!(["URL 1: the `email` claim of the request's token"])
        );
        // The JOSE header every token of the issuer shares is no piece of this one.
        assert_eq!(with("https://s/e/eyJhbGciOiJSUzI1NiJ9"), json!([]));
    }
}
