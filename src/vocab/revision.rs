//! The dated MCP specification revisions that define authorization.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A dated revision of the MCP specification. Authorization first appeared in 2025-03-26;
/// each later revision changed discovery, registration or token rules, so every case names
/// the revisions it applies to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Revision {
    #[serde(rename = "2025-03-26")]
    R2025_03_26,
    #[serde(rename = "2025-06-18")]
    R2025_06_18,
    #[serde(rename = "2025-11-25")]
    R2025_11_25,
    #[serde(rename = "2026-07-28")]
    R2026_07_28,
}

impl Revision {
    /// Every revision, oldest first.
    pub const ALL: [Revision; 4] = [
        Revision::R2025_03_26,
        Revision::R2025_06_18,
        Revision::R2025_11_25,
        Revision::R2026_07_28,
    ];

    /// The newest revision: the default of every command.
    pub const LATEST: Revision = Revision::R2026_07_28;

    pub fn as_str(self) -> &'static str {
        match self {
            Revision::R2025_03_26 => "2025-03-26",
            Revision::R2025_06_18 => "2025-06-18",
            Revision::R2025_11_25 => "2025-11-25",
            Revision::R2026_07_28 => "2026-07-28",
        }
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A revision string that names none of [`Revision::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown revision `{0}` (known: 2025-03-26, 2025-06-18, 2025-11-25, 2026-07-28)")]
pub struct UnknownRevision(pub String);

impl FromStr for Revision {
    type Err = UnknownRevision;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Revision::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRevision(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_revision() {
        for r in Revision::ALL {
            assert_eq!(r.as_str().parse::<Revision>().unwrap(), r);
        }
        assert!("2024-11-05".parse::<Revision>().is_err());
        assert_eq!(Revision::LATEST, *Revision::ALL.last().unwrap());
    }
}
