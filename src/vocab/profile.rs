//! The comparison profile of a run: a run option that cases (`profiles:`) and the report
//! both name.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How strictly URLs that should be identical are compared (Appendix A-2 of the
/// requirements catalog: RFC 9728 §3.3 says exact; many SDKs accept a path prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Strict,
    Lenient,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Strict => "strict",
            Profile::Lenient => "lenient",
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "strict" => Ok(Profile::Strict),
            "lenient" => Ok(Profile::Lenient),
            _ => Err(format!("unknown profile `{s}` (known: strict, lenient)")),
        }
    }
}
