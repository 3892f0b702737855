//! The demo: every case of every role against the reference implementations on loopback
//! at once (one reference deployment: its MCP server for server cases, its IdP for
//! authorization-server cases; the in-process reference client for client cases). What a
//! newcomer runs first (`mcp-authspec demo`), and what the benchmark measures.

use std::sync::Arc;

use url::Url;

use super::events::RunEvents;
use super::runner::run;
use crate::actors::drivers::{
    offer_reference_fixtures, reference_fixtures, reference_machine_client, reference_tokens,
    AuthorizationServerDriver, ClientDriver, ClientUnderTest, Driver, ServerDriver,
    UPSTREAM_AUTHORIZATION_ENDPOINT,
};
use crate::actors::reference::{start_reference_server, ReferenceConfig};
use crate::logic::as_config::AsRunConfig;
use crate::logic::case::Case;
use crate::logic::report_budget::fit_cases;
use crate::logic::run_plan::RunPlan;
use crate::transport::TransportLimits;
use crate::vocab::{Role, RunReport};

/// Runs the demo and returns the combined report. `Err`: the reference deployment could
/// not start (the harness's environment, not a verdict).
pub async fn demo(
    cases: &[Arc<Case>],
    plan: &RunPlan,
    limits: TransportLimits,
    events: Arc<dyn RunEvents>,
) -> Result<RunReport, String> {
    let clock = std::time::Instant::now();
    let mut config = ReferenceConfig::default();
    // The reference authorization server implements every extension; only the cases of
    // those the run enables judge it.
    config.idp.client_credentials = true;
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
        launched_here: true,
        oauth_proxy: None,
    };
    // The deployment's IdP is also the reference authorization server.
    let authorization_servers = AuthorizationServerDriver {
        issuer: server.issuer.clone(),
        // The mock IdP fetches client ID metadata documents from loopback http.
        config: AsRunConfig {
            cimd_http_documents: true,
            machine_client: Some(reference_machine_client()),
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
    // The proxy cases run against a second reference server, in its OAuth-proxy mode;
    // the other server cases see the plain one.
    let proxy = start_reference_server(ReferenceConfig {
        oauth_proxy: true,
        ..ReferenceConfig::default()
    })
    .await
    .map_err(|e| format!("cannot start the reference OAuth proxy on 127.0.0.1: {e}"))?;
    let proxies = ServerDriver {
        url: Url::parse(&proxy.mcp_url)
            .map_err(|e| format!("the reference proxy's URL does not parse: {e}"))?,
        limits,
        reference: true,
        tokens: Arc::new(reference_tokens(&proxy)),
        fixtures: Default::default(),
        upstream_log: None,
        launched_here: true,
        oauth_proxy: proxy
            .upstream
            .as_ref()
            .map(|u| u.authorization_endpoint.clone()),
    };
    let (proxy_cases, other_cases): (Vec<Arc<Case>>, Vec<Arc<Case>>) = cases
        .iter()
        .cloned()
        .partition(|c| c.uses.contains(UPSTREAM_AUTHORIZATION_ENDPOINT));
    let (s, p, a, c) = tokio::join!(
        run_any(&servers, Role::Server, &other_cases, plan, events.clone()),
        run_any(&proxies, Role::Server, &proxy_cases, plan, events.clone()),
        run_any(
            &authorization_servers,
            Role::AuthorizationServer,
            cases,
            plan,
            events.clone()
        ),
        run_any(&clients, Role::Client, cases, plan, events)
    );
    // Each run fitted its own cases to the report's bound; together they must fit too.
    let mut report = [s, p, a, c]
        .into_iter()
        .flatten()
        .reduce(RunReport::combine)
        .ok_or_else(|| "no case of any role applies to the planned revisions".to_string())?;
    // The sessions ran at once: the run took the demo's wall time, not the sum of theirs
    // (`combine` adds them up), which is what a report's duration and JUnit's suite
    // times say.
    report.duration_ms = clock.elapsed().as_millis() as u64;
    fit_cases(&mut report.cases);
    Ok(report)
}

/// The run of one target, or none when no case of its role applies to a planned
/// revision (a filtered or partitioned demo): a target that was not tested is not
/// reported.
async fn run_any(
    driver: &dyn Driver,
    role: Role,
    cases: &[Arc<Case>],
    plan: &RunPlan,
    events: Arc<dyn RunEvents>,
) -> Option<RunReport> {
    let any = cases.iter().any(|c| {
        c.role == role
            && plan
                .revisions
                .iter()
                .any(|r| c.applies_to(*r, plan.profile))
    });
    if any {
        Some(run(driver, cases, plan, events).await)
    } else {
        None
    }
}
