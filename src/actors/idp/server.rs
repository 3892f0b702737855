//! Starting the mock IdP on loopback.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use axum::Router;
use tokio::net::TcpListener;

use super::client::{Client, MachineCredential};
use super::config::{IdpConfig, REFERENCE_MACHINE_CLIENT};
use super::state::IdpState;
use super::{
    authorize, introspection, login, metadata, registration, token_endpoint, token_exchange,
};
use crate::actors::browser_shim::browser_log_routes;
use crate::actors::listener::{serve_listener, Listening};
use crate::actors::tokens::{KeySet, Minter};
use crate::actors::traffic::{recorded, recorded_as};
use crate::vocab::IdpKnob;

/// A running mock IdP; dropping it stops it.
pub struct MockIdp {
    pub issuer: String,
    pub jwks_uri: String,
    pub introspection_endpoint: String,
    state: Arc<IdpState>,
    _listening: Listening,
}

impl MockIdp {
    /// The token endpoint's URL, as the metadata names it.
    pub fn token_endpoint(&self) -> String {
        self.state.endpoint("token")
    }

    /// Mints tokens this IdP's published keys verify.
    pub fn minter(&self) -> Minter {
        self.state.minter.clone()
    }

    pub fn state(&self) -> &Arc<IdpState> {
        &self.state
    }

    /// How many registration requests this IdP has received (RFC 7591 §3.1).
    pub fn registration_requests(&self) -> u64 {
        self.state
            .registration_requests
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

pub async fn start_idp(config: IdpConfig) -> std::io::Result<MockIdp> {
    let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
    let origin = format!("http://{}", listener.local_addr()?);
    let issuer = format!("{origin}{}", config.issuer_path.as_deref().unwrap_or(""));
    let state = idp_state(config, origin, issuer.clone());
    let mut routes = router(state.clone());
    if let Some(log) = state.config.traffic.clone() {
        routes = match state.config.recorded_as {
            None => recorded(routes, log, state.origin.clone(), "authorization server"),
            Some(endpoint) => recorded_as(
                routes,
                log,
                state.origin.clone(),
                "new authorization server",
                endpoint,
            ),
        };
    }
    let listening = serve_listener(listener, routes)?;
    Ok(MockIdp {
        jwks_uri: state.endpoint(metadata::JWKS_PATH),
        introspection_endpoint: state.endpoint("introspect"),
        issuer,
        state,
        _listening: listening,
    })
}

/// The state of an IdP with this issuer, for a router served on `origin`: by
/// [`start_idp`], or embedded in another server (the 2025-03-26 profile, where the MCP
/// server is its own authorization server).
pub fn idp_state(mut config: IdpConfig, origin: String, issuer: String) -> Arc<IdpState> {
    // The knob's scope is one more the server knows, listed and granted like the others.
    if config.has_knob(IdpKnob::OfflineAccessScope)
        && !config.scopes_supported.iter().any(|s| s == OFFLINE_ACCESS)
    {
        config.scopes_supported.push(OFFLINE_ACCESS.to_string());
    }
    let keys = KeySet::fixture();
    let mut clients: HashMap<String, Client> = config
        .preregistered
        .iter()
        .map(|c| (c.client_id.clone(), c.clone()))
        .collect();
    // An authorization server implementing the client credentials extension has a client
    // registered for it out of band: the one `AsRunConfig::machine_client` names.
    if config.client_credentials {
        let (id, secret) = REFERENCE_MACHINE_CLIENT;
        let client = Client::machine(id, MachineCredential::Secret(secret.into()));
        clients.insert(id.into(), client);
    }
    Arc::new(IdpState {
        minter: Minter::new(issuer.clone(), keys.clone()),
        config,
        issuer,
        origin,
        keys,
        clients: Mutex::new(clients),
        codes: Mutex::new(HashMap::new()),
        refresh_tokens: Mutex::new(HashMap::new()),
        pending_logins: Mutex::new(HashMap::new()),
        access_tokens_issued: AtomicU64::new(0),
        registration_requests: AtomicU64::new(0),
        failed_documents: Mutex::default(),
        assertion_ids: Mutex::default(),
        dpop_jtis: Mutex::default(),
        dpop_nonce: crate::actors::tokens::random_id(),
    })
}

/// The OpenID Connect Core §11 scope that asks for a refresh token.
pub const OFFLINE_ACCESS: &str = "offline_access";

pub fn router(state: Arc<IdpState>) -> Router {
    metadata::routes(state.clone())
        .merge(introspection::routes(state.clone()))
        .merge(registration::routes(state.clone()))
        .merge(authorize::routes(state.clone()))
        .merge(login::routes(state.clone()))
        .merge(browser_log_routes(
            state.config.issuer_path.as_deref().unwrap_or_default(),
        ))
        .merge(token_exchange::routes(state.clone()))
        .merge(token_endpoint::routes(state))
}
