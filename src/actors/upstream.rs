//! The upstream API fixture: an API on loopback that a server under test calls from a tool
//! (`[tools] upstream` in `server --config`), so that a case can see what the server sends
//! upstream, above all whether the client's access token arrives there (MCP 2025-06-18
//! "Access Token Privilege Restriction", Security Best Practices "Token Passthrough").
//!
//! Every request below [`API_PATH`] (any method, any sub-path) is answered with a small JSON
//! body and recorded whole: method, path, query, every header (Authorization included) and
//! the body as text. [`LOG_PATH`] lists the records as JSON, `?after=N` for those after the
//! first N, so that a case can read what one tool call caused. The list is the harness's
//! evidence channel, never served to the target as data.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::listener::{bind_loopback, serve_listener, Listening};

/// Where the upstream API is served: `{upstream}` is `<origin>/upstream`.
pub const API_PATH: &str = "/upstream";
/// Where the harness reads what the API received.
pub const LOG_PATH: &str = "/.mcp-authspec/received";
/// The most body text kept per request.
const BODY_CAP: usize = 64 * 1024;
/// The most requests kept: a tool that loops cannot exhaust memory.
const RECORD_CAP: usize = 1000;

/// A running upstream API; dropping it stops it.
pub struct UpstreamApi {
    /// The URL handed to the server under test (`{upstream}`, `MCP_AUTHSPEC_UPSTREAM`).
    pub url: String,
    /// The URL of the received-requests list (`{upstream_log}`).
    pub log_url: String,
    records: Records,
    _listening: Listening,
}

type Records = Arc<Mutex<Vec<Value>>>;

impl UpstreamApi {
    /// What the API has received so far, in order.
    pub fn received(&self) -> Vec<Value> {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Starts the upstream API on `127.0.0.1`, an ephemeral port.
pub async fn start_upstream() -> std::io::Result<UpstreamApi> {
    let listener = bind_loopback().await?;
    let records: Records = Arc::default();
    let router = Router::new()
        .route(LOG_PATH, get(list))
        .route(API_PATH, axum::routing::any(answer))
        .route(&format!("{API_PATH}/{{*rest}}"), axum::routing::any(answer))
        .with_state(records.clone());
    let listening = serve_listener(listener, router)?;
    let origin = listening.base_url();
    Ok(UpstreamApi {
        url: format!("{origin}{API_PATH}"),
        log_url: format!("{origin}{LOG_PATH}"),
        records,
        _listening: listening,
    })
}

async fn answer(
    State(records): State<Records>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let headers: Vec<Value> = headers
        .iter()
        .map(|(n, v)| json!({"name": n.as_str(), "value": String::from_utf8_lossy(v.as_bytes())}))
        .collect();
    let body = String::from_utf8_lossy(&body[..body.len().min(BODY_CAP)]).into_owned();
    let record = json!({
        "method": method.as_str(),
        "path": uri.path(),
        "query": uri.query().unwrap_or_default(),
        "headers": headers,
        "body": body,
    });
    let mut records = records.lock().unwrap_or_else(|e| e.into_inner());
    if records.len() < RECORD_CAP {
        records.push(record);
    }
    Json(json!({"upstream": "mcp-authspec", "items": [{"id": 1, "name": "upstream item"}]}))
}

#[derive(serde::Deserialize)]
struct After {
    #[serde(default)]
    after: usize,
}

/// `{count, requests}`: how many requests the API received in all, and those after the
/// first `after`.
async fn list(State(records): State<Records>, Query(q): Query<After>) -> impl IntoResponse {
    let records = records.lock().unwrap_or_else(|e| e.into_inner());
    let later: Vec<Value> = records.iter().skip(q.after).cloned().collect();
    Json(json!({"count": records.len(), "requests": later}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_every_request_and_lists_the_later_ones() {
        let api = start_upstream().await.unwrap();
        let http = reqwest::Client::new();
        http.get(format!("{}/items?q=1", api.url))
            .header("Authorization", "Bearer upstream-secret")
            .send()
            .await
            .unwrap();
        http.post(&api.url).body("payload").send().await.unwrap();
        let read = |url: String| {
            let http = http.clone();
            async move {
                let text = http.get(url).send().await.unwrap().text().await.unwrap();
                serde_json::from_str::<Value>(&text).unwrap()
            }
        };
        let all = read(api.log_url.clone()).await;
        assert_eq!(all["count"], 2);
        assert_eq!(all["requests"][0]["path"], "/upstream/items");
        assert_eq!(all["requests"][0]["query"], "q=1");
        assert!(all["requests"][0]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["value"] == "Bearer upstream-secret"));
        let later = read(format!("{}?after=1", api.log_url)).await;
        assert_eq!(later["requests"].as_array().unwrap().len(), 1);
        assert_eq!(later["requests"][0]["body"], "payload");
        assert_eq!(api.received().len(), 2);
    }
}
