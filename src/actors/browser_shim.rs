//! A headless browser for clients under test that "open a browser": a directory holding
//! an `xdg-open` script that runs `mcp-authspec open-url`. Put first on `PATH` and named
//! by `BROWSER`, it follows the mock authorization server's redirects and delivers the
//! final one to the client's loopback callback, as a user's browser would.
//!
//! Before it opens anything, the headless browser reports the URL it was handed to the
//! *browser log* of the case's mocks (`Endpoint::Browser`), named by
//! [`BROWSER_LOG_VAR`]: a client case sees which URLs the client asked a browser to open
//! (MCP Security Best Practices, "OAuth Authorization URL Validation": a `javascript:`
//! or `file:` URL must never get there), also those it cannot open.

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use crate::actors::traffic::serves;
use crate::transport::{HttpClient, HttpRequest, ReqwestClient, TransportLimits};
use crate::vocab::Endpoint;

/// The environment variable the client driver sets for a client under test (its
/// children inherit it): the browser log's URL. Unset, the shim reports nothing.
pub const BROWSER_LOG_VAR: &str = "MCP_AUTHSPEC_BROWSER_LOG";
/// The browser log's path below the mock authorization server's issuer.
const BROWSER_LOG_PATH: &str = "browser-opened";

/// The browser log of the mock authorization server with this issuer.
pub fn browser_log_url(issuer: &str) -> String {
    format!("{issuer}/{BROWSER_LOG_PATH}")
}

/// The browser log's route below `issuer_path`: a GET whose `url` query parameter is the
/// URL a browser was asked to open, answered with 204; the recorder keeps it.
pub fn browser_log_routes(issuer_path: &str) -> Router {
    Router::new().route(
        &format!("{issuer_path}/{BROWSER_LOG_PATH}"),
        serves(Endpoint::Browser, get(|| async { StatusCode::NO_CONTENT })),
    )
}

/// The request that reports `opened` to the browser log at `log`.
pub fn browser_log_request(log: &str, opened: &str) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("url", opened)
        .finish();
    format!("{log}?{query}")
}

/// Reports `opened` to the browser log named by [`BROWSER_LOG_VAR`], if any. A log that
/// cannot be reached is said on stderr and does not stop the browser: the case that
/// needs the log then sees no report, and its `reached:` says why.
pub async fn report_opened_from_env(opened: &str) {
    let Some(log) = std::env::var(BROWSER_LOG_VAR)
        .ok()
        .filter(|l| !l.is_empty())
    else {
        return;
    };
    let sent = async {
        let http = ReqwestClient::new(TransportLimits::default()).map_err(|e| e.message)?;
        http.send(HttpRequest {
            method: "GET".into(),
            url: browser_log_request(&log, opened),
            headers: Vec::new(),
            body: None,
        })
        .await
        .map(|_| ())
        .map_err(|e| e.message)
    };
    if let Err(e) = sent.await {
        eprintln!("warning: cannot report the opened URL to the browser log {log}: {e}");
    }
}

/// Writes the shim into a fresh directory below the system's temporary directory.
/// `exe` is the mcp-authspec binary the shim runs.
pub fn write_browser_shim(exe: &Path) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "mcp-authspec-browser-{}-{}",
        std::process::id(),
        crate::actors::tokens::random_id()
    ));
    std::fs::create_dir_all(&dir)?;
    // Single-quoted for `sh`: the path reaches `exec` verbatim.
    let quoted = format!("'{}'", exe.display().to_string().replace('\'', r"'\''"));
    let script =
        format!("#!/bin/sh\n# Written by mcp-authspec: a headless browser.\nexec {quoted} open-url \"$1\"\n");
    let path = dir.join("xdg-open");
    std::fs::write(&path, script)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(dir)
}
