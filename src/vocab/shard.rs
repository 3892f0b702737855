//! Which share of a partitioned run (`--partition hash:K/N`) a report holds, so that
//! `merge` can tell a missing or repeated shard from a small run: a merge that lacked a
//! shard would report a green run that never ran some cases.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the cases were dealt to the shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShardKind {
    /// By a stable hash of each case (or of its official scenario).
    Hash,
    /// Round-robin over the sorted cases.
    Count,
}

/// Shard `index` of `total` (1-based), as `--partition` named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    pub kind: ShardKind,
    pub index: u64,
    pub total: u64,
}

impl ShardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ShardKind::Hash => "hash",
            ShardKind::Count => "count",
        }
    }
}

impl fmt::Display for Shard {
    /// `hash:2/3`, the flag's own syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind.as_str(), self.index, self.total)
    }
}
