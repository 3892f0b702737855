//! The reference MCP server as an OAuth proxy (MCP Security Best Practices, "Confused
//! Deputy Problem"): it is the authorization server its MCP clients see (its metadata
//! names it, clients register with it dynamically), and it sends their users on to a
//! third-party authorization server under one static client ID, after its own
//! per-client consent. One file per step of the flow.

mod answers;
mod approval;
mod callback;
mod consent_page;
mod registration;
mod signing;
mod state;
mod token;

pub use state::{ProxyState, ProxyUpstream, PROXY_CALLBACK_PATH, PROXY_UPSTREAM_CLIENT_ID};

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::actors::traffic::serves;
use crate::vocab::Endpoint;

/// The proxy's authorization-server routes, at the MCP server's origin.
pub fn router(state: Arc<ProxyState>) -> Router {
    Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            serves(Endpoint::AsMetadata, get(registration::metadata)),
        )
        .route(
            "/register",
            serves(Endpoint::Registration, post(registration::register)),
        )
        .route(
            "/authorize",
            serves(Endpoint::Authorization, get(consent_page::authorize)),
        )
        .route("/consent", post(approval::approve))
        .route(PROXY_CALLBACK_PATH, get(callback::upstream_callback))
        .route("/token", serves(Endpoint::Token, post(token::token)))
        .with_state(state)
}
