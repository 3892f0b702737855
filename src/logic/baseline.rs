//! Judging a run with a baseline of expected failures, as the official conformance suite
//! does: a listed run that did not pass is an expected failure (its outcome stays; a
//! fail no longer fails the run), an entry whose every listed run passed is stale (each
//! of its passing runs fails the run: remove the entry), and an entry that lists no run
//! with a verdict gives no signal.
//!
//! What an entry lists is said in `baseline_entries`. Runs that were skipped, unsupported
//! or errored give no signal either way: an `error` is never excused (the harness broke,
//! not the target, and exit 3 stays).

use super::baseline_entries::{Baseline, BaselineEntry, Listed};
use crate::vocab::{BaselineMark, BaselineSummary, CaseReport, Outcome, RunReport};

/// The report judged with `baseline`: each run it lists marked, `report.baseline`
/// filled, and the summary and exit code derived again (`RunReport::rejudge`). Marks of
/// an earlier judging are dropped first, so the result depends only on the outcomes and
/// the baseline. When two entries list the same run, the first (in file order) marks it.
pub fn judge(mut report: RunReport, baseline: &Baseline) -> RunReport {
    for case in &mut report.cases {
        case.baseline = None;
    }
    let mut summary = BaselineSummary {
        file: baseline.file.clone(),
        ..BaselineSummary::default()
    };
    for entry in &baseline.entries {
        let listed: Vec<usize> = report
            .cases
            .iter()
            .enumerate()
            .filter(|(_, case)| lists(entry, case) && has_verdict(case.outcome))
            .map(|(i, _)| i)
            .collect();
        let written = entry.written.clone();
        if listed.is_empty() {
            summary.unmatched.push(written);
            continue;
        }
        let stale = listed
            .iter()
            .all(|&i| report.cases[i].outcome == Outcome::Pass);
        for &i in &listed {
            let case = &mut report.cases[i];
            if case.baseline.is_some() {
                continue;
            }
            case.baseline = match (stale, case.outcome) {
                (true, _) => Some(BaselineMark::Stale {
                    entry: written.clone(),
                }),
                (false, Outcome::Pass) => None,
                (false, _) => Some(BaselineMark::ExpectedFailure {
                    entry: written.clone(),
                }),
            };
        }
        if stale {
            summary.stale.push(written);
        } else {
            summary.expected.push(written);
        }
    }
    report.baseline = Some(summary);
    report.rejudge()
}

/// Whether `entry` lists the run `case`.
fn lists(entry: &BaselineEntry, case: &CaseReport) -> bool {
    if case.role != entry.role {
        return false;
    }
    match &entry.lists {
        Listed::Case { id, revision } => {
            case.id == *id && revision.is_none_or(|r| r == case.revision)
        }
        Listed::Scenario(scenario) => case.scenario.as_deref() == Some(scenario.as_str()),
        Listed::OfficialCheck | Listed::Unknown => false,
    }
}

/// Pass, fail, warn and info say something about the target; skip, unsupported and error
/// do not.
fn has_verdict(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Pass | Outcome::Fail | Outcome::Warn | Outcome::Info
    )
}

#[cfg(test)]
#[path = "baseline_tests.rs"]
mod tests;
