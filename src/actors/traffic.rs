//! Recording what a client under test sends to the mocks: every request and the mock's
//! answer, in arrival order across all mocks of one case run. Client cases judge this
//! log, and it is the evidence of their reports.
//!
//! Each route of a mock says which endpoint it is ([`serves`], where the route is
//! declared); the recorder copies that tag into the exchange, so the judge selects
//! requests by what served them, never by the shape of a URL.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{to_bytes, Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn_with_state, map_response, Next};
use axum::response::Response;
use axum::routing::MethodRouter;
use axum::Router;

use crate::vocab::{Endpoint, Exchange, HeaderPair};

/// Bodies kept per request or response in the log. A request body over it is not passed
/// on: the mock answers 413 (RFC 9110 §15.5.14) as a server with a body limit does, and
/// the log keeps the first `BODY_LIMIT` bytes with a note. A mock's own answer is passed
/// on whole and cut in the log, flagged `response_truncated`, as the transport's recorder
/// does.
const BODY_LIMIT: usize = 1024 * 1024;

/// The most exchanges one case run records. No client's authorization flow needs a
/// tenth of it (discovery, registration, authorization, token, a few MCP calls, retries);
/// past it the client is flooding the mocks, and the log stops growing so that memory
/// stays bounded whatever the client does.
pub const MAX_EXCHANGES: usize = 500;

/// The most bytes (bodies and header values, both directions) one case run records:
/// a few requests at the body limit fit, a stream of them does not.
pub const MAX_RECORDED_BYTES: usize = 4 * 1024 * 1024;

/// The shared log of one case run.
#[derive(Clone)]
pub struct TrafficLog {
    entries: Arc<Mutex<Vec<Exchange>>>,
    /// What the log spent of its budget, and what it no longer kept.
    spent: Arc<Mutex<Spent>>,
    /// Set once the budget is exceeded: the driver stops the client then.
    exceeded: Arc<tokio::sync::watch::Sender<bool>>,
    /// When the last request arrived: a client stopped at the time limit had gone quiet,
    /// or was still working.
    last_request: Arc<Mutex<Option<Instant>>>,
    /// What a mock remarks about the run beside the exchanges, e.g. that it accepted a
    /// client ID metadata document it could not fetch: the report shows them apart.
    notes: Arc<Mutex<Vec<String>>>,
}

#[derive(Default)]
struct Spent {
    bytes: usize,
    /// Exchanges that arrived past the budget and were not kept.
    dropped: usize,
    /// How many were kept when the first one was not.
    kept_then: usize,
}

impl Default for TrafficLog {
    fn default() -> Self {
        TrafficLog {
            entries: Arc::default(),
            spent: Arc::default(),
            exceeded: Arc::new(tokio::sync::watch::channel(false).0),
            last_request: Arc::default(),
            notes: Arc::default(),
        }
    }
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

    /// Everything recorded so far, moved out of the log: for the end of a run, when the
    /// log's exchanges become the case's evidence (a late request is then recorded
    /// alone).
    pub fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.entries.lock().unwrap_or_else(|e| e.into_inner()))
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

    /// Records a request a mock itself sent to the client (the authorization server
    /// fetching the client's client ID metadata document), tagged `endpoint`: what the
    /// client served is part of its run.
    pub fn record_fetch(&self, mut e: Exchange, endpoint: Endpoint) {
        e.endpoint = Some(endpoint);
        self.push(e);
    }

    /// Keeps `e` while the budget lasts; past it, counts it and says the budget is
    /// exceeded.
    fn push(&self, e: Exchange) {
        let size = recorded_size(&e);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let mut spent = self.spent.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_EXCHANGES || spent.bytes + size > MAX_RECORDED_BYTES {
            if spent.dropped == 0 {
                spent.kept_then = entries.len();
            }
            spent.dropped += 1;
            self.exceeded.send_replace(true);
            return;
        }
        spent.bytes += size;
        entries.push(e);
    }

    /// Why the log stopped recording, once it did: the client sent more than the case
    /// run may record.
    pub fn over_budget(&self) -> Option<String> {
        let spent = self.spent.lock().unwrap_or_else(|e| e.into_inner());
        let kept = spent.kept_then;
        (spent.dropped > 0).then(|| {
            if kept >= MAX_EXCHANGES {
                format!("the client sent more than {MAX_EXCHANGES} requests in this case")
            } else {
                format!(
                    "the client's requests and the mocks' answers in this case passed {} MiB \
                     after {kept} exchanges",
                    MAX_RECORDED_BYTES / (1024 * 1024)
                )
            }
        })
    }

    /// Resolves once the budget is exceeded (at once if it already is); never otherwise.
    pub async fn exceeded(&self) {
        let mut seen = self.exceeded.subscribe();
        // The sender lives as long as this log, so `wait_for` only returns on `true`.
        let _ = seen.wait_for(|over| *over).await;
    }
}

/// What an exchange costs the budget: its bodies and header values.
fn recorded_size(e: &Exchange) -> usize {
    let headers: usize = e
        .request_headers
        .iter()
        .chain(&e.response_headers)
        .map(|h| h.name.len() + h.value.len())
        .sum();
    headers
        + e.url.len()
        + e.request_body.as_ref().map_or(0, String::len)
        + e.response_body.as_ref().map_or(0, String::len)
}

#[derive(Clone)]
struct Recording {
    log: TrafficLog,
    /// `http://127.0.0.1:<port>` of the mock, to make request URLs absolute.
    origin: String,
    /// Which mock answered, e.g. `MCP server`.
    name: &'static str,
    /// The tag of every exchange, when set (`recorded_as`).
    retag: Option<Endpoint>,
}

/// The tag a route puts on its answers for the recorder: a response extension, never
/// sent over the wire.
#[derive(Clone, Copy)]
struct Served(Endpoint);

/// `route`, tagged as serving `endpoint`: every answer of it, including the 405 to a
/// method it does not take, is recorded as sent to that endpoint.
pub fn serves<S>(endpoint: Endpoint, route: MethodRouter<S>) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    route.layer(map_response(move |mut response: Response| async move {
        response.extensions_mut().insert(Served(endpoint));
        response
    }))
}

/// What a request no route served (a 404) asked for, by the URL conventions a client
/// probes without being told: the well-known metadata URIs (RFC 9728 §3.1, RFC 8414
/// §3.1, OpenID Connect Discovery §4), at any origin and under any path, and the
/// default endpoints of 2025-03-26 ("Fallbacks for Servers without Metadata
/// Discovery"), also below a path. A client's probe that found nothing is still a
/// request to that kind of endpoint: a case about the probe order counts it.
fn asked_for(path: &str) -> Option<Endpoint> {
    if path.contains("/.well-known/oauth-protected-resource") {
        Some(Endpoint::Prm)
    } else if path.contains("/.well-known/oauth-authorization-server")
        || path.contains("/.well-known/openid-configuration")
    {
        Some(Endpoint::AsMetadata)
    } else if path.ends_with("/authorize") {
        Some(Endpoint::Authorization)
    } else if path.ends_with("/token") {
        Some(Endpoint::Token)
    } else if path.ends_with("/register") {
        Some(Endpoint::Registration)
    } else {
        None
    }
}

/// Wraps a mock's router so that every request to it is recorded.
pub fn recorded(router: Router, log: TrafficLog, origin: String, name: &'static str) -> Router {
    let recording = Recording {
        log,
        origin,
        name,
        retag: None,
    };
    router.layer(from_fn_with_state(recording, record))
}

/// `recorded`, with every exchange tagged `endpoint` whatever route served it: a second
/// mock of the same kind whose requests cases must tell apart from the first's.
pub fn recorded_as(
    router: Router,
    log: TrafficLog,
    origin: String,
    name: &'static str,
    endpoint: Endpoint,
) -> Router {
    let recording = Recording {
        log,
        origin,
        name,
        retag: Some(endpoint),
    };
    router.layer(from_fn_with_state(recording, record))
}

async fn record(State(r): State<Recording>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    r.log.arrived();
    let (parts, body) = request.into_parts();
    let (body, too_long) = read_capped(body, BODY_LIMIT).await;
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
    let path = parts.uri.path().to_string();
    if too_long {
        r.log.note(format!(
            "a request to {path} had a body over {BODY_LIMIT} bytes: the mock answered 413 \
             without reading the rest, and the log keeps the first {BODY_LIMIT}"
        ));
        exchange.endpoint = r.retag.or_else(|| asked_for(&path));
        exchange.status = Some(StatusCode::PAYLOAD_TOO_LARGE.as_u16());
        exchange.elapsed_ms = started.elapsed().as_millis() as u64;
        r.log.push(exchange);
        return Response::builder()
            .status(StatusCode::PAYLOAD_TOO_LARGE)
            .body(Body::empty())
            .unwrap_or_default();
    }
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (parts, body) = response.into_parts();
    exchange.endpoint = r
        .retag
        .or(parts.extensions.get::<Served>().map(|Served(e)| *e))
        .or_else(|| asked_for(&path));
    // The mock's own answer, whole: its size is the mock's choice.
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let kept = &body[..body.len().min(BODY_LIMIT)];
    exchange.status = Some(parts.status.as_u16());
    exchange.response_headers = headers(&parts.headers);
    exchange.response_body = (!kept.is_empty()).then(|| String::from_utf8_lossy(kept).into_owned());
    exchange.response_truncated = kept.len() < body.len();
    exchange.elapsed_ms = started.elapsed().as_millis() as u64;
    r.log.push(exchange);
    Response::from_parts(parts, Body::from(body))
}

/// The body's first `limit` bytes, and whether it had more (reading stops there). A body
/// that broke off is what arrived of it.
async fn read_capped(mut body: Body, limit: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    while let Some(Ok(frame)) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        if let Ok(data) = frame.into_data() {
            kept.extend_from_slice(&data);
            if kept.len() > limit {
                kept.truncate(limit);
                return (kept, true);
            }
        }
    }
    (kept, false)
}

#[cfg(test)]
mod tests {
    use axum::routing::{get, post};

    use super::*;
    use crate::actors::listener::serve_listener;

    #[tokio::test]
    async fn routes_tag_what_they_served_and_probes_what_they_asked_for() {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let log = TrafficLog::default();
        let routes = Router::new()
            .route("/t", serves(Endpoint::Token, post(|| async { "{}" })))
            .route("/m", get(|| async { "untagged" }));
        let routes = recorded(routes, log.clone(), origin.clone(), "mock");
        let _listening = serve_listener(listener, routes).unwrap();
        let http = reqwest::Client::new();
        for (method, path) in [
            ("POST", "/t"),
            // The route's 405 is its answer too.
            ("GET", "/t"),
            ("GET", "/m"),
            ("GET", "/.well-known/oauth-protected-resource/mcp"),
            ("GET", "/.well-known/openid-configuration"),
            ("GET", "/elsewhere"),
        ] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            http.request(method, format!("{origin}{path}"))
                .send()
                .await
                .unwrap();
        }
        let tags: Vec<_> = log.snapshot().iter().map(|e| e.endpoint).collect();
        assert_eq!(
            tags,
            [
                Some(Endpoint::Token),
                Some(Endpoint::Token),
                None,
                Some(Endpoint::Prm),
                Some(Endpoint::AsMetadata),
                None
            ]
        );
    }

    #[tokio::test]
    async fn the_log_stops_at_its_budget_and_says_so() {
        let log = TrafficLog::default();
        let exchange =
            || Exchange::request("client", "POST", "http://127.0.0.1:1/mcp", vec![], None);
        for _ in 0..MAX_EXCHANGES {
            log.record_fetch(exchange(), Endpoint::Mcp);
        }
        assert_eq!(log.over_budget(), None);
        for _ in 0..3 {
            log.record_fetch(exchange(), Endpoint::Mcp);
        }
        assert_eq!(log.snapshot().len(), MAX_EXCHANGES);
        let why = log.over_budget().expect("over budget");
        assert_eq!(why, "the client sent more than 500 requests in this case");
        // Resolves at once, since the budget is already spent.
        log.exceeded().await;

        let bytes = TrafficLog::default();
        let big = || {
            let body = Some("x".repeat(BODY_LIMIT));
            Exchange::request("client", "POST", "http://127.0.0.1:1/mcp", vec![], body)
        };
        for _ in 0..9 {
            bytes.record_fetch(big(), Endpoint::Mcp);
        }
        assert_eq!(bytes.snapshot().len(), MAX_RECORDED_BYTES / BODY_LIMIT - 1);
        let why = bytes.over_budget().expect("over budget");
        assert!(why.contains("passed 4 MiB after 3 exchanges"), "{why}");
    }

    #[tokio::test]
    async fn over_long_bodies_are_cut_in_the_log_and_flagged() {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let log = TrafficLog::default();
        let big = "x".repeat(BODY_LIMIT + 10);
        let answer = big.clone();
        let routes = Router::new()
            .route("/big", get(move || async move { answer }))
            .route(
                "/echo",
                post(|body: String| async move { body.len().to_string() }),
            );
        let routes = recorded(routes, log.clone(), origin.clone(), "mock");
        let _listening = serve_listener(listener, routes).unwrap();
        let http = reqwest::Client::new();
        // The mock's answer reaches the client whole.
        let got = http.get(format!("{origin}/big")).send().await.unwrap();
        assert_eq!(got.text().await.unwrap().len(), big.len());
        // A request body over the limit is refused, not passed on cut or empty.
        let refused = http
            .post(format!("{origin}/echo"))
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 413);
        let small = http
            .post(format!("{origin}/echo"))
            .body("abc")
            .send()
            .await
            .unwrap();
        assert_eq!(small.text().await.unwrap(), "3");
        let log_entries = log.snapshot();
        assert_eq!(
            log_entries[0].response_body.as_ref().unwrap().len(),
            BODY_LIMIT
        );
        assert!(log_entries[0].response_truncated);
        assert_eq!(log_entries[1].status, Some(413));
        assert_eq!(
            log_entries[1].request_body.as_ref().unwrap().len(),
            BODY_LIMIT
        );
        assert!(!log_entries[2].response_truncated);
        assert_eq!(log.notes().len(), 1, "{:?}", log.notes());
    }
}
