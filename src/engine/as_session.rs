//! A run against an authorization server: the harness is its OAuth client and user
//! agent. The set-up (`as_setup`) reads the metadata, serves a loopback redirect URI and
//! resource, gets a client and walks one flow; then the cases run. An authorization
//! server does not know which MCP revision its client follows, so each case runs once
//! per run and its result is reported under every planned revision it applies to (its
//! spec references those of each revision): the same requests four times would only
//! spend the server's rate limits.

use std::collections::BTreeMap;
use std::sync::Arc;

use url::Url;

use super::as_setup::{prepare, summary, Setup};
use super::case_run::case_report;
use super::events::RunEvents;
use super::run_frame::RunFrame;
use super::runner::{planned_work, run_cases, RunPlan, Target};
use super::server_session::check_reachable;
use super::token_supply::TokenSupply;
use crate::actors::loopback_client::{start_loopback_client, LoopbackClient};
use crate::logic::as_config::AsRunConfig;
use crate::logic::case::Case;
use crate::logic::redaction::SecretValues;
use crate::transport::{HttpClient, ReqwestClient, TransportLimits};
use crate::vocab::{CaseReport, Outcome, Revision, Role, RunReport, TargetDescription};

pub struct AuthorizationServerSession {
    /// The issuer identifier, kept as the string given (RFC 8414 §2).
    pub issuer: String,
    pub config: AsRunConfig,
    pub plan: RunPlan,
    pub limits: TransportLimits,
    /// Marks the target as the suite's reference implementation in the report.
    pub reference: bool,
}

impl AuthorizationServerSession {
    pub async fn run(&self, cases: &[Arc<Case>], events: Arc<dyn RunEvents>) -> RunReport {
        let frame = RunFrame::start(
            TargetDescription {
                role: Role::AuthorizationServer,
                location: self.issuer.clone(),
                reference: self.reference,
                process: None,
            },
            &self.plan,
        )
        .with_secrets(&SecretValues::of_as_config(&self.config));
        let finish = |error, cases| frame.finish(error, cases);
        let Prepared {
            issuer_url,
            setup,
            client,
            loopback,
        } = match self.set_up().await {
            Ok(p) => p,
            Err(reason) => return finish(Some(reason), Vec::new()),
        };
        let target = Target {
            session_vars: setup.vars.clone(),
            unavailable: Arc::new(setup.unavailable.clone()),
            consent: Arc::new(setup.consent.clone()),
            ..Target::new(Role::AuthorizationServer, issuer_url)
        };

        let mut reports: Vec<CaseReport> = Vec::new();
        let mut extra: Vec<CaseReport> = Vec::new();
        let mut groups: BTreeMap<Revision, Vec<Arc<Case>>> = BTreeMap::new();
        let mut copies: Vec<(Arc<Case>, Revision, Revision)> = Vec::new();
        for (case, revisions) in by_case(planned_work(cases, Role::AuthorizationServer, &self.plan))
        {
            if let Some(blocked) = setup.blocking(&case.uses) {
                for r in revisions {
                    let mut report =
                        case_report(&case, r, Outcome::Error, Some(blocked.reason.clone()));
                    report.exchanges = blocked.evidence.clone();
                    extra.push(report);
                }
                continue;
            }
            // A case that reads `{revision}` sends different requests per revision.
            if case.uses.contains("revision") {
                for r in revisions {
                    groups.entry(r).or_default().push(case.clone());
                }
                continue;
            }
            let first = revisions[0];
            groups.entry(first).or_default().push(case.clone());
            copies.extend(revisions[1..].iter().map(|r| (case.clone(), first, *r)));
        }
        let tokens = Arc::new(TokenSupply::default());
        for (revision, group) in groups {
            let plan = RunPlan {
                revisions: vec![revision],
                ..self.plan.clone()
            };
            reports.extend(
                run_cases(
                    &group,
                    &target,
                    &plan,
                    client.clone(),
                    tokens.clone(),
                    events.clone(),
                )
                .await,
            );
        }
        for (case, ran, revision) in copies {
            let Some(report) = reports
                .iter()
                .find(|r| r.id == case.id() && r.revision == ran)
            else {
                continue;
            };
            let mut copy = report.clone();
            copy.revision = revision;
            copy.spec = case.requirement.references_for(revision);
            extra.push(copy);
        }
        events.planned(extra.len());
        for report in &extra {
            events.case_finished(report);
        }
        reports.extend(extra);
        for report in &mut reports {
            rate_limited(report);
        }
        reports.sort_by(|a, b| (a.id.as_str(), a.revision).cmp(&(b.id.as_str(), b.revision)));
        drop(loopback);
        finish(None, reports)
    }
}

impl AuthorizationServerSession {
    /// The built-in variables this run could not set, with the reason, found by setting
    /// the run up exactly as [`Self::run`] does (so a client is registered when none is
    /// configured) and running no case. `Err`: the run could not start at all.
    pub async fn unavailable_variables(&self) -> Result<BTreeMap<String, String>, String> {
        Ok(self.set_up().await?.setup.unavailable)
    }

    /// Everything before the cases: the issuer a reachable URL, the loopback client
    /// served, and the set-up (metadata, client, one flow) done.
    async fn set_up(&self) -> Result<Prepared, String> {
        let issuer_url = Url::parse(&self.issuer)
            .map_err(|e| format!("the issuer `{}` is not a URL: {e}", self.issuer))?;
        check_reachable(&issuer_url).await?;
        let http: Arc<dyn HttpClient> =
            Arc::new(ReqwestClient::new(self.limits).map_err(|e| e.message)?);
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
        )
        .await;
        Ok(Prepared {
            issuer_url,
            setup,
            client,
            loopback,
        })
    }
}

/// A run set up and ready for its cases; the loopback client serves while it lives.
struct Prepared {
    issuer_url: Url,
    setup: Setup,
    client: Arc<dyn HttpClient>,
    loopback: LoopbackClient,
}

/// The planned (case, revision) pairs grouped by case, revisions in plan order.
fn by_case(work: Vec<(Arc<Case>, Revision)>) -> Vec<(Arc<Case>, Vec<Revision>)> {
    let mut out: Vec<(Arc<Case>, Vec<Revision>)> = Vec::new();
    for (case, revision) in work {
        match out.iter_mut().find(|(c, _)| c.id() == case.id()) {
            Some((_, revisions)) => revisions.push(revision),
            None => out.push((case, vec![revision])),
        }
    }
    out
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
