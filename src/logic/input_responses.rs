//! The harness's answers to a 2026-07-28 `InputRequiredResult` (basic/patterns/mrtr,
//! "InputResponses"): one result per key of its `inputRequests`, as a user who agrees
//! to everything would give them, so that the retry can complete. The harness declares
//! the capabilities it answers here (`mcp_messages::INPUT_CAPABILITIES`): elicitation in
//! form and URL mode, sampling and roots.
//!
//! - `elicitation/create`, URL mode: `{action: "accept"}` without content
//!   (client/elicitation "Response Actions");
//! - form mode: `accept` with every property of the requested schema filled: its
//!   default, else the first enum value, else a value of its type within its bounds;
//! - `sampling/createMessage`: an assistant text message (CreateMessageResult);
//! - `roots/list`: no roots (ListRootsResult).

use serde_json::{json, Map, Value};

/// The `inputResponses` for the `inputRequests` of a result, or why there can be none.
pub fn input_responses(result: &Value) -> Result<Value, String> {
    let Some(requests) = result.get("inputRequests") else {
        return Ok(json!({}));
    };
    let requests = requests
        .as_object()
        .ok_or("`inputRequests` is not an object")?;
    let mut out = Map::new();
    for (key, request) in requests {
        let method = request["method"].as_str().unwrap_or_default();
        let params = &request["params"];
        let answer = match method {
            "elicitation/create" if params["mode"] == "url" => json!({"action": "accept"}),
            "elicitation/create" => json!({
                "action": "accept",
                "content": fill_form(&params["requestedSchema"]),
            }),
            "sampling/createMessage" => json!({
                "role": "assistant",
                "content": {"type": "text", "text": "mcp-authspec agrees"},
                "model": "mcp-authspec",
                "stopReason": "endTurn",
            }),
            "roots/list" => json!({"roots": []}),
            other => {
                return Err(format!(
                    "the input request `{key}` is `{other}`, which is none of elicitation/create, sampling/createMessage and roots/list"
                ))
            }
        };
        out.insert(key.clone(), answer);
    }
    Ok(Value::Object(out))
}

/// Every property of a flat form schema (client/elicitation "Requested Schema"), filled.
fn fill_form(schema: &Value) -> Value {
    let mut content = Map::new();
    if let Some(props) = schema["properties"].as_object() {
        for (name, prop) in props {
            content.insert(name.clone(), fill_value(prop));
        }
    }
    Value::Object(content)
}

fn fill_value(prop: &Value) -> Value {
    if let Some(default) = prop.get("default") {
        return default.clone();
    }
    let first_const = |list: &Value| list.as_array()?.first()?.get("const").cloned();
    match prop["type"].as_str().unwrap_or("string") {
        "boolean" => json!(true),
        "number" | "integer" => {
            let low = prop["minimum"].as_f64().unwrap_or(1.0);
            if prop["type"] == "integer" {
                json!(low.ceil() as i64)
            } else {
                json!(low)
            }
        }
        "array" => {
            let items = &prop["items"];
            let first = items["enum"]
                .as_array()
                .and_then(|e| e.first().cloned())
                .or_else(|| first_const(&items["anyOf"]));
            json!(first.into_iter().collect::<Vec<_>>())
        }
        _ => {
            if let Some(first) = prop["enum"].as_array().and_then(|e| e.first()) {
                return first.clone();
            }
            if let Some(c) = first_const(&prop["oneOf"]) {
                return c;
            }
            let text = match prop["format"].as_str() {
                Some("email") => "mcp-authspec@example.com".to_string(),
                Some("uri") => "https://example.com/".to_string(),
                Some("date") => "2026-01-01".to_string(),
                Some("date-time") => "2026-01-01T00:00:00Z".to_string(),
                _ => {
                    let min = prop["minLength"].as_u64().unwrap_or(1) as usize;
                    "y".repeat(min.max(1))
                }
            };
            json!(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_every_kind_the_harness_declares() {
        let result = json!({"inputRequests": {
            "confirm": {"method": "elicitation/create", "params": {"mode": "form", "message": "m",
                "requestedSchema": {"type": "object", "properties": {
                    "ok": {"type": "boolean"},
                    "n": {"type": "integer", "minimum": 3},
                    "color": {"type": "string", "enum": ["red", "blue"]},
                    "mail": {"type": "string", "format": "email"},
                    "named": {"type": "string", "default": "x"}}}}},
            "visit": {"method": "elicitation/create", "params": {"mode": "url", "url": "https://a/", "message": "m"}},
            "ask": {"method": "sampling/createMessage", "params": {"messages": [], "maxTokens": 5}},
            "roots": {"method": "roots/list"}
        }});
        let r = input_responses(&result).unwrap();
        assert_eq!(
            r["confirm"]["content"],
            json!({"ok": true, "n": 3, "color": "red", "mail": "mcp-authspec@example.com", "named": "x"})
        );
        assert_eq!(r["visit"], json!({"action": "accept"}));
        assert_eq!(r["ask"]["role"], "assistant");
        assert_eq!(r["roots"]["roots"], json!([]));
        assert_eq!(
            input_responses(&json!({"requestState": "s"})).unwrap(),
            json!({})
        );
        assert!(
            input_responses(&json!({"inputRequests": {"k": {"method": "tasks/get"}}}))
                .unwrap_err()
                .contains("tasks/get")
        );
    }
}
