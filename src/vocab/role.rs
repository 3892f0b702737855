//! The three kinds of target the suite certifies.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// An MCP server acting as an OAuth protected resource.
    Server,
    /// An MCP client acting as an OAuth client.
    Client,
    /// The OAuth authorization server an MCP deployment relies on.
    AuthorizationServer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Server, Role::Client, Role::AuthorizationServer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Server => "server",
            Role::Client => "client",
            Role::AuthorizationServer => "authorization-server",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role `{s}` (known: server, client, authorization-server)")
            })
    }
}
