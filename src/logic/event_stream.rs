//! Reading a Streamable HTTP answer that is an event stream: the JSON-RPC response is one
//! event among others. A server may first send a priming event (an event id and an empty
//! `data` field, MCP 2025-11-25 transports, "Sending Messages" item 6: it SHOULD), and
//! notifications or requests related to the call before the response (same section,
//! item 5). The response is the message whose `id` matches the request's.

use serde_json::Value;

/// The data of every event in the stream, in order (WHATWG HTML "Server-sent events",
/// "Interpreting an event stream": `data` lines joined by `\n`, one leading space after
/// the colon dropped, comments ignored, a blank line dispatches the event).
pub fn event_data(text: &str) -> Vec<String> {
    let mut events = Vec::new();
    let mut data: Option<String> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if let Some(d) = data.take() {
                events.push(d);
            }
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        if field == "data" {
            match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_string()),
            }
        }
    }
    // A stream cut before its final blank line still delivered the event's data.
    if let Some(d) = data {
        events.push(d);
    }
    events
}

/// The JSON-RPC response in the stream: the message with `result` or `error` whose `id`
/// equals `request_id` (any response when the request's id is not known). Priming events
/// (empty data), notifications and server-to-client requests are passed over.
pub fn response_in(text: &str, request_id: Option<&Value>) -> Result<Value, String> {
    let events = event_data(text);
    let mut seen = Vec::new();
    for data in &events {
        if data.trim().is_empty() {
            seen.push("a priming event (no data)".to_string());
            continue;
        }
        let message: Value = match serde_json::from_str(data) {
            Ok(m) => m,
            Err(e) => {
                seen.push(format!("an event that is not JSON ({e})"));
                continue;
            }
        };
        let is_response = message.get("result").is_some() || message.get("error").is_some();
        let id_matches = request_id.is_none_or(|id| message.get("id") == Some(id));
        if is_response && id_matches {
            return Ok(message);
        }
        seen.push(match message.get("method").and_then(Value::as_str) {
            Some(method) => format!("a `{method}` message"),
            None => format!("a response to another id ({})", message["id"]),
        });
    }
    let id = request_id.map_or_else(|| "any id".to_string(), Value::to_string);
    if seen.is_empty() {
        return Err(format!(
            "the event stream holds no event, so no JSON-RPC response to id {id}"
        ));
    }
    Err(format!(
        "the event stream holds no JSON-RPC response to id {id}; it holds {}",
        seen.join(", ")
    ))
}

/// Whether the stream so far holds an `elicitation/create` request to the client
/// (client/elicitation, 2025-11-25): the server then waits for the user's answer, which
/// the harness never gives (it declares elicitation only to read the request), so
/// reading on would only wait for the request timeout.
pub fn holds_elicitation_request(text: &str) -> bool {
    event_data(text).iter().any(|d| {
        serde_json::from_str::<Value>(d).is_ok_and(|m| {
            m.get("method").and_then(Value::as_str) == Some("elicitation/create")
                && m.get("id").is_some()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_elicitation_request_ends_the_reading() {
        let ask = "data: {\"jsonrpc\":\"2.0\",\"id\":\"e\",\"method\":\"elicitation/create\",\"params\":{}}\n\n";
        assert!(holds_elicitation_request(&format!(
            "id: p\ndata: \n\n{ask}"
        )));
        assert!(!holds_elicitation_request(&ask[..ask.len() - 12]));
        let note = "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\n";
        assert!(!holds_elicitation_request(note));
    }

    #[test]
    fn skips_priming_events_and_notifications() {
        let stream = "id: a1\ndata: \n\n\
                      event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n\
                      event: message\nid: a2\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}\n\n";
        let r = response_in(stream, Some(&json!(1))).unwrap();
        assert_eq!(r["result"]["tools"], json!([]));
    }

    #[test]
    fn joins_multi_line_data_and_ignores_comments() {
        let stream =
            ": keep-alive\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\r\ndata:\"result\":{}}\r\n\r\n";
        assert_eq!(response_in(stream, Some(&json!(7))).unwrap()["id"], 7);
    }

    #[test]
    fn a_response_to_another_id_is_not_the_answer() {
        let stream = "data: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n\n";
        let err = response_in(stream, Some(&json!(1))).unwrap_err();
        assert!(err.contains("another id (2)"), "{err}");
        assert!(response_in(stream, None).is_ok());
    }

    #[test]
    fn says_what_the_stream_held_instead() {
        let err = response_in("id: x\ndata:\n\n", Some(&json!(1))).unwrap_err();
        assert!(err.contains("priming event"), "{err}");
        let err = response_in("", None).unwrap_err();
        assert!(err.contains("no event"), "{err}");
    }

    #[test]
    fn a_stream_cut_before_the_blank_line_still_counts() {
        let stream = "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602}}";
        assert_eq!(
            response_in(stream, Some(&json!(1))).unwrap()["error"]["code"],
            -32602
        );
    }
}
