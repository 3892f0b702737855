//! What the mock IdP remembers: registered clients, issued codes and refresh tokens.
//! Everything lives in memory for the life of one IdP.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use url::Url;

use super::client::Client;
use super::config::IdpConfig;
use crate::actors::tokens::{KeySet, Minter};
use crate::vocab::{IdpDefect, IdpKnob};

/// How long a code may be redeemed, in seconds: RFC 6749 §4.1.2 recommends at most
/// 10 minutes.
pub const CODE_LIFETIME: i64 = 600;

/// An authorization code and what it was issued for (RFC 6749 §4.1.2, RFC 7636 §4.4).
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    /// The redirect URI the code was sent to.
    pub redirect_uri: String,
    /// Whether the authorization request named it; then the token request must repeat
    /// it (RFC 6749 §4.1.3).
    pub redirect_uri_given: bool,
    pub code_challenge: Option<String>,
    /// `S256` or `plain`.
    pub code_challenge_method: Option<String>,
    /// The RFC 8707 `resource` of the authorization request.
    pub resource: Option<String>,
    pub scope: String,
    /// Set once redeemed; a second redemption is refused (RFC 6749 §4.1.2).
    pub redeemed: bool,
    /// When the code was issued (Unix seconds); it expires `CODE_LIFETIME` later.
    pub issued_at: i64,
}

/// A checked authorization request waiting for its code: answered at once, or once the
/// login form is submitted (`Consent::LoginForm`).
#[derive(Debug, Clone)]
pub struct Approval {
    /// What the code will grant; `issued_at` is set when the code is issued.
    pub grant: CodeGrant,
    /// The verified redirect URI, parsed.
    pub target: Url,
    /// The client's `state`, echoed in the response (RFC 6749 §4.1.2).
    pub state: Option<String>,
}

/// An authorization request shown as a login page and not yet submitted.
#[derive(Debug, Clone)]
pub struct PendingLogin {
    pub approval: Approval,
    /// The `idp_session` cookie set with the login page: the form must come back from
    /// the same user agent.
    pub session: String,
    /// The CSRF token of the form (RFC 6749 §10.12).
    pub csrf: String,
}

/// A refresh token and the grant it renews (RFC 6749 §6).
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub resource: Option<String>,
    pub scope: String,
    /// Rotated tokens are kept as revoked (OAuth 2.1 §4.3.1).
    pub revoked: bool,
}

pub struct IdpState {
    pub config: IdpConfig,
    /// The issuer identifier (RFC 8414 §2), e.g. `http://127.0.0.1:4000/tenant1`.
    pub issuer: String,
    /// `http://127.0.0.1:<port>`.
    pub origin: String,
    pub keys: Arc<KeySet>,
    pub minter: Minter,
    pub clients: Mutex<HashMap<String, Client>>,
    pub codes: Mutex<HashMap<String, CodeGrant>>,
    pub refresh_tokens: Mutex<HashMap<String, RefreshGrant>>,
    /// Login pages served and not yet submitted, by the id their form carries.
    pub pending_logins: Mutex<HashMap<String, PendingLogin>>,
    /// Access tokens issued so far (the `FirstTokenExpired` defect reads it).
    pub access_tokens_issued: AtomicU64,
    /// Registration requests received so far, answered or rate-limited.
    pub registration_requests: AtomicU64,
    /// Client ID metadata document URLs whose fetch failed (only the
    /// `cimd-caches-errors` defect keeps them).
    pub failed_documents: Mutex<std::collections::HashSet<String>>,
    /// `client_id` and `jti` of every client assertion accepted (RFC 7523 §3 item 7).
    pub assertion_ids: Mutex<std::collections::HashSet<String>>,
    /// The `jti` of every DPoP proof accepted (RFC 9449 §11.1).
    pub dpop_jtis: Mutex<std::collections::HashSet<String>>,
    /// The nonce the token endpoint provides when it requires one (RFC 9449 §8).
    pub dpop_nonce: String,
}

impl IdpState {
    pub fn has(&self, d: IdpDefect) -> bool {
        self.config.has(d)
    }

    pub fn has_knob(&self, k: IdpKnob) -> bool {
        self.config.has_knob(k)
    }

    /// Records a remark for the report (`TrafficLog::note`), when someone listens.
    pub fn note(&self, text: impl Into<String>) {
        if let Some(log) = self.config.notes.as_ref().or(self.config.traffic.as_ref()) {
            log.note(text);
        }
    }

    /// An endpoint URL below the issuer.
    pub fn endpoint(&self, name: &str) -> String {
        format!("{}{}/{name}", self.issuer, self.endpoint_prefix())
    }

    /// The path the endpoint routes live under: the issuer's path, and `/oauth` below it
    /// for the `endpoints-under-oauth` knob.
    pub fn endpoint_root_path(&self) -> String {
        let path = self.config.issuer_path.clone().unwrap_or_default();
        format!("{path}{}", self.endpoint_prefix())
    }

    fn endpoint_prefix(&self) -> &'static str {
        if self.has_knob(IdpKnob::EndpointsUnderOauth) {
            "/oauth"
        } else {
            ""
        }
    }

    /// Whether this server issues tokens for the RFC 8707 resource. It serves any
    /// resource but those on the `.invalid` top-level domain, which RFC 6761 §6.4
    /// guarantees never to exist: the one resource every server can be sure it does
    /// not serve, so cases use it to ask for a refusal.
    pub fn serves_resource(&self, resource: &Url) -> bool {
        !resource.host_str().is_some_and(|h| {
            let h = h.trim_end_matches('.').to_ascii_lowercase();
            h == "invalid" || h.ends_with(".invalid")
        })
    }
}

/// Locks a store; a poisoned lock (a panicked handler) still yields the data, which is
/// only test bookkeeping.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
