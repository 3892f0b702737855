//! GET of a JSON document, for the harness's and the mocks' own lookups (metadata,
//! JWKS) that are setup rather than evidence.

use serde_json::Value;

use super::http_client::{HttpClient, HttpRequest};
use crate::vocab::HeaderPair;

/// The document at `url`: 200 and JSON, or why not (without the URL, which the caller
/// names).
pub async fn get_json(client: &dyn HttpClient, url: &str) -> Result<Value, String> {
    let response = client
        .send(HttpRequest {
            method: "GET".into(),
            url: url.to_string(),
            headers: vec![HeaderPair::new("Accept", "application/json")],
            body: None,
        })
        .await
        .map_err(|e| e.message)?;
    if response.status != 200 {
        return Err(format!("HTTP {}", response.status));
    }
    if response.truncated {
        return Err("the body exceeded the size limit".into());
    }
    serde_json::from_slice(&response.body).map_err(|e| format!("not JSON: {e}"))
}
