//! What the proxy remembers: the clients registered with it, the authorization requests
//! waiting for consent, the states it forwarded, the codes it issued.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::actors::tokens::random_id;
use crate::vocab::ServerDefect;

/// Where the proxy's third-party callback is served.
pub const PROXY_CALLBACK_PATH: &str = "/upstream/callback";

/// The proxy's static client ID at the third-party authorization server.
pub const PROXY_UPSTREAM_CLIENT_ID: &str = "mcp-proxy";

/// How long a forwarded `state` stays valid (Best Practices, "OAuth State Parameter
/// Validation": "a short expiration time (e.g., 10 minutes)").
pub(super) const STATE_LIFETIME: Duration = Duration::from_secs(600);

/// The third-party authorization server and the one static client the proxy is there.
#[derive(Debug, Clone)]
pub struct ProxyUpstream {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub client_id: String,
    pub client_secret: String,
}

/// A client registered with the proxy (RFC 7591).
#[derive(Debug, Clone)]
pub(super) struct ProxyClient {
    pub client_name: String,
    pub redirect_uris: Vec<String>,
}

/// A client's authorization request, as the proxy will answer it.
#[derive(Debug, Clone)]
pub(super) struct ClientRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub scope: String,
}

/// An authorization request forwarded upstream under `state`.
#[derive(Debug, Clone)]
pub(super) struct Forwarded {
    pub request: ClientRequest,
    pub upstream_verifier: String,
    pub created: Instant,
}

/// A code the proxy issued to its client, for the upstream's access token.
#[derive(Debug, Clone)]
pub(super) struct IssuedCode {
    pub request: ClientRequest,
    pub access_token: String,
}

pub struct ProxyState {
    pub(super) origin: String,
    /// The MCP resource the upstream tokens must be for.
    pub(super) resource: String,
    pub(super) upstream: ProxyUpstream,
    pub(super) defects: BTreeSet<ServerDefect>,
    /// The key consent cookies are signed with (HMAC-SHA256).
    pub(super) key: Vec<u8>,
    pub(super) clients: Mutex<HashMap<String, ProxyClient>>,
    /// Authorization requests shown a consent page, by the page's transaction id.
    pub(super) pending: Mutex<HashMap<String, ClientRequest>>,
    pub(super) forwarded: Mutex<HashMap<String, Forwarded>>,
    pub(super) codes: Mutex<HashMap<String, IssuedCode>>,
}

impl ProxyState {
    pub fn new(
        origin: String,
        resource: String,
        upstream: ProxyUpstream,
        defects: BTreeSet<ServerDefect>,
    ) -> Self {
        ProxyState {
            origin,
            resource,
            upstream,
            defects,
            key: format!("{}{}", random_id(), random_id()).into_bytes(),
            clients: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            forwarded: Mutex::new(HashMap::new()),
            codes: Mutex::new(HashMap::new()),
        }
    }

    pub(super) fn has(&self, d: ServerDefect) -> bool {
        self.defects.contains(&d)
    }

    pub(super) fn callback_url(&self) -> String {
        format!("{}{PROXY_CALLBACK_PATH}", self.origin)
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
