//! Running a set of cases: every applicable (case, revision) pair, concurrently with a
//! cap, each within its time limit.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;

use super::case_run::{case_report, run_case, CaseContext};
use super::events::RunEvents;
use super::token_supply::TokenSupply;
use crate::logic::as_config::Consent;
use crate::logic::case::Case;
use crate::logic::case_model::Profile;
use crate::logic::pkce::{fresh_value, s256};
use crate::logic::template::Vars;
use crate::logic::well_known::origin_of;
use crate::transport::{BoxFuture, HttpClient};
use crate::vocab::{CaseReport, Outcome, Revision, Role};

#[derive(Debug, Clone)]
pub struct RunPlan {
    pub revisions: Vec<Revision>,
    pub profile: Profile,
    /// How many cases run at once.
    pub concurrency: usize,
    pub case_timeout: Duration,
}

impl Default for RunPlan {
    fn default() -> Self {
        RunPlan {
            revisions: vec![Revision::LATEST],
            profile: Profile::Strict,
            concurrency: 8,
            case_timeout: Duration::from_secs(30),
        }
    }
}

/// What the cases run against.
#[derive(Clone)]
pub struct Target {
    pub role: Role,
    /// The MCP endpoint of a server target; the issuer of an authorization server.
    pub url: Url,
    /// Built-in variables the session set up (authorization-server runs: metadata
    /// endpoints, the client, the redirect URI, …).
    pub session_vars: Vars,
    /// Built-in variables the session could not set, with the reason: cases reading
    /// them are skipped.
    pub unavailable: Arc<BTreeMap<String, String>>,
    /// How authorization requests get through the server's consent.
    pub consent: Arc<Consent>,
}

impl Target {
    pub fn new(role: Role, url: Url) -> Self {
        Target {
            role,
            url,
            session_vars: Vars::new(),
            unavailable: Arc::default(),
            consent: Arc::new(Consent::Auto),
        }
    }

    fn vars(&self, revision: Revision) -> Vars {
        let mut v = self.session_vars.clone();
        v.insert("target".into(), self.url.to_string());
        v.insert("target_origin".into(), origin_of(&self.url));
        v.insert("revision".into(), revision.as_str().into());
        if self.role == Role::AuthorizationServer {
            // Fresh per case run: no two authorization requests share them (RFC 7636
            // §4.1 high-entropy verifier; RFC 6749 §10.12 state).
            let verifier = fresh_value(64);
            v.insert("pkce_challenge".into(), s256(&verifier));
            v.insert("pkce_verifier".into(), verifier);
            v.insert("state".into(), fresh_value(24));
            // A second pair for the positive control flow: a server may refuse a
            // challenge it has seen before (RFC 9700 §2.1.1).
            let control = fresh_value(64);
            v.insert("control_pkce_challenge".into(), s256(&control));
            v.insert("control_pkce_verifier".into(), control);
            v.insert("control_state".into(), fresh_value(24));
        }
        v
    }
}

/// Runs every case of the target's role that applies to a planned revision and the
/// profile. Reports come back sorted by case id, then revision.
pub async fn run_cases(
    cases: &[Arc<Case>],
    target: &Target,
    plan: &RunPlan,
    client: Arc<dyn HttpClient>,
    tokens: Arc<TokenSupply>,
    events: Arc<dyn RunEvents>,
) -> Vec<CaseReport> {
    let work = planned_work(cases, target.role, plan);
    let target = target.clone();
    let plan_timeout = plan.case_timeout;
    run_each(work, plan.concurrency, events, move |case, revision| {
        let ctx = CaseContext {
            revision,
            vars: target.vars(revision),
            client: client.clone(),
            timeout: plan_timeout,
            tokens: tokens.clone(),
            unavailable: target.unavailable.clone(),
            consent: target.consent.clone(),
        };
        Box::pin(async move { run_case(&case, &ctx).await })
    })
    .await
}

/// Every (case, revision) pair of the role that applies to a planned revision and the
/// profile.
pub fn planned_work(cases: &[Arc<Case>], role: Role, plan: &RunPlan) -> Vec<(Arc<Case>, Revision)> {
    cases
        .iter()
        .filter(|c| c.role == role)
        .flat_map(|c| {
            plan.revisions
                .iter()
                .filter(|r| c.applies_to(**r, plan.profile))
                .map(|r| (c.clone(), *r))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Runs `execute` for every pair, at most `concurrency` at once. A panicking case task
/// is a harness bug: it becomes that case's `error` instead of taking the run (and its
/// report) down. Reports come back sorted by case id, then revision.
pub async fn run_each<F>(
    work: Vec<(Arc<Case>, Revision)>,
    concurrency: usize,
    events: Arc<dyn RunEvents>,
    execute: F,
) -> Vec<CaseReport>
where
    F: Fn(Arc<Case>, Revision) -> BoxFuture<'static, CaseReport>,
{
    events.planned(work.len());
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut spawned = std::collections::HashMap::new();
    for (case, revision) in work {
        let permits = permits.clone();
        let events = events.clone();
        let run = execute(case.clone(), revision);
        let handle = tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            let report = run.await;
            events.case_finished(&report);
            report
        });
        spawned.insert(handle.id(), (case, revision));
    }
    let mut reports = Vec::new();
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Ok((_, r)) => reports.push(r),
            Err(e) => {
                if let Some((case, revision)) = spawned.get(&e.id()) {
                    let report = case_report(
                        case,
                        *revision,
                        Outcome::Error,
                        Some(format!("internal error: {e}")),
                    );
                    events.case_finished(&report);
                    reports.push(report);
                }
            }
        }
    }
    reports.sort_by(|a, b| (a.id.as_str(), a.revision).cmp(&(b.id.as_str(), b.revision)));
    reports
}
