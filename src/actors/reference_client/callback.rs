//! Where the authorization response arrives: the loopback redirect URI of a native
//! client (RFC 8252 §7.3, MCP requires loopback or https redirect URIs). In `Fetch`
//! mode nothing needs to listen, since the client reads the redirect's Location itself;
//! in `System` mode a listener receives the browser's request and answers it with a
//! small page.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use tokio::sync::mpsc;

use super::launch::{BrowserMode, ClientLaunch};
use crate::actors::listener::{bind_loopback, serve_listener, Listening};
use crate::vocab::{ClientDefect, ClientKnob};

/// The redirect URI of the `InsecureRedirectUri` defect: plain http, not loopback.
pub(super) const INSECURE_REDIRECT_URI: &str = "http://mcp-client.example/callback";
/// Responses kept waiting; more than a few means someone else is calling.
const QUEUE: usize = 8;

const PAGE: &str = "<!doctype html>\n<html><head><title>mcp-authspec</title></head><body>\n\
    <p>The MCP client received the authorization response. You can close this window.</p>\n\
    </body></html>\n";

/// The redirect URI of a run and, in `System` mode, the listener behind it.
pub(super) struct Redirect {
    pub uri: String,
    listener: Option<Listener>,
}

struct Listener {
    /// Raw query strings of the requests to `/callback`, in arrival order.
    responses: mpsc::Receiver<String>,
    _listening: Listening,
}

impl Redirect {
    pub async fn new(launch: &ClientLaunch) -> Result<Self, String> {
        // RFC 8252 §7.3 prefers the IP literal; `localhost` is allowed (the knob).
        let host = if launch.has_knob(ClientKnob::LocalhostRedirect) {
            "localhost"
        } else {
            "127.0.0.1"
        };
        let (uri, listener) = match launch.browser {
            BrowserMode::Fetch => (format!("http://{host}:{}/callback", free_port()?), None),
            BrowserMode::System => {
                let (uri, listener) = listen().await?;
                (uri, Some(listener))
            }
        };
        let uri = if launch.has(ClientDefect::InsecureRedirectUri) {
            INSECURE_REDIRECT_URI.to_string()
        } else {
            uri
        };
        Ok(Redirect { uri, listener })
    }

    /// Forgets responses that arrived before this authorization request (a late
    /// duplicate must not answer a newer request).
    pub fn discard_pending(&mut self) {
        if let Some(l) = &mut self.listener {
            while l.responses.try_recv().is_ok() {}
        }
    }

    /// The next response's raw query; `None` when there is no listener or it stopped.
    pub async fn next_response(&mut self) -> Option<String> {
        match &mut self.listener {
            Some(l) => l.responses.recv().await,
            None => None,
        }
    }
}

/// A loopback port nothing listens on now: bound, read and released (RFC 8252 §7.3
/// lets a native client pick any port at request time).
fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| format!("cannot bind a loopback port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("cannot read the loopback port: {e}"))
}

async fn listen() -> Result<(String, Listener), String> {
    let bound = bind_loopback()
        .await
        .map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let addr = bound
        .local_addr()
        .map_err(|e| format!("cannot read the loopback port: {e}"))?;
    let (sender, responses) = mpsc::channel(QUEUE);
    let router = Router::new()
        .route("/callback", get(callback))
        .with_state(sender);
    let listening =
        serve_listener(bound, router).map_err(|e| format!("cannot serve the callback: {e}"))?;
    let uri = format!("http://{addr}/callback");
    Ok((
        uri,
        Listener {
            responses,
            _listening: listening,
        },
    ))
}

async fn callback(
    State(sender): State<mpsc::Sender<String>>,
    RawQuery(query): RawQuery,
) -> impl IntoResponse {
    // A full queue means nobody is waiting for that many answers; extras are dropped.
    let _ = sender.try_send(query.unwrap_or_default());
    // The page shows the browser's user the flow went on; it must not be cached, as
    // its URL held the code (RFC 6749 §10.5).
    ([(header::CACHE_CONTROL, "no-store")], Html(PAGE))
}
