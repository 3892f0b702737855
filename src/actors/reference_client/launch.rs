//! What the reference client is told to do: the MCP server to reach, the revision to
//! speak, a pre-registered client if any, the defects to show and how to play the
//! user agent. The environment variables are those of the official MCP conformance
//! suite, which launches clients with the server URL as their argument.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

use crate::vocab::launch_protocol::{CONTEXT_VAR, PROTOCOL_VERSION_VAR};
use crate::vocab::{ClientDefect, ClientKnob, Revision};

/// How long `BrowserMode::System` waits for the authorization response by default.
pub const CALLBACK_TIMEOUT: Duration = Duration::from_secs(60);

/// How the client plays the user agent of the authorization code flow (RFC 6749 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BrowserMode {
    /// Fetch the authorization URL itself (following redirects while on the AS origin,
    /// at most 10) and read the final redirect's Location.
    #[default]
    Fetch,
    /// Open it with the command in the `BROWSER` environment variable (run as
    /// `sh -c "$BROWSER \"$0\"" URL`, the URL never interpolated into the shell line),
    /// and wait (bounded, 60 s) for the authorization response on its own loopback
    /// listener `http://127.0.0.1:<port>/callback`, answering the browser with a small
    /// HTML page.
    System,
}

/// One run of the reference client.
#[derive(Debug, Clone)]
pub struct ClientLaunch {
    /// The MCP endpoint; also the RFC 8707 resource the client asks tokens for.
    pub server_url: String,
    pub revision: Revision,
    /// MCP_CONFORMANCE_CONTEXT of the official conformance suite: the client reads only
    /// its official members "client_id" and "client_secret" (a pre-registered client).
    pub context: Value,
    pub defects: BTreeSet<ClientDefect>,
    /// Conformant variations: none of them may make a case fail.
    pub knobs: BTreeSet<ClientKnob>,
    pub browser: BrowserMode,
    /// Used instead of `$BROWSER` in `BrowserMode::System` when set.
    pub browser_command: Option<String>,
    /// In `BrowserMode::Fetch`, which stands in for the harness's headless browser: the
    /// browser log (`actors::browser_shim`) that hears of every URL it opens.
    pub browser_log: Option<String>,
    /// How long `BrowserMode::System` waits for each authorization response.
    pub callback_timeout: Duration,
}

impl ClientLaunch {
    /// A conformant client in `Fetch` mode without a pre-registered client.
    pub fn new(server_url: impl Into<String>, revision: Revision) -> Self {
        ClientLaunch {
            server_url: server_url.into(),
            revision,
            context: Value::Object(Default::default()),
            defects: BTreeSet::new(),
            knobs: BTreeSet::new(),
            browser: BrowserMode::Fetch,
            browser_command: None,
            browser_log: None,
            callback_timeout: CALLBACK_TIMEOUT,
        }
    }

    pub fn has(&self, defect: ClientDefect) -> bool {
        self.defects.contains(&defect)
    }

    pub fn has_knob(&self, knob: ClientKnob) -> bool {
        self.knobs.contains(&knob)
    }

    /// A string of the context, e.g. `client_id`; empty strings count as absent.
    pub(super) fn context_str(&self, name: &str) -> Option<&str> {
        self.context
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }
}

/// Reads MCP_CONFORMANCE_PROTOCOL_VERSION (default latest revision) and
/// MCP_CONFORMANCE_CONTEXT (default {}) from the environment.
pub fn launch_from_env(
    server_url: String,
    defects: BTreeSet<ClientDefect>,
    browser: BrowserMode,
) -> Result<ClientLaunch, String> {
    let version = std::env::var(PROTOCOL_VERSION_VAR).ok();
    let context = std::env::var(CONTEXT_VAR).ok();
    launch_from(
        server_url,
        version.as_deref(),
        context.as_deref(),
        defects,
        browser,
    )
}

/// `launch_from_env` with the variables' values given (unset: `None`).
pub fn launch_from(
    server_url: String,
    version: Option<&str>,
    context: Option<&str>,
    defects: BTreeSet<ClientDefect>,
    browser: BrowserMode,
) -> Result<ClientLaunch, String> {
    let revision = match version.map(str::trim).filter(|v| !v.is_empty()) {
        None => Revision::LATEST,
        Some(v) => v
            .parse::<Revision>()
            .map_err(|e| format!("{PROTOCOL_VERSION_VAR}: {e}"))?,
    };
    let context = match context.map(str::trim).filter(|c| !c.is_empty()) {
        None => Value::Object(Default::default()),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => return Err(format!("{CONTEXT_VAR} must be a JSON object")),
            Err(e) => return Err(format!("{CONTEXT_VAR} is not JSON: {e}")),
        },
    };
    Ok(ClientLaunch {
        defects,
        browser,
        context,
        ..ClientLaunch::new(server_url, revision)
    })
}
