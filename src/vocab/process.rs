//! Evidence of a target the harness started itself (`server --command`): the command
//! line, how the process ended, and what it printed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::exit_code;

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
    /// Processes the target started that were still running once it had been stopped
    /// with its process group (e.g. a daemon that called `setsid()`), each as
    /// ``pid 1234 `python3 x.py` ``. The harness killed them. A note, never a verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outlived: Vec<String>,
}

/// The signal that interrupted a run (the first one; a second one only hurries the stop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Interrupt {
    /// Ctrl-C in a terminal.
    #[serde(rename = "SIGINT")]
    Sigint,
    /// How CI systems and `timeout` stop a job.
    #[serde(rename = "SIGTERM")]
    Sigterm,
}

impl Interrupt {
    pub fn name(self) -> &'static str {
        match self {
            Interrupt::Sigint => "SIGINT",
            Interrupt::Sigterm => "SIGTERM",
        }
    }

    /// The shell's convention, 128 + the signal number: 130 for SIGINT, 143 for SIGTERM.
    pub fn exit_code(self) -> i32 {
        match self {
            Interrupt::Sigint => exit_code::INTERRUPTED_SIGINT,
            Interrupt::Sigterm => exit_code::INTERRUPTED_SIGTERM,
        }
    }

    /// The reason given to every case the interrupt left unfinished.
    pub fn case_reason(self) -> String {
        format!("interrupted ({})", self.name())
    }
}

impl std::fmt::Display for Interrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
