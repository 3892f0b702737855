//! One run, whatever the target's role: the frame (target, plan, clock), the driver's
//! set-up, every applicable (case, revision) pair run concurrently with a cap, each within
//! its time limit, then the report assembled and redacted once.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::case_run::{run_case, CaseContext};
use super::client_case_run::{client_units, run_client_cases, Unit};
use super::events::RunEvents;
use super::evidence_bound::EvidenceBound;
use super::interrupt::{interrupted, run_unless_interrupted, wind_down, OnInterrupt};
use super::run_frame::RunFrame;
use crate::actors::drivers::{CaseTarget, Driver, RequestTarget};
use crate::actors::process::process_stop;
use crate::logic::case::Case;
use crate::logic::run_plan::RunPlan;
use crate::logic::verdict::case_report;
use crate::transport::BoxFuture;
use crate::vocab::{CaseReport, Outcome, Revision, Role, RunReport};

/// Runs every case of the driver's role that applies to a planned revision and the
/// profile, and returns the redacted report. A set-up that fails ends the run with its
/// reason; revisions the target does not implement get one finding each instead of
/// their cases. An interrupt (the process-wide stop switch, raised by the command line
/// on SIGINT or SIGTERM) ends the run early: see `interrupt`; the report says so.
pub async fn run(
    driver: &dyn Driver,
    cases: &[Arc<Case>],
    plan: &RunPlan,
    events: Arc<dyn RunEvents>,
) -> RunReport {
    let mut frame = RunFrame::start(driver.describe(), plan).with_secrets(&driver.secrets());
    let stop = process_stop();
    // A launched target (a server, the client's revision probe) is being started: it
    // gets the wind-down to stop gracefully, so that its evidence is kept.
    let prepared = match wind_down(driver.prepare(plan), stop).await {
        Ok(prepared) => prepared,
        Err(signal) => {
            let reports = planned_work(cases, frame.target.role, plan)
                .into_iter()
                .map(|(case, revision)| interrupted(&case, revision, signal))
                .collect();
            return frame.finish(None, reports).interrupted_by(signal);
        }
    };
    let prepared = match prepared {
        Ok(p) => p,
        Err(failure) => {
            frame.target.process = failure.process;
            let report = frame.finish(Some(failure.reason), Vec::new());
            return match stop.interrupt() {
                Some(signal) => report.interrupted_by(signal),
                None => report,
            };
        }
    };
    let mut plan = plan.clone();
    plan.revisions
        .retain(|r| !prepared.findings.iter().any(|f| f.revision == *r));
    let work = planned_work(cases, frame.target.role, &plan);
    let bound = Arc::new(EvidenceBound::new(driver.secrets()));
    let mut reports = match prepared.cases {
        CaseTarget::Requests(target) => {
            run_steps(work, &plan, Arc::from(target), &events, &bound).await
        }
        CaseTarget::Observes(observer) => {
            let timeout = plan.case_timeout;
            run_each(
                client_units(work, plan.share_client_runs),
                plan.concurrency,
                events,
                &bound,
                OnInterrupt::WindDown,
                move |unit| {
                    let (observer, unit) = (observer.clone(), unit.to_vec());
                    Box::pin(
                        async move { run_client_cases(&unit, observer.as_ref(), timeout).await },
                    )
                },
            )
            .await
        }
    };
    reports.extend(prepared.findings);
    sort(&mut reports);
    if let Some(process) = (prepared.teardown)().await {
        frame.target.location = process.command.clone();
        frame.target.process = Some(process);
    }
    frame = frame.with_secrets(&bound.found());
    let report = frame.finish(None, reports);
    match stop.interrupt() {
        Some(signal) => report.interrupted_by(signal),
        None => report,
    }
}

/// Cases that send requests: those the set-up blocked end at once; with
/// `one_run_per_case`, a case that reads no `{revision}` runs for its first planned
/// revision and its report stands for the others (with their spec references).
async fn run_steps(
    work: Vec<(Arc<Case>, Revision)>,
    plan: &RunPlan,
    target: Arc<RequestTarget>,
    events: &Arc<dyn RunEvents>,
    bound: &Arc<EvidenceBound>,
) -> Vec<CaseReport> {
    let mut settled = Vec::new();
    let mut runs = Vec::new();
    let mut copies: Vec<(Arc<Case>, Revision, Revision)> = Vec::new();
    for (case, revisions) in by_case(work) {
        if let Some(blocked) = target.builtins.blocking(&case.uses) {
            for r in revisions {
                let mut report =
                    case_report(&case, r, Outcome::Error, Some(blocked.reason.clone()));
                report.exchanges = blocked.evidence.clone();
                settled.push(report);
            }
            continue;
        }
        if target.one_run_per_case && !case.uses.contains("revision") {
            let first = revisions[0];
            copies.extend(revisions[1..].iter().map(|r| (case.clone(), first, *r)));
            runs.push((case, first));
        } else {
            runs.extend(revisions.into_iter().map(|r| (case.clone(), r)));
        }
    }
    let timeout = plan.case_timeout;
    let t = target.clone();
    // Once per run: what the set-up could not provide does not change between cases.
    let unavailable = Arc::new(target.builtins.unavailable.clone());
    let mut reports = run_each(
        runs.into_iter().map(|pair| vec![pair]).collect(),
        plan.concurrency,
        events.clone(),
        bound,
        OnInterrupt::Cancel,
        move |unit| {
            let (case, revision) = unit[0].clone();
            let ctx = CaseContext {
                revision,
                vars: t.builtins.vars(revision),
                client: t.client.clone(),
                timeout,
                tokens: t.tokens.clone(),
                unavailable: unavailable.clone(),
                consent: t.consent.clone(),
            };
            Box::pin(async move { vec![run_case(&case, &ctx).await] })
        },
    )
    .await;
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
        settled.push(copy);
    }
    events.planned(settled.len());
    for report in &settled {
        events.case_finished(report);
    }
    reports.extend(settled);
    for report in &mut reports {
        (target.review)(report);
    }
    reports
}

/// Every (case, revision) pair of the role that applies to a planned revision and the
/// profile.
fn planned_work(cases: &[Arc<Case>], role: Role, plan: &RunPlan) -> Vec<(Arc<Case>, Revision)> {
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

/// Reports sorted by case id, then revision.
fn sort(reports: &mut [CaseReport]) {
    reports.sort_by(|a, b| (a.id.as_str(), a.revision).cmp(&(b.id.as_str(), b.revision)));
}

/// Runs `execute` for every unit (one case and revision, or the client cases that share
/// one client run), at most `concurrency` units at once; each report's evidence is
/// bounded as soon as its case ends. A panicking unit is a harness bug: it becomes its
/// cases' `error` instead of taking the run (and its report) down. Reports come back
/// sorted by case id, then revision. After an interrupt no unit starts, and the running
/// ones stop as `on_interrupt` says.
async fn run_each<F>(
    work: Vec<Unit>,
    concurrency: usize,
    events: Arc<dyn RunEvents>,
    bound: &Arc<EvidenceBound>,
    on_interrupt: OnInterrupt,
    execute: F,
) -> Vec<CaseReport>
where
    F: Fn(&[(Arc<Case>, Revision)]) -> BoxFuture<'static, Vec<CaseReport>>,
{
    events.planned(work.iter().map(Vec::len).sum());
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut spawned = std::collections::HashMap::new();
    for unit in work {
        let permits = permits.clone();
        let events = events.clone();
        let bound = bound.clone();
        let run = execute(&unit);
        let members = unit.clone();
        let handle = tasks.spawn(async move {
            let _permit = tokio::select! {
                biased;
                signal = process_stop().stopping() => {
                    let reports: Vec<CaseReport> = members
                        .iter()
                        .map(|(case, revision)| interrupted(case, *revision, signal))
                        .collect();
                    reports.iter().for_each(|r| events.case_finished(r));
                    return reports;
                }
                permit = permits.acquire_owned() => permit.ok(),
            };
            for (case, revision) in &members {
                events.case_started(case.id(), *revision);
            }
            let mut reports = run_unless_interrupted(run, on_interrupt, &members).await;
            for report in &mut reports {
                bound.settle(report);
                events.case_finished(report);
            }
            reports
        });
        spawned.insert(handle.id(), unit);
    }
    let mut reports = Vec::new();
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Ok((_, r)) => reports.extend(r),
            Err(e) => {
                for (case, revision) in spawned.get(&e.id()).into_iter().flatten() {
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
    sort(&mut reports);
    reports
}
