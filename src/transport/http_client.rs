//! The injectable HTTP client. Redirects are never followed (a redirect is an answer to
//! judge), bodies are capped and every request is time-limited, so a hostile target can
//! neither hang a run nor exhaust memory.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::connection_policy::ConnectionPolicy;
use super::target_cap::TargetCap;
use crate::logic::answer::Answer;
use crate::logic::event_stream::holds_elicitation_request;
use crate::vocab::HeaderPair;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<HeaderPair>,
    pub body: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<HeaderPair>,
    pub body: Vec<u8>,
    /// The body was longer than the limit; `body` holds its first part.
    pub truncated: bool,
    pub elapsed: Duration,
}

impl HttpResponse {
    /// The answer this response gives to the queries, as the response to `url`.
    pub fn into_answer(self, url: String) -> Answer {
        Answer {
            url,
            status: Some(self.status),
            headers: self.headers,
            body: self.body,
            truncated: self.truncated,
            failure: None,
            rpc_id: None,
            sent_bearer: None,
        }
    }
}

/// Why a request got no (complete) answer. The kind decides who is to blame: a target
/// that cannot be reached or never answers is an environment error; a target that
/// answers with something that is not HTTP is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// Connection refused, DNS failure, unreachable host.
    Connect,
    /// No complete answer within the request timeout.
    Timeout,
    /// The peer answered, but not with valid HTTP (garbage, reset mid-response, …).
    Protocol,
    /// The request itself could not be built (bad URL, …): a harness or case problem.
    InvalidRequest,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub message: String,
    pub elapsed: Duration,
}

/// The client interface; tests and embedders may inject their own.
pub trait HttpClient: Send + Sync {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

#[derive(Debug, Clone, Copy)]
pub struct TransportLimits {
    pub connect_timeout: Duration,
    /// Covers the whole exchange, body included.
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
    /// Fresh or kept-alive connections (`--connections`).
    pub connections: ConnectionPolicy,
}

impl Default for TransportLimits {
    fn default() -> Self {
        TransportLimits {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            connections: ConnectionPolicy::Auto,
        }
    }
}

/// reqwest with rustls, no redirects, no proxy from the environment (tests send traffic
/// only where the user pointed them), no compression.
pub struct ReqwestClient {
    /// Keeps no idle connection: every request opens its own.
    fresh: reqwest::Client,
    /// Keeps idle connections per host; built at the first request that may reuse one
    /// (building a client loads the TLS roots, which most runs never need twice).
    pooled: OnceLock<reqwest::Client>,
    limits: TransportLimits,
    /// The cap on requests in flight to the target, when this client talks to one.
    cap: Option<TargetCap>,
}

impl ReqwestClient {
    /// A client that sends to any origin without a cap: the suite's own in-process
    /// mocks, and clients that talk to one peer at a time.
    pub fn new(limits: TransportLimits) -> Result<Self, TransportError> {
        // A fresh connection for every request also means no request races a server
        // closing an idle keep-alive connection (RFC 9112 §9.6), which would end with no
        // answer, judged as the server's.
        let fresh = build(limits, reqwest::Client::builder().pool_max_idle_per_host(0))?;
        Ok(ReqwestClient {
            fresh,
            pooled: OnceLock::new(),
            limits,
            cap: None,
        })
    }

    /// The same client with at most [`IN_FLIGHT_PER_TARGET`] requests in flight to
    /// `target`'s origin (`target_cap`); requests elsewhere are not held back.
    ///
    /// [`IN_FLIGHT_PER_TARGET`]: super::IN_FLIGHT_PER_TARGET
    pub fn capped_at(self, target: &url::Url) -> Self {
        ReqwestClient {
            cap: Some(TargetCap::new(target)),
            ..self
        }
    }

    /// The reqwest client whose connection policy fits `url`.
    fn client_for(&self, url: &reqwest::Url) -> Result<&reqwest::Client, TransportError> {
        if !self.limits.connections.reuses_connection_to(url) {
            return Ok(&self.fresh);
        }
        if let Some(pooled) = self.pooled.get() {
            return Ok(pooled);
        }
        // Two requests may build one each; one is kept, the other dropped unused.
        let built = build(self.limits, reqwest::Client::builder())?;
        Ok(self.pooled.get_or_init(|| built))
    }

    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let invalid = |message: String| TransportError {
            kind: TransportErrorKind::InvalidRequest,
            message,
            elapsed: Duration::ZERO,
        };
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| invalid(format!("bad method `{}`: {e}", request.method)))?;
        let url = reqwest::Url::parse(&request.url)
            .map_err(|e| invalid(format!("bad URL `{}`: {e}", request.url)))?;
        // The slot is held until the answer is read: the connection is busy until then.
        let _slot = match &self.cap {
            Some(cap) => cap.enter(&url).await,
            None => None,
        };
        // Waiting for a slot is the harness's doing, not the target's: the exchange's
        // time starts when it goes out.
        let start = Instant::now();
        let fail = |kind, message: String| TransportError {
            kind,
            message,
            elapsed: start.elapsed(),
        };
        let mut builder = self.client_for(&url)?.request(method, url);
        for h in &request.headers {
            builder = builder.header(&h.name, &h.value);
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| fail(classify(&e), describe(&e)))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| HeaderPair::new(n.as_str(), String::from_utf8_lossy(v.as_bytes())))
            .collect();
        let stream = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/event-stream"));
        let mut body = Vec::new();
        let mut truncated = false;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = self.limits.max_body_bytes - body.len();
                    if chunk.len() > room {
                        body.extend_from_slice(&chunk[..room]);
                        truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                    // A server waiting for the user's answer to an elicitation keeps the
                    // stream open; what it asked is the answer to judge.
                    if stream && holds_elicitation_request(&String::from_utf8_lossy(&body)) {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(fail(
                        classify(&e),
                        format!("while reading the body: {}", describe(&e)),
                    ))
                }
            }
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
            truncated,
            elapsed: start.elapsed(),
        })
    }
}

impl HttpClient for ReqwestClient {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.execute(request))
    }
}

/// Redirects never followed, no proxy, the limits' timeouts, our user agent.
fn build(
    limits: TransportLimits,
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::Client, TransportError> {
    builder
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(limits.connect_timeout)
        .timeout(limits.request_timeout)
        .user_agent(concat!("mcp-authspec/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| TransportError {
            kind: TransportErrorKind::InvalidRequest,
            message: format!("cannot build the HTTP client: {e}"),
            elapsed: Duration::ZERO,
        })
}

fn classify(e: &reqwest::Error) -> TransportErrorKind {
    if e.is_timeout() {
        TransportErrorKind::Timeout
    } else if e.is_connect() {
        TransportErrorKind::Connect
    } else if e.is_builder() {
        TransportErrorKind::InvalidRequest
    } else {
        TransportErrorKind::Protocol
    }
}

/// reqwest's top-level message is generic ("error sending request"); the cause chain
/// says what happened.
fn describe(e: &reqwest::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// A keep-alive HTTP/1.1 server on loopback that counts the connections it accepts.
    async fn counting_server() -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = socket.read(&mut buf).await {
                        if n == 0 {
                            return;
                        }
                        seen.extend_from_slice(&buf[..n]);
                        // One answer per complete request head (GETs carry no body).
                        while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                            seen.drain(..end + 4);
                            let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                            if socket.write_all(answer).await.is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        (url, accepted)
    }

    async fn connections_for_three_gets(connections: ConnectionPolicy) -> usize {
        let (url, accepted) = counting_server().await;
        let client = ReqwestClient::new(TransportLimits {
            connections,
            ..TransportLimits::default()
        })
        .unwrap();
        for _ in 0..3 {
            let answer = client
                .send(HttpRequest {
                    method: "GET".into(),
                    url: url.clone(),
                    headers: Vec::new(),
                    body: None,
                })
                .await
                .unwrap();
            assert_eq!(answer.body, b"ok");
        }
        accepted.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn loopback_gets_a_fresh_connection_per_request_unless_reuse_is_asked() {
        assert_eq!(connections_for_three_gets(ConnectionPolicy::Auto).await, 3);
        assert_eq!(connections_for_three_gets(ConnectionPolicy::Fresh).await, 3);
        // A connection goes back to the pool once its answer is read; allow the pool
        // that moment, but three requests must not need three connections.
        assert!(connections_for_three_gets(ConnectionPolicy::Reuse).await < 3);
    }
}
