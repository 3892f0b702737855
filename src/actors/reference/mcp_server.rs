//! The reference MCP server: streamable HTTP with `initialize`, `server/discover`,
//! `notifications/initialized`, `tools/list` and one tool, protected by bearer tokens.
//! Every request is authenticated on its own (MCP "Token Requirements"); a session id is
//! never a credential.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use serde_json::json;

use super::authentication::authenticate;
use super::deployment::Deployment;
use super::fixture_primitives;
use super::mcp_methods::handle_post;
use super::oauth_proxy;
use super::protected_resource_metadata as prm;
use super::sessions::{known_session, session_of_another_subject};
use crate::actors::idp;
use crate::actors::traffic::serves;
use crate::vocab::{Endpoint, ServerDefect as D};

/// The routes of one MCP server of the deployment; `mcp_endpoint` says which it is: the
/// target (`Mcp`) or the other server a redirect points to (`OtherMcpServer`).
pub(super) fn router(deployment: Arc<Deployment>, mcp_endpoint: Endpoint) -> Router {
    Router::new()
        .route(deployment.mcp_path(), serves(mcp_endpoint, any(mcp)))
        .route(
            prm::PATH_INSERTED,
            serves(Endpoint::Prm, get(prm::path_inserted)),
        )
        .route(prm::ROOT, serves(Endpoint::Prm, get(prm::root)))
        .route(prm::CUSTOM, serves(Endpoint::Prm, get(prm::custom)))
        .with_state(deployment.clone())
        .merge(legacy_routes(&deployment))
        .merge(proxy_routes(&deployment))
}

/// `oauth_proxy`: the proxy's authorization server at the MCP origin.
fn proxy_routes(d: &Arc<Deployment>) -> Router {
    match &d.proxy {
        Some(state) => oauth_proxy::router(state.clone()),
        None => Router::new(),
    }
}

/// 2025-03-26 ("Server Metadata Discovery", "Fallbacks for Servers without Metadata
/// Discovery"): the MCP server is its own authorization server, metadata and default
/// endpoints at its origin.
fn legacy_routes(d: &Arc<Deployment>) -> Router {
    if d.config.has(D::LegacyNoMetadataNoDefaults) || !d.config.serves_legacy_authorization_server()
    {
        return Router::new();
    }
    idp::router(d.legacy_authorization_server.clone())
}

async fn mcp(
    State(d): State<Arc<Deployment>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // DNS-rebinding defence (transports, "Security Warning"): a browser page on another
    // origin must not reach a local server. 403 from 2025-11-25, whose body MAY be a
    // JSON-RPC error without `id`.
    if let Some(origin) = headers.get(header::ORIGIN) {
        if !d.config.has(D::SkipsOriginCheck) && !origin_allowed(origin, &d) {
            let status = if d.config.has(D::OriginRefusedWith400) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::FORBIDDEN
            };
            let err = json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "origin not allowed"}});
            return (status, axum::Json(err)).into_response();
        }
    }
    if d.config.has(D::SessionOpensGetStream)
        && method == Method::GET
        && known_session(&d, &headers)
    {
        return get_stream();
    }
    if let Err(refusal) = authenticate(&d, peer, &method, &uri, &headers, &body).await {
        return refusal.response(&d, &body);
    }
    if let Some(refusal) = session_of_another_subject(&d, &headers) {
        return refusal;
    }
    if let Some(target) = redirect_target(&d, &method, &body) {
        // 307 keeps the method and body (RFC 9110 §15.4.8); the target is another
        // server, which the client must not give this server's token (MCP "Token
        // Handling").
        return (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target)]).into_response();
    }
    match method {
        Method::POST => {
            let fixture = fixture_primitives::result(&d, &headers, &body).await;
            handle_post(&d, &headers, &body, fixture)
        }
        // No server-initiated stream: 405 is the transport's answer for that.
        Method::GET => StatusCode::METHOD_NOT_ALLOWED.into_response(),
        Method::DELETE => StatusCode::NO_CONTENT.into_response(),
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

/// `redirects-to-other-server`: where an authorized `tools/call` is sent instead.
fn redirect_target(d: &Deployment, method: &Method, body: &[u8]) -> Option<String> {
    let target = d.redirect_to.clone()?;
    let request: serde_json::Value = serde_json::from_slice(body).ok()?;
    (method == Method::POST && request["method"] == "tools/call").then_some(target)
}

/// `session-opens-get-stream`: the server-initiated stream of transports "Listening for
/// Messages from the Server", closed after its priming event (a server MAY close it at
/// any time) so that the defect's answer is complete at once.
fn get_stream() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/event-stream")],
        "id: stream-0\ndata: \n\n",
    )
        .into_response()
}

fn origin_allowed(origin: &HeaderValue, d: &Deployment) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    origin == d.origin
        || origin.starts_with("http://localhost:")
        || origin.starts_with("http://127.0.0.1:")
}
