//! The suite's self-test: every case against the reference implementation of its role,
//! conformant (it must pass) and with the case's defect (it must yield the level's
//! violation).

use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::{Failed, Trial};

use super::runtime::runtime;
use crate::actors::drivers::{reference_driver_as, UPSTREAM_AUTHORIZATION_ENDPOINT};
use crate::engine::{run, NoEvents};
use crate::input::{load_cases, CaseSource};
use crate::logic::case::{Case, DefectRef};
use crate::logic::run_plan::RunPlan;
use crate::outputs::{render_console, ConsoleStyle};
use crate::vocab::{Outcome, Profile, RunReport};

/// The suite's self-test: for every case, one trial against the conformant reference
/// server (every revision must pass) and one against the reference server with the
/// case's defect (every revision must yield the level's violation: fail for MUST, warn
/// for SHOULD, info for MAY).
pub fn self_test_trials(source: &CaseSource) -> Vec<Trial> {
    let cases = match load_cases(source) {
        Ok(c) => c,
        Err(e) => {
            let message = e.to_string();
            return vec![Trial::test("case-files", move || Err(message.into()))];
        }
    };
    let mut trials = Vec::new();
    for case in cases {
        let c = case.clone();
        trials.push(Trial::test(case.test_name(), move || {
            reference_trial(&c, None, |o| o == Outcome::Pass, "pass")
        }));
        let c = case.clone();
        let defect = case.defect;
        let expected = case.file.level.violation();
        trials.push(Trial::test(
            format!("{}::fails-with::{}", case.test_name(), defect.name()),
            move || reference_trial(&c, Some(defect), |o| o == expected, expected.as_str()),
        ));
    }
    trials
}

/// Runs the case, every revision, against the reference implementation of its role,
/// conformant or with the defect.
async fn run_against_reference(
    case: &Arc<Case>,
    defect: Option<DefectRef>,
) -> Result<RunReport, Failed> {
    let plan = RunPlan {
        revisions: case.file.revisions.to_vec(),
        profile: profile_for(case, Profile::Strict),
        concurrency: 4,
        case_timeout: Duration::from_secs(30),
        ..RunPlan::default()
    };
    // The proxy cases (they read the third party's endpoint) run against the reference
    // server in its OAuth-proxy mode; every other case against the plain one.
    let proxy = case.uses.contains(UPSTREAM_AUTHORIZATION_ENDPOINT);
    let target = reference_driver_as(case.role, defect, proxy)
        .await
        .map_err(|e| Failed::from(format!("{}: {e}", case.id())))?;
    Ok(run(
        target.driver.as_ref(),
        std::slice::from_ref(case),
        &plan,
        Arc::new(NoEvents),
    )
    .await)
}

fn reference_trial(
    case: &Arc<Case>,
    defect: Option<DefectRef>,
    accept: impl Fn(Outcome) -> bool,
    wanted: &str,
) -> Result<(), Failed> {
    runtime().block_on(async {
        let report = run_against_reference(case, defect).await?;
        if report.cases.len() != case.file.revisions.len() {
            return Err(format!(
                "expected {} runs (one per revision), got {}:\n{}",
                case.file.revisions.len(),
                report.cases.len(),
                render_console(&report, ConsoleStyle::FULL)
            )
            .into());
        }
        match report.cases.iter().find(|c| !accept(c.outcome)) {
            None => Ok(()),
            Some(bad) => Err(format!(
                "expected every revision to {wanted}, but {} gave {}:\n{}",
                bad.revision,
                bad.outcome,
                render_console(&report, ConsoleStyle::FULL)
            )
            .into()),
        }
    })
}

fn profile_for(case: &Case, wanted: Profile) -> Profile {
    if case.file.profiles.is_empty() || case.file.profiles.contains(&wanted) {
        wanted
    } else {
        case.file.profiles[0]
    }
}
