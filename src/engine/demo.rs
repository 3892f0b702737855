//! The demo: every case of every role against the reference implementations on loopback
//! at once (one reference deployment: its MCP server for server cases, its IdP for
//! authorization-server cases; the in-process reference client for client cases). What a
//! newcomer runs first (`mcp-authspec demo`), and what the benchmark measures.

use std::sync::Arc;

use url::Url;

use super::events::RunEvents;
use super::runner::run;
use crate::actors::drivers::{
    offer_reference_fixtures, reference_fixtures, reference_tokens, AuthorizationServerDriver,
    ClientDriver, ClientUnderTest, ServerDriver,
};
use crate::actors::reference::{start_reference_server, ReferenceConfig};
use crate::logic::as_config::AsRunConfig;
use crate::logic::case::Case;
use crate::logic::run_plan::RunPlan;
use crate::transport::TransportLimits;
use crate::vocab::RunReport;

/// Runs the demo and returns the combined report. `Err`: the reference deployment could
/// not start (the harness's environment, not a verdict).
pub async fn demo(
    cases: &[Arc<Case>],
    plan: &RunPlan,
    limits: TransportLimits,
    events: Arc<dyn RunEvents>,
) -> Result<RunReport, String> {
    let mut config = ReferenceConfig::default();
    let upstream = offer_reference_fixtures(&mut config).await?;
    let server = start_reference_server(config)
        .await
        .map_err(|e| format!("cannot start the reference server on 127.0.0.1: {e}"))?;
    let url = Url::parse(&server.mcp_url)
        .map_err(|e| format!("the reference server's URL does not parse: {e}"))?;
    let servers = ServerDriver {
        url,
        limits,
        reference: true,
        tokens: Arc::new(reference_tokens(&server)),
        fixtures: reference_fixtures(),
        upstream_log: Some(upstream.log_url.clone()),
    };
    // The deployment's IdP is also the reference authorization server.
    let authorization_servers = AuthorizationServerDriver {
        issuer: server.issuer.clone(),
        // The mock IdP fetches client ID metadata documents from loopback http.
        config: AsRunConfig {
            cimd_http_documents: true,
            ..AsRunConfig::default()
        },
        limits,
        reference: true,
    };
    let clients = ClientDriver {
        client: ClientUnderTest::Reference {
            defect: None,
            knobs: Default::default(),
        },
        reference: true,
    };
    let (s, a, c) = tokio::join!(
        run(&servers, cases, plan, events.clone()),
        run(&authorization_servers, cases, plan, events.clone()),
        run(&clients, cases, plan, events)
    );
    Ok(s.combine(a).combine(c))
}
