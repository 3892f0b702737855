//! Evidence of a target the harness started itself (`server --command`): the command
//! line, how the process ended, and what it printed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessEvidence {
    /// The command as run, placeholders filled in.
    pub command: String,
    /// How it ended, e.g. `exit status 0`, `stopped by the harness (signal 15)`.
    pub ended: String,
    /// The end of its standard output (lossy UTF-8).
    pub stdout: String,
    /// The end of its standard error (lossy UTF-8).
    pub stderr: String,
    /// True when earlier output was dropped to stay within the capture limit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// What the mocks remarked about the run beside the exchanges, e.g. a client ID
    /// metadata document they accepted without fetching it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
