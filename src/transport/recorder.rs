//! Records every exchange of one case, in order, including the ones that failed.

use std::sync::{Arc, Mutex};

use super::http_client::{HttpClient, HttpRequest, HttpResponse, TransportError};
use crate::vocab::Exchange;

/// Wraps the shared client for one case. The log is behind an `Arc` so that the engine can
/// still read what was recorded when the case is cut off at its time limit.
#[derive(Clone)]
pub struct Recorder {
    client: Arc<dyn HttpClient>,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl Recorder {
    pub fn new(client: Arc<dyn HttpClient>) -> Self {
        Recorder {
            client,
            log: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub async fn send(
        &self,
        step: &str,
        request: HttpRequest,
    ) -> Result<HttpResponse, TransportError> {
        let mut exchange = Exchange::request(
            step,
            request.method.clone(),
            request.url.clone(),
            request.headers.clone(),
            request
                .body
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned()),
        );
        // Record the request before sending, so that a case cut off at its time limit
        // still shows what it was waiting for.
        let index = self.push(exchange.clone());
        let result = self.client.send(request).await;
        match &result {
            Ok(r) => {
                exchange.status = Some(r.status);
                exchange.response_headers = r.headers.clone();
                exchange.response_body = Some(String::from_utf8_lossy(&r.body).into_owned());
                exchange.response_truncated = r.truncated;
                exchange.elapsed_ms = r.elapsed.as_millis() as u64;
            }
            Err(e) => {
                exchange.transport_error = Some(e.message.clone());
                exchange.elapsed_ms = e.elapsed.as_millis() as u64;
            }
        }
        self.replace(index, exchange);
        result
    }

    /// Records evidence that did not come over HTTP (what an external consent program
    /// printed, say), in the same log.
    pub fn note(&self, exchange: Exchange) {
        self.push(exchange);
    }

    /// Everything recorded so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        // A poisoned lock still holds the evidence recorded before the panic.
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn push(&self, e: Exchange) -> usize {
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.push(e);
        log.len() - 1
    }

    fn replace(&self, index: usize, e: Exchange) {
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = log.get_mut(index) {
            *slot = e;
        }
    }
}
