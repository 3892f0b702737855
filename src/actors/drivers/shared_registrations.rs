//! One registration per distinct client, per run. Authorization servers rate-limit
//! dynamic client registration (the TypeScript SDK allows 20 per hour and client
//! address), and most cases only need *a* client of a given shape, so a registration
//! request identical to one already sent in this run (same endpoint, same JSON metadata)
//! is not sent again: the case gets the earlier answer, marked as shared in its
//! evidence. A case that needs a client of its own makes its metadata unique (a
//! `client_name` with `{state}` in it, say).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::OnceCell;

use crate::transport::{BoxFuture, HttpClient, HttpRequest, HttpResponse, TransportError};
use crate::vocab::HeaderPair;

/// The header that marks a shared answer in a case's evidence.
pub const SHARED_MARK: &str = "X-Mcp-Authspec-Shared";

type Outcome = Result<HttpResponse, TransportError>;

/// An [`HttpClient`] that sends each distinct registration request once.
pub struct SharedRegistrations {
    inner: Arc<dyn HttpClient>,
    endpoint: String,
    answers: Mutex<HashMap<String, Arc<OnceCell<Outcome>>>>,
}

impl SharedRegistrations {
    /// Shares the registrations sent to `endpoint` (RFC 7591 §3); everything else goes
    /// to `inner` unchanged.
    pub fn new(inner: Arc<dyn HttpClient>, endpoint: String) -> Self {
        SharedRegistrations {
            inner,
            endpoint,
            answers: Mutex::new(HashMap::new()),
        }
    }

    /// The key of a registration request: its metadata as canonical JSON (object keys
    /// sorted), so that key order does not make two equal requests differ.
    fn key(&self, request: &HttpRequest) -> Option<String> {
        if request.method != "POST" || request.url != self.endpoint {
            return None;
        }
        let body = request.body.as_deref()?;
        let doc: Value = serde_json::from_slice(body).ok()?;
        Some(canonical(&doc))
    }

    async fn send_shared(&self, key: String, request: HttpRequest) -> Outcome {
        let cell = {
            let mut answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
            answers.entry(key).or_default().clone()
        };
        let mut first = false;
        let inner = &self.inner;
        let outcome = cell
            .get_or_init(|| {
                first = true;
                inner.send(request)
            })
            .await
            .clone();
        if first {
            return outcome;
        }
        outcome.map(|mut response| {
            response.headers.push(HeaderPair::new(
                SHARED_MARK,
                "the answer to an identical registration sent earlier in this run \
                 (registrations are sent once per run: servers rate-limit them)",
            ));
            response.elapsed = Duration::ZERO;
            response
        })
    }
}

impl HttpClient for SharedRegistrations {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Outcome> {
        match self.key(&request) {
            Some(key) => Box::pin(self.send_shared(key, request)),
            None => self.inner.send(request),
        }
    }
}

/// JSON with object keys sorted at every level.
fn canonical(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting(AtomicUsize);

    impl HttpClient for Counting {
        fn send(&self, _: HttpRequest) -> BoxFuture<'_, Outcome> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                Ok(HttpResponse {
                    status: 201,
                    headers: Vec::new(),
                    body: format!("{{\"client_id\":\"c{n}\"}}").into_bytes(),
                    truncated: false,
                    elapsed: Duration::from_millis(5),
                })
            })
        }
    }

    fn post(url: &str, body: &str) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: url.into(),
            headers: Vec::new(),
            body: Some(body.as_bytes().to_vec()),
        }
    }

    #[tokio::test]
    async fn equal_metadata_is_registered_once_and_marked_when_shared() {
        let inner = Arc::new(Counting(AtomicUsize::new(0)));
        let shared = SharedRegistrations::new(inner.clone(), "http://as/register".into());
        let a = shared
            .send(post("http://as/register", r#"{"a":1,"b":[1,2]}"#))
            .await
            .unwrap();
        let b = shared
            .send(post("http://as/register", r#"{"b":[1,2],"a":1}"#))
            .await
            .unwrap();
        assert_eq!(a.body, b.body);
        assert!(!a.headers.iter().any(|h| h.name == SHARED_MARK));
        assert!(b.headers.iter().any(|h| h.name == SHARED_MARK));
        shared
            .send(post("http://as/register", r#"{"a":2}"#))
            .await
            .unwrap();
        shared.send(post("http://as/token", "x=1")).await.unwrap();
        shared.send(post("http://as/token", "x=1")).await.unwrap();
        // Two distinct registrations, and both token requests.
        assert_eq!(inner.0.load(Ordering::SeqCst), 4);
    }
}
