//! The verdict of one check, one case, or a whole run.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Verdicts, ordered from best to worst so that a case's outcome is the maximum of its
/// checks' outcomes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every check held.
    Pass,
    /// Not applicable to this target, with a reason.
    Skip,
    /// The target does not implement the revision (or extension) under test: one
    /// finding for the revision instead of a cascade of failures (DESIGN "Verdicts").
    Unsupported,
    /// A MAY was not taken: reported for information only.
    Info,
    /// A SHOULD was broken.
    Warn,
    /// A MUST was broken.
    Fail,
    /// The harness or the environment broke; says nothing about the target.
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Skip => "skip",
            Outcome::Unsupported => "unsupported",
            Outcome::Info => "info",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
