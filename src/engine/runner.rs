//! Running a set of cases: every applicable (case, revision) pair, concurrently with a
//! cap, each within its time limit.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;

use super::case_run::{case_report, run_case, CaseContext};
use super::events::RunEvents;
use super::token_supply::TokenSupply;
use crate::logic::case::Case;
use crate::logic::case_model::Profile;
use crate::logic::template::Vars;
use crate::logic::well_known::origin_of;
use crate::transport::HttpClient;
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
#[derive(Debug, Clone)]
pub struct Target {
    pub role: Role,
    /// The MCP endpoint of a server target.
    pub url: Url,
}

impl Target {
    fn vars(&self, revision: Revision) -> Vars {
        let mut v = Vars::new();
        v.insert("target".into(), self.url.to_string());
        v.insert("target_origin".into(), origin_of(&self.url));
        v.insert("revision".into(), revision.as_str().into());
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
    let work: Vec<(Arc<Case>, Revision)> = cases
        .iter()
        .filter(|c| c.role == target.role)
        .flat_map(|c| {
            plan.revisions
                .iter()
                .filter(|r| c.applies_to(**r, plan.profile))
                .map(|r| (c.clone(), *r))
                .collect::<Vec<_>>()
        })
        .collect();
    events.planned(work.len());
    let permits = Arc::new(Semaphore::new(plan.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut spawned = std::collections::HashMap::new();
    for (case, revision) in work {
        let permits = permits.clone();
        let ctx = CaseContext {
            revision,
            vars: target.vars(revision),
            client: client.clone(),
            timeout: plan.case_timeout,
            tokens: tokens.clone(),
        };
        let events = events.clone();
        let task_case = case.clone();
        let handle = tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            let report = run_case(&task_case, &ctx).await;
            events.case_finished(&report);
            report
        });
        spawned.insert(handle.id(), (case, revision));
    }
    let mut reports = Vec::new();
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Ok((_, r)) => reports.push(r),
            // A panicking case task is a harness bug: it becomes that case's `error`
            // instead of taking the run (and its report) down.
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
