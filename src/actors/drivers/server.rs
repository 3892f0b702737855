//! The driver of a server target: reachability first (so that an unreachable target ends
//! at once with one clear reason instead of N timeouts), then what a client learns before
//! it authorizes (the resource, the required scope), then the revisions it implements.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use url::Url;

use super::driver::{
    keep_until_teardown, no_review, CaseTarget, Driver, Prepared, RequestTarget, SetupFailure,
};
use super::exposure_probe::probe_exposure;
use super::server_discovery::discover;
use super::server_revision_probe::{probe, Support};
use crate::actors::tokens::TokenSupply;
use crate::logic::as_config::Consent;
use crate::logic::builtins::Builtins;
use crate::logic::run_plan::RunPlan;
use crate::logic::server_config::{RunFacilities, ServerRunConfig};
use crate::transport::{BoxFuture, HttpClient, ReqwestClient, TransportLimits};
use crate::vocab::{CaseReport, Revision, Role, TargetDescription};

/// How long the reachability probe waits for a TCP connection.
pub const REACHABILITY_TIMEOUT: Duration = Duration::from_secs(5);

/// A server target at a URL.
pub struct ServerDriver {
    pub url: Url,
    pub limits: TransportLimits,
    /// Marks the target as the suite's reference implementation in the report.
    pub reference: bool,
    /// Where token cases get their tokens.
    pub tokens: Arc<TokenSupply>,
    /// What the target names for fixture cases (`--config`).
    pub fixtures: ServerRunConfig,
    /// The URL where the upstream API the harness serves to this server lists what it
    /// received (`actors::upstream`); `None` when the harness did not start the server.
    pub upstream_log: Option<String>,
    /// The harness started the server (`--command`, or the reference): it runs on this
    /// machine, so whether it listens beyond loopback can be tried (`exposure_probe`).
    pub launched_here: bool,
    /// `--oauth-proxy`: the target is an OAuth proxy (MCP Security Best Practices,
    /// "Confused Deputy Problem") that forwards to the third-party authorization server
    /// whose authorization endpoint this is. `None`: the proxy cases are skipped.
    pub oauth_proxy: Option<String>,
}

/// The variable every proxy case reads: set only for a declared proxy.
pub const UPSTREAM_AUTHORIZATION_ENDPOINT: &str = "upstream_authorization_endpoint";

/// Why the proxy cases do not apply to a target without `--oauth-proxy`.
pub const NOT_A_PROXY: &str = "the target is not declared an OAuth proxy (--oauth-proxy)";

impl Driver for ServerDriver {
    fn describe(&self) -> TargetDescription {
        TargetDescription {
            role: Role::Server,
            location: self.url.to_string(),
            reference: self.reference,
            process: None,
        }
    }

    fn prepare<'a>(&'a self, plan: &'a RunPlan) -> BoxFuture<'a, Result<Prepared, SetupFailure>> {
        Box::pin(async move {
            let (target, findings) = self.set_up(plan).await?;
            Ok(Prepared {
                cases: CaseTarget::Requests(Box::new(target)),
                findings,
                teardown: keep_until_teardown(()),
            })
        })
    }
}

impl ServerDriver {
    /// Reachability, discovery (the server's resource and required scope), and the
    /// revisions the server implements.
    pub(super) async fn set_up(
        &self,
        plan: &RunPlan,
    ) -> Result<(RequestTarget, Vec<CaseReport>), String> {
        check_reachable(&self.url).await?;
        let client: Arc<dyn HttpClient> =
            Arc::new(target_client(self.limits, &self.url, self.reference)?);
        let mut builtins = Builtins::new(self.url.to_string());
        probe_exposure(
            &mut builtins,
            self.launched_here,
            self.reference,
            self.url.port_or_known_default(),
        )
        .await;
        let first = plan.revisions.first().copied().unwrap_or(Revision::LATEST);
        // Bounded like a case: a server that never answers costs one case time limit here.
        let discovered = discover(client.clone(), &self.url, first, plan.case_timeout).await;
        builtins.resource = Some(discovered.resource.clone());
        // Fresh PKCE pairs and states for the authorization requests of proxy cases.
        builtins.fresh_flow_values = true;
        match &self.oauth_proxy {
            Some(endpoint) => builtins.upstream_authorization_endpoint = Some(endpoint.clone()),
            None => builtins.missing(UPSTREAM_AUTHORIZATION_ENDPOINT, NOT_A_PROXY),
        }
        match discovered.required_scope {
            Ok(scope) => builtins.required_scope = Some(scope),
            Err(reason) => builtins.missing("required_scope", reason),
        }
        let fixtures = self.fixtures.fixture_vars(RunFacilities {
            upstream_log: self.upstream_log.as_deref(),
            minted_scope: self
                .tokens
                .minter
                .is_some()
                .then_some(self.tokens.scope.as_str()),
        });
        builtins.fixtures = fixtures.set;
        for (name, reason) in fixtures.missing {
            builtins.missing(&name, reason);
        }
        // Revisions the server does not implement get one finding each, and their
        // cases do not run.
        let mut findings = Vec::new();
        for revision in &plan.revisions {
            let answer = probe(
                client.clone(),
                self.url.as_str(),
                &discovered.resource,
                *revision,
                &self.tokens,
            )
            .await;
            if let Support::Unsupported(finding) = answer {
                findings.push(*finding);
            }
        }
        let target = RequestTarget {
            client,
            builtins,
            tokens: self.tokens.clone(),
            consent: Arc::new(Consent::Auto),
            one_run_per_case: false,
            review: no_review,
        };
        Ok((target, findings))
    }
}

/// Connects to the target's host and port once.
/// The one client of a run's cases to a target at `target`. A vendor's server gets the
/// in-flight cap (`transport::TargetCap`: its accept queue may be small); the suite's
/// reference implementation, served in process, accepts at once and is not capped.
pub(super) fn target_client(
    limits: TransportLimits,
    target: &Url,
    reference: bool,
) -> Result<ReqwestClient, String> {
    let client = ReqwestClient::new(limits).map_err(|e| e.message)?;
    Ok(if reference {
        client
    } else {
        client.capped_at(target)
    })
}

pub async fn check_reachable(url: &Url) -> Result<(), String> {
    let host = url.host_str().ok_or_else(|| format!("{url} has no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url
        .port_or_known_default()
        .ok_or_else(|| format!("{url} has no port and no default port"))?;
    match tokio::time::timeout(REACHABILITY_TIMEOUT, TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("cannot connect to {host}:{port}: {e}")),
        Err(_) => Err(format!(
            "cannot connect to {host}:{port}: no answer within {} s",
            REACHABILITY_TIMEOUT.as_secs()
        )),
    }
}
