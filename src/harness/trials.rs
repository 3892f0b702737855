//! Building the trials: one per case of the role that applies to a planned revision,
//! ignored when the harness already knows the case cannot run against the target.

use std::sync::Arc;

use libtest_mimic::{Completion, Failed, Trial};

use super::applicability::{ignored_list, CannotRun};
use super::judge::judge;
use super::options::TrialOptions;
use crate::input::load_cases;
use crate::logic::case::Case;
use crate::logic::run_plan::RunPlan;
use crate::vocab::{Revision, Role, RunReport};

/// How many of a trial's (case, revision) runs go at once.
const CONCURRENCY: usize = 4;

/// What the trials of one entry run against.
pub(super) struct TrialTarget<'a, C> {
    pub role: Role,
    /// Why a case cannot run against this target, known before any trial starts.
    pub cannot_run: C,
    /// How the reasons' CLI words translate to the `cargo test` entry, under the list.
    pub footer: Option<&'a str>,
}

/// One trial per case of the target's role; `run` runs one case for the planned
/// revisions and gives the trial's result. The ignored trials are listed once on stderr.
pub(super) fn trials_for<C, F>(
    target: TrialTarget<'_, C>,
    options: &TrialOptions,
    run: F,
) -> Vec<Trial>
where
    C: Fn(&Case) -> Option<CannotRun>,
    F: Fn(Arc<Case>, RunPlan) -> Result<Completion, Failed> + Clone + Send + 'static,
{
    let cases = match load_cases(&options.source) {
        Ok(c) => c,
        Err(e) => {
            let message = e.to_string();
            return vec![Trial::test("case-files", move || Err(message.into()))];
        }
    };
    let mut trials = Vec::new();
    let mut ignored = Vec::new();
    for case in cases.into_iter().filter(|c| c.role == target.role) {
        let Some(plan) = plan_for(&case, options) else {
            continue;
        };
        let name = case.test_name();
        let cannot_run = (target.cannot_run)(&case);
        let run = run.clone();
        let mut trial = Trial::ignorable_test(name.clone(), move || run(case, plan));
        if let Some(cannot) = cannot_run {
            trial = trial.with_ignored_flag(true);
            ignored.push((name, cannot));
        }
        trials.push(trial);
    }
    let what = format!("{} cases", target.role);
    if let Some(list) = ignored_list(&what, trials.len(), &ignored, target.footer) {
        eprint!("{list}");
    }
    trials
}

/// The plan for one case: the options' revisions the case applies to (in the profile);
/// `None` when there is none, or the case's extension is not enabled, so the case is out
/// of this run's scope, as in the CLI.
fn plan_for(case: &Case, options: &TrialOptions) -> Option<RunPlan> {
    // An extension's cases run only where the vendor enables it (`--extension`).
    if case
        .extension()
        .is_some_and(|e| !options.extensions.contains(&e))
    {
        return None;
    }
    let wanted = options
        .revisions
        .clone()
        .unwrap_or_else(|| case.file.revisions.to_vec());
    let revisions: Vec<Revision> = wanted
        .into_iter()
        .filter(|r| case.applies_to(*r, options.profile))
        .collect();
    if revisions.is_empty() {
        return None;
    }
    Some(RunPlan {
        revisions,
        profile: options.profile,
        concurrency: CONCURRENCY,
        case_timeout: options.case_timeout,
        ..RunPlan::default()
    })
}

/// The trial's result for a case's run report.
pub(super) fn judged(report: &RunReport, allow_skips: bool) -> Result<Completion, Failed> {
    judge(report, allow_skips).into_trial_result()
}

/// Nothing is known to be inapplicable before the trials run.
pub(super) fn every_case_can_run(_: &Case) -> Option<CannotRun> {
    None
}
