//! Recording what a client under test sends to the mocks: every request and the mock's
//! answer, in arrival order across all mocks of one case run. Client cases judge this
//! log, and it is the evidence of their reports.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use axum::Router;

use crate::vocab::{Exchange, HeaderPair};

/// Bodies kept per request or response; a client or mock sending more is cut.
const BODY_LIMIT: usize = 1024 * 1024;

/// The shared log of one case run.
#[derive(Clone, Default)]
pub struct TrafficLog {
    entries: Arc<Mutex<Vec<Exchange>>>,
    /// When the last request arrived: a client stopped at the time limit had gone quiet,
    /// or was still working.
    last_request: Arc<Mutex<Option<Instant>>>,
    /// What a mock remarks about the run beside the exchanges, e.g. that it accepted a
    /// client ID metadata document it could not fetch: the report shows them apart.
    notes: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for TrafficLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TrafficLog({} exchanges)", self.snapshot().len())
    }
}

impl TrafficLog {
    /// Everything recorded so far, in arrival order.
    pub fn snapshot(&self) -> Vec<Exchange> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How long ago the last request arrived; `None` before the first.
    pub fn quiet_for(&self) -> Option<std::time::Duration> {
        self.last_request
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map(|at| at.elapsed())
    }

    fn arrived(&self) {
        *self.last_request.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    /// Records a mock-side remark (one sentence, for the report).
    pub fn note(&self, text: impl Into<String>) {
        let text = text.into();
        let mut notes = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        // The same remark on every request (a client that retries) is said once.
        if !notes.contains(&text) {
            notes.push(text);
        }
    }

    /// The mocks' remarks so far, in the order they were made.
    pub fn notes(&self) -> Vec<String> {
        self.notes.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn push(&self, e: Exchange) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(e);
    }
}

#[derive(Clone)]
struct Recording {
    log: TrafficLog,
    /// `http://127.0.0.1:<port>` of the mock, to make request URLs absolute.
    origin: String,
    /// Which mock answered, e.g. `MCP server`.
    name: &'static str,
}

/// Wraps a mock's router so that every request to it is recorded.
pub fn recorded(router: Router, log: TrafficLog, origin: String, name: &'static str) -> Router {
    router.layer(from_fn_with_state(Recording { log, origin, name }, record))
}

async fn record(State(r): State<Recording>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    r.log.arrived();
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let headers = |map: &axum::http::HeaderMap| -> Vec<HeaderPair> {
        map.iter()
            .map(|(n, v)| HeaderPair::new(n.as_str(), String::from_utf8_lossy(v.as_bytes())))
            .collect()
    };
    let mut exchange = Exchange::request(
        format!("client → {}", r.name),
        parts.method.to_string(),
        format!("{}{}", r.origin, parts.uri),
        headers(&parts.headers),
        (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned()),
    );
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    exchange.status = Some(parts.status.as_u16());
    exchange.response_headers = headers(&parts.headers);
    exchange.response_body =
        (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned());
    exchange.elapsed_ms = started.elapsed().as_millis() as u64;
    r.log.push(exchange);
    Response::from_parts(parts, Body::from(body))
}
