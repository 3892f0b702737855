//! What the harness serves as the client of an authorization-server run: the loopback
//! redirect URI (RFC 8252 §7.3), where a browser driven by a consent command lands, and
//! a protected MCP endpoint whose URL is the resource the run requests, and the client
//! ID metadata documents the CIMD cases name as client_id (`cimd_documents.rs`).

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::Router;

use super::cimd_documents;

use super::listener::{bind_loopback, serve_listener, Listening};

/// A running loopback client; dropping it stops it.
pub struct LoopbackClient {
    /// `http://127.0.0.1:<port>/callback`.
    pub redirect_uri: String,
    /// `http://127.0.0.1:<port>/mcp`.
    pub resource: String,
    /// `http://127.0.0.1:<port>/cimd`: client ID metadata documents below it.
    pub cimd_base: String,
    _listening: Listening,
}

pub async fn start_loopback_client() -> std::io::Result<LoopbackClient> {
    let listener = bind_loopback().await?;
    let base = format!("http://{}", listener.local_addr()?);
    let redirect_uri = format!("{base}/callback");
    let cimd_base = format!("{base}/cimd");
    let router = Router::new()
        .route("/callback", get(callback))
        .route("/mcp", any(protected))
        .merge(cimd_documents::routes(&cimd_base, &redirect_uri));
    Ok(LoopbackClient {
        redirect_uri,
        resource: format!("{base}/mcp"),
        cimd_base,
        _listening: serve_listener(listener, router)?,
    })
}

async fn callback() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "mcp-authspec received the authorization response; this window can be closed.\n",
    )
}

/// RFC 6750 §3: the resource exists and wants a bearer token.
async fn protected() -> impl IntoResponse {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "",
    )
}
