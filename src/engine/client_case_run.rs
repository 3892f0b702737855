//! Running client cases for one revision: the driver runs the client under test once
//! against the mocks of a set-up; every case of that set-up is judged over what the mocks
//! saw and how the client ended. A case's judgment reads only that observation (and the
//! set-up's builtins), so cases with equal set-ups (`ClientSetUp`) can share one run
//! without any verdict changing: `tests/client_sharing.rs` compares shared and unshared
//! runs. `--no-share` gives every case its own run.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::actors::drivers::{ClientObserver, ClientRunSeen};
use crate::logic::builtins::Builtins;
use crate::logic::case::Case;
use crate::logic::case_body::CaseBody;
use crate::logic::client_set_up::ClientSetUp;
use crate::logic::client_verdict::{judge_client_run, ClientEnd};
use crate::logic::verdict::case_report;
use crate::vocab::{CaseReport, Outcome, Revision};

/// Cases that run as one: a single (case, revision) pair, or the client cases of one
/// revision that share one client run.
pub type Unit = Vec<(Arc<Case>, Revision)>;

/// The client work grouped into units: with `share`, one per (revision, set-up), the
/// largest first (their run holds the most verdicts); without, one per pair.
pub fn client_units(work: Vec<(Arc<Case>, Revision)>, share: bool) -> Vec<Unit> {
    if !share {
        return work.into_iter().map(|pair| vec![pair]).collect();
    }
    let mut groups: BTreeMap<(Revision, Option<ClientSetUp>, usize), Unit> = BTreeMap::new();
    for (index, (case, revision)) in work.into_iter().enumerate() {
        let key = match &case.body {
            CaseBody::Client(run) => (revision, Some(run.set_up()), 0),
            // Not a client case: its own unit (it ends as an error in `run_client_cases`).
            CaseBody::Steps(_) => (revision, None, index),
        };
        groups.entry(key).or_default().push((case, revision));
    }
    let mut units: Vec<Unit> = groups.into_values().collect();
    units.sort_by_key(|unit| std::cmp::Reverse(unit.len()));
    units
}

/// One unit: mocks up, one client run, one verdict per case. The evidence is as
/// recorded, secrets included: the run's report (`RunFrame::finish`) redacts it. Every
/// case of the unit must have the same set-up and revision (`client_units`).
pub async fn run_client_cases(
    unit: &[(Arc<Case>, Revision)],
    observer: &dyn ClientObserver,
    timeout: Duration,
) -> Vec<CaseReport> {
    let started = Instant::now();
    let Some((first, revision)) = unit.first() else {
        return Vec::new();
    };
    let revision = *revision;
    let CaseBody::Client(run) = &first.body else {
        return unit
            .iter()
            .map(|(case, r)| {
                case_report(case, *r, Outcome::Error, Some("not a client case".into()))
            })
            .collect();
    };
    let seen = match observer.observe(&run.set_up(), revision, timeout).await {
        Ok(seen) => seen,
        Err(reason) => {
            return unit
                .iter()
                .map(|(case, r)| case_report(case, *r, Outcome::Error, Some(reason.clone())))
                .collect()
        }
    };
    let mut reports: Vec<CaseReport> = unit
        .iter()
        .map(|(case, _)| judge(case, revision, &seen, unit.len(), started))
        .collect();
    // As recorded: the run's report redacts them (`RunFrame`). The last case takes the
    // log itself, moved, not copied (a flooding client's log is megabytes).
    let exchanges = match Arc::try_unwrap(seen.observation) {
        Ok(observation) => observation.exchanges,
        Err(shared) => shared.exchanges.clone(),
    };
    if let Some((last, others)) = reports.split_last_mut() {
        for report in others {
            report.exchanges = exchanges.clone();
        }
        last.exchanges = exchanges;
    }
    reports
}

/// One case alone, for one revision: its own run of the client.
pub async fn run_client_case(
    case: &Arc<Case>,
    revision: Revision,
    observer: &dyn ClientObserver,
    timeout: Duration,
) -> CaseReport {
    let unit = [(case.clone(), revision)];
    let mut reports = run_client_cases(&unit, observer, timeout).await;
    reports
        .pop()
        .unwrap_or_else(|| case_report(case, revision, Outcome::Error, Some("no report".into())))
}

/// One case's verdict over the shared run. Its process evidence says how many cases the
/// run was judged for, so that a reader of one case knows why another shows the same run.
fn judge(
    case: &Case,
    revision: Revision,
    seen: &ClientRunSeen,
    cases_in_run: usize,
    started: Instant,
) -> CaseReport {
    let CaseBody::Client(run) = &case.body else {
        return case_report(
            case,
            revision,
            Outcome::Error,
            Some("not a client case".into()),
        );
    };
    let observation = &seen.observation;
    let mut builtins = Builtins::new(observation.mcp_url.clone());
    builtins.issuer = Some(seen.issuer.clone());
    builtins.token_endpoint = Some(seen.token_endpoint.clone());
    let vars = builtins.vars(revision);
    let mut report = case_report(case, revision, Outcome::Pass, None);
    let end = ClientEnd {
        stopped: observation.exit_code.is_none() || seen.over_budget.is_some(),
        still_working: !seen.quiet || seen.over_budget.is_some(),
        ended: seen.process.ended.clone(),
        over_budget: seen.over_budget.clone(),
    };
    judge_client_run(case, run, observation, &vars, &end, &mut report);
    let mut process = seen.process.clone();
    if cases_in_run > 1 {
        process.notes.push(format!(
            "one run of the client, judged by {cases_in_run} cases with the same mocks, \
             scenario and context (`--no-share` runs each case alone)"
        ));
    }
    report.process = Some(process);
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}
