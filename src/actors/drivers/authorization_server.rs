//! The driver of an authorization server: the harness is its OAuth client and user
//! agent. The set-up (`as_setup`) reads the metadata, serves a loopback redirect URI and
//! resource, gets a client and walks one flow; then the cases run. An authorization
//! server does not know which MCP revision its client follows, so each case runs once
//! per run and its result is reported under every planned revision it applies to
//! (`RequestTarget::one_run_per_case`): the same requests four times would only spend
//! the server's rate limits.

use std::collections::BTreeMap;
use std::sync::Arc;

use url::Url;

use super::as_setup::{prepare, summary, Setup};
use super::driver::{
    keep_until_teardown, CaseTarget, Driver, Prepared, RequestTarget, SetupFailure,
};
use super::server::{check_reachable, target_client};
use crate::actors::loopback_client::{start_loopback_client, LoopbackClient};
use crate::actors::tokens::TokenSupply;
use crate::logic::as_config::AsRunConfig;
use crate::logic::redaction::SecretValues;
use crate::logic::run_plan::RunPlan;
use crate::transport::{BoxFuture, HttpClient, TransportLimits};
use crate::vocab::{CaseReport, Outcome, Role, TargetDescription};

pub struct AuthorizationServerDriver {
    /// The issuer identifier, kept as the string given (RFC 8414 §2).
    pub issuer: String,
    pub config: AsRunConfig,
    pub limits: TransportLimits,
    /// Marks the target as the suite's reference implementation in the report.
    pub reference: bool,
}

impl Driver for AuthorizationServerDriver {
    fn describe(&self) -> TargetDescription {
        TargetDescription {
            role: Role::AuthorizationServer,
            location: self.issuer.clone(),
            reference: self.reference,
            process: None,
        }
    }

    fn secrets(&self) -> SecretValues {
        SecretValues::of_as_config(&self.config)
    }

    fn prepare<'a>(&'a self, _plan: &'a RunPlan) -> BoxFuture<'a, Result<Prepared, SetupFailure>> {
        Box::pin(async move {
            let Ready {
                setup,
                client,
                loopback,
            } = self.set_up().await?;
            let mut builtins = setup.builtins;
            builtins.fresh_flow_values = true;
            Ok(Prepared {
                cases: CaseTarget::Requests(Box::new(RequestTarget {
                    client,
                    builtins,
                    tokens: Arc::new(TokenSupply::default()),
                    consent: Arc::new(setup.consent),
                    one_run_per_case: true,
                    review: rate_limited,
                })),
                findings: Vec::new(),
                // The loopback client serves until every case has ended.
                teardown: keep_until_teardown(loopback),
            })
        })
    }
}

impl AuthorizationServerDriver {
    /// The built-in variables this run could not set, with the reason, found by setting
    /// the run up exactly as [`Driver::prepare`] does (so a client is registered when
    /// none is configured) and running no case. `Err`: the run could not start at all.
    pub async fn unavailable_variables(&self) -> Result<BTreeMap<String, String>, String> {
        Ok(self.set_up().await?.setup.builtins.unavailable)
    }

    /// Everything before the cases: the issuer a reachable URL, the loopback client
    /// served, and the set-up (metadata, client, one flow) done.
    async fn set_up(&self) -> Result<Ready, String> {
        let issuer_url = Url::parse(&self.issuer)
            .map_err(|e| format!("the issuer `{}` is not a URL: {e}", self.issuer))?;
        check_reachable(&issuer_url).await?;
        let http: Arc<dyn HttpClient> =
            Arc::new(target_client(self.limits, &issuer_url, self.reference)?);
        let loopback = start_loopback_client()
            .await
            .map_err(|e| format!("cannot serve the loopback client: {e}"))?;
        let (setup, client) = prepare(
            http,
            &self.issuer,
            &issuer_url,
            &self.config,
            &loopback.redirect_uri,
            &loopback.resource,
            &loopback.cimd_base,
        )
        .await;
        Ok(Ready {
            setup,
            client,
            loopback,
        })
    }
}

/// A run set up and ready for its cases; the loopback client serves while it lives.
struct Ready {
    setup: Setup,
    client: Arc<dyn HttpClient>,
    loopback: LoopbackClient,
}

/// A case that met a rate limit (RFC 6585 §4: 429) cannot be judged, whatever its checks
/// said: the server did not answer the question the case asked.
fn rate_limited(report: &mut CaseReport) {
    if report.outcome == Outcome::Error {
        return;
    }
    let Some(e) = report.exchanges.iter().find(|e| e.status == Some(429)) else {
        return;
    };
    let body = e.response_body.clone().unwrap_or_default();
    report.outcome = Outcome::Error;
    report.reason = Some(format!(
        "rate limited: {} {} was answered {}, so the case cannot judge the server; run \
         again when its limit has reset",
        e.method,
        e.url,
        summary(429, body.as_bytes())
    ));
}
