//! RFC 2119 requirement levels and the verdict each one yields when broken.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::outcome::Outcome;

/// How strongly the specification states a requirement (RFC 2119 / RFC 8174).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Level {
    MUST,
    SHOULD,
    MAY,
}

impl Level {
    /// The outcome of a check at this level that does not hold: a broken MUST fails,
    /// a broken SHOULD warns, an unmet MAY is only information.
    pub fn violation(self) -> Outcome {
        match self {
            Level::MUST => Outcome::Fail,
            Level::SHOULD => Outcome::Warn,
            Level::MAY => Outcome::Info,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::MUST => "MUST",
            Level::SHOULD => "SHOULD",
            Level::MAY => "MAY",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
