//! A trial's verdict from the run report of its case: what did not run never passes.

use libtest_mimic::{Completion, Failed};

use crate::outputs::{render_console, ConsoleStyle};
use crate::vocab::{CaseReport, Outcome, RunReport};

/// How the failure of a case that did not run tells the vendor what to do.
const NOT_RUN_HINT: &str = "\
the case did not run, so its trial fails: nothing was tested. If this target is not \
meant to support it, set `TrialOptions::allow_skips` to show such trials as ignored, \
with the reason";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Judgement {
    /// It ran and broke no MUST. The notes (warnings, information, and skips the vendor
    /// allowed for some revisions) are printed to stderr.
    Passed { notes: Vec<String> },
    /// Nothing ran (every revision skipped or unsupported) and the vendor allows skips.
    NotRun { reason: String, notes: Vec<String> },
    /// A MUST broke, the harness erred, or the case did not run and skips are not allowed.
    Failed(String),
}

/// Judges the report of one case's run (one entry per planned revision).
pub(super) fn judge(report: &RunReport, allow_skips: bool) -> Judgement {
    let broken = |c: &CaseReport| matches!(c.outcome, Outcome::Fail | Outcome::Error);
    let not_run = |c: &CaseReport| matches!(c.outcome, Outcome::Skip | Outcome::Unsupported);
    if report.error.is_some() || report.cases.iter().any(broken) {
        return Judgement::Failed(render_console(report, ConsoleStyle::FULL));
    }
    if report.cases.is_empty() {
        return Judgement::Failed(
            "the case ran for no revision: none of the planned revisions applies to it".into(),
        );
    }
    let skipped: Vec<&CaseReport> = report.cases.iter().filter(|c| not_run(c)).collect();
    if !skipped.is_empty() && !allow_skips {
        return Judgement::Failed(format!(
            "{}\n{NOT_RUN_HINT}",
            render_console(report, ConsoleStyle::FULL).trim_end()
        ));
    }
    let notes: Vec<String> = report
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(note)
        .collect();
    if skipped.len() == report.cases.len() {
        let reason = skipped
            .iter()
            .map(|c| {
                format!(
                    "{} [{}]: {}",
                    c.outcome,
                    c.revision,
                    c.reason.as_deref().unwrap_or("no reason given")
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        return Judgement::NotRun { reason, notes };
    }
    Judgement::Passed { notes }
}

/// `warn [2026-07-28] server/prm/…: reason`.
fn note(c: &CaseReport) -> String {
    format!(
        "{} [{}] {}: {}",
        c.outcome,
        c.revision,
        c.id,
        c.reason.as_deref().unwrap_or_default()
    )
}

impl Judgement {
    /// The trial's result; the notes go to stderr, in one write so that parallel trials
    /// do not interleave them.
    pub(super) fn into_trial_result(self) -> Result<Completion, Failed> {
        let print = |notes: &[String]| {
            if !notes.is_empty() {
                eprintln!("{}", notes.join("\n"));
            }
        };
        match self {
            Judgement::Passed { notes } => {
                print(&notes);
                Ok(Completion::Completed)
            }
            Judgement::NotRun { reason, notes } => {
                print(&notes);
                Ok(Completion::ignored_with(reason))
            }
            Judgement::Failed(message) => Err(message.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{Level, Profile, Revision, Role, Summary, ToolInfo};

    fn case(outcome: Outcome, revision: Revision, reason: Option<&str>) -> CaseReport {
        CaseReport {
            id: "server/x/y".into(),
            title: "t".into(),
            role: Role::Server,
            requirement: "RS-1".into(),
            scenario: None,
            requirement_text: "r".into(),
            level: Level::MUST,
            revision,
            outcome,
            reason: reason.map(str::to_string),
            spec: Vec::new(),
            checks: Vec::new(),
            exchanges: Vec::new(),
            process: None,
            omitted_exchanges: 0,
            duration_ms: 0,
            baseline: None,
        }
    }

    fn report(cases: Vec<CaseReport>, error: Option<&str>) -> RunReport {
        RunReport {
            schema_version: "1".into(),
            tool: ToolInfo {
                name: "mcp-authspec".into(),
                version: "0".into(),
            },
            targets: Vec::new(),
            revisions: Vec::new(),
            profile: Profile::Strict,
            extensions: Vec::new(),
            started_at: String::new(),
            duration_ms: 0,
            summary: Summary::default(),
            exit_code: 0,
            error: error.map(str::to_string),
            interrupted: None,
            outlived: Vec::new(),
            baseline: None,
            shard: None,
            cases,
        }
    }

    const NEW: Revision = Revision::LATEST;
    const OLD: Revision = Revision::ALL[0];

    fn failed(j: &Judgement) -> &str {
        match j {
            Judgement::Failed(m) => m,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_pass_passes_without_notes() {
        let r = report(vec![case(Outcome::Pass, NEW, None)], None);
        let want = Judgement::Passed { notes: vec![] };
        assert_eq!(judge(&r, false), want);
        assert_eq!(judge(&r, true), want);
    }

    #[test]
    fn warn_and_info_pass_with_a_note() {
        let r = report(
            vec![
                case(Outcome::Warn, OLD, Some("should")),
                case(Outcome::Info, NEW, Some("may")),
            ],
            None,
        );
        let Judgement::Passed { notes } = judge(&r, false) else {
            panic!()
        };
        assert_eq!(notes.len(), 2);
        assert!(notes[0].starts_with("warn ["), "{notes:?}");
        assert!(notes[0].ends_with("server/x/y: should"), "{notes:?}");
    }

    #[test]
    fn a_skip_or_unsupported_fails_unless_skips_are_allowed() {
        for outcome in [Outcome::Skip, Outcome::Unsupported] {
            let r = report(vec![case(outcome, NEW, Some("not applicable: why"))], None);
            let message = judge(&r, false);
            assert!(
                failed(&message).contains("not applicable: why"),
                "{message:?}"
            );
            assert!(failed(&message).contains("allow_skips"), "{message:?}");
            match judge(&r, true) {
                Judgement::NotRun { reason, notes } => {
                    assert!(reason.contains("not applicable: why"), "{reason}");
                    assert!(reason.starts_with(outcome.as_str()), "{reason}");
                    assert_eq!(notes.len(), 1);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_partly_skipped_case_that_ran_passes_with_the_skip_noted_when_allowed() {
        let r = report(
            vec![
                case(Outcome::Skip, OLD, Some("not applicable: old")),
                case(Outcome::Pass, NEW, None),
            ],
            None,
        );
        failed(&judge(&r, false));
        let Judgement::Passed { notes } = judge(&r, true) else {
            panic!()
        };
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("not applicable: old"));
    }

    #[test]
    fn fail_error_a_run_error_and_no_run_at_all_fail_even_with_skips_allowed() {
        for r in [
            report(vec![case(Outcome::Fail, NEW, Some("broke"))], None),
            report(vec![case(Outcome::Error, NEW, Some("rate limited"))], None),
            report(
                vec![
                    case(Outcome::Skip, OLD, Some("n/a")),
                    case(Outcome::Error, NEW, Some("harness")),
                ],
                None,
            ),
            report(vec![], Some("cannot connect to 127.0.0.1:1")),
            report(vec![], None),
        ] {
            failed(&judge(&r, true));
            failed(&judge(&r, false));
        }
    }

    #[test]
    fn a_not_run_trial_is_ignored_and_a_failure_is_failed() {
        let ignored = Judgement::NotRun {
            reason: "skip [x]: y".into(),
            notes: vec![],
        };
        assert!(matches!(
            ignored.into_trial_result(),
            Ok(Completion::Ignored { reason: Some(r) }) if r == "skip [x]: y"
        ));
        assert!(Judgement::Failed("m".into()).into_trial_result().is_err());
    }
}
