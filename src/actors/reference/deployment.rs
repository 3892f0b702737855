//! Starting the reference deployment: the MCP server (protected resource) and the
//! authorization server whose metadata it points to, each on its own loopback origin as
//! in a real deployment (MCP 2025-06-18+ separates the two roles).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{as_metadata, mcp_server};
use crate::actors::listener::{bind_loopback, serve_listener, Listening};
use crate::vocab::ServerDefect;

/// What the reference server does; conformant when `defects` is empty.
#[derive(Debug, Clone, Default)]
pub struct ReferenceConfig {
    pub defects: BTreeSet<ServerDefect>,
    /// Bearer tokens the server accepts.
    pub accepted_tokens: Vec<String>,
}

impl ReferenceConfig {
    pub fn with_defect(defect: ServerDefect) -> Self {
        ReferenceConfig {
            defects: [defect].into_iter().collect(),
            ..Default::default()
        }
    }

    pub fn has(&self, defect: ServerDefect) -> bool {
        self.defects.contains(&defect)
    }
}

/// Facts every handler of the deployment needs.
#[derive(Debug)]
pub(super) struct Deployment {
    pub config: ReferenceConfig,
    /// `http://127.0.0.1:<port>` of the MCP server.
    pub origin: String,
    /// The MCP endpoint, `<origin>/mcp`.
    pub mcp_url: String,
    /// The authorization server's issuer identifier.
    pub issuer: String,
}

/// A running reference deployment; dropping it stops both servers.
pub struct ReferenceServer {
    pub mcp_url: String,
    pub issuer: String,
    _mcp: Listening,
    _authorization_server: Listening,
}

pub async fn start_reference_server(config: ReferenceConfig) -> std::io::Result<ReferenceServer> {
    let as_listener = bind_loopback().await?;
    let mcp_listener = bind_loopback().await?;
    let issuer = format!("http://{}", as_listener.local_addr()?);
    let origin = format!("http://{}", mcp_listener.local_addr()?);
    let deployment = Arc::new(Deployment {
        config,
        mcp_url: format!("{origin}/mcp"),
        origin,
        issuer: issuer.clone(),
    });
    let authorization_server =
        serve_listener(as_listener, as_metadata::router(deployment.clone()))?;
    let mcp = serve_listener(mcp_listener, mcp_server::router(deployment.clone()))?;
    Ok(ReferenceServer {
        mcp_url: deployment.mcp_url.clone(),
        issuer,
        _mcp: mcp,
        _authorization_server: authorization_server,
    })
}
