//! What a vendor chooses for the trials: the cases, revisions and profile, the token for a
//! running server, whether cases that turn out not to apply may show as ignored; and how
//! the harness starts the vendor's server when it launches it.

use std::time::Duration;

use crate::input::CaseSource;
use crate::logic::server_config::ServerRunConfig;
use crate::vocab::{Extension, Profile, Revision};

/// Which cases to run and how.
#[derive(Debug, Clone)]
pub struct TrialOptions {
    /// `None`: every revision each case applies to.
    pub revisions: Option<Vec<Revision>>,
    pub profile: Profile,
    pub case_timeout: Duration,
    pub source: CaseSource,
    /// A valid access token for a running server ([`server_trials`](super::server_trials),
    /// like `server --url --token`): enables the token cases that need no minting. The
    /// cases that need tokens with chosen claims (expired, other audience, …) need the
    /// suite's IdP: use [`server_trials_with_command`](super::server_trials_with_command).
    /// Not used by the other entries.
    pub token: Option<String>,
    /// Accept cases that turn out not to apply while they run (a `when:` precondition
    /// does not hold, or the target does not implement the revision: `unsupported`):
    /// their trial is shown as `ignored` with the reason, which is also printed to
    /// stderr. Off (the default), such a trial fails with the reason, since it tested
    /// nothing.
    pub allow_skips: bool,
    /// The authorization extensions whose cases also run (`--extension`); none by
    /// default, as the extensions are optional.
    pub extensions: Vec<Extension>,
}

impl Default for TrialOptions {
    fn default() -> Self {
        TrialOptions {
            revisions: Some(vec![Revision::LATEST]),
            profile: Profile::Strict,
            case_timeout: Duration::from_secs(30),
            source: CaseSource::Builtin,
            token: None,
            allow_skips: false,
            extensions: Vec::new(),
        }
    }
}

/// How [`server_trials_with_command`](super::server_trials_with_command) starts the
/// server under test, as `mcp-authspec server --command` does: the suite's IdP first,
/// then `command` through the shell with its placeholders filled in (`{port}`,
/// `{issuer}`, `{jwks_uri}`, `{introspection_endpoint}`, `{resource}`; each also set as
/// `MCP_AUTHSPEC_PORT`, … in its environment). The server must trust `{issuer}` and
/// serve MCP at `http://127.0.0.1:{port}{path}`.
#[derive(Debug, Clone)]
pub struct ServerCommand {
    /// The command line, e.g. `target/debug/my-server --port {port} --issuer {issuer}`.
    pub command: String,
    /// The path of the MCP endpoint on the started server.
    pub path: String,
    /// The scope a valid minted token grants (what the server requires for
    /// `tools/list`).
    pub scope: String,
    /// How long the server may take until its port accepts connections.
    pub startup_timeout: Duration,
    /// What the server names for fixture cases (`server --config`; parse a file with
    /// `logic::server_config::parse_server_config`); `{upstream}` is also a placeholder.
    pub fixtures: ServerRunConfig,
}

impl ServerCommand {
    /// The command with the CLI's defaults: path `/mcp`, scope `mcp:tools`, 30 s to start.
    pub fn new(command: impl Into<String>) -> Self {
        ServerCommand {
            command: command.into(),
            path: "/mcp".into(),
            scope: "mcp:tools".into(),
            startup_timeout: Duration::from_secs(30),
            fixtures: ServerRunConfig::default(),
        }
    }
}
