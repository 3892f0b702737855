//! The GitHub Actions step summary (`$GITHUB_STEP_SUMMARY`): what a job's summary page
//! shows of a run at a glance. A header with the exit code, the counts, and a table of the
//! case runs that did not simply pass, the most serious first, each reason cut to one
//! line. No evidence: the reports hold it. Bounded well under GitHub's 1 MiB per step.

use std::fmt::Write as _;

use crate::vocab::{exit_code, BaselineMark, CaseReport, Outcome, RunReport};

use super::md_escape::{cell, code, code_text, para};
use super::text::duration;

/// What the summary may take; GitHub refuses a step's summary over 1 MiB.
const BUDGET: usize = 64 * 1024;

/// A reason is cut to this many characters in the table.
const REASON_CHARS: usize = 200;

/// A target's location is cut to this many characters in the header.
const LOCATION_CHARS: usize = 120;

/// Renders the step summary of a run.
pub fn render_step_summary(report: &RunReport) -> String {
    let mut md = String::new();
    // `write!` into a `String` cannot fail; the results are ignored for that reason.
    let _ = writeln!(
        md,
        "### MCP authorization conformance: {} (exit code {})\n",
        verdict(report),
        report.exit_code
    );
    let targets: Vec<String> = report
        .targets
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                t.role,
                code(&one_line(&t.location, LOCATION_CHARS))
            )
        })
        .collect();
    let revisions: Vec<&str> = report.revisions.iter().map(|r| r.as_str()).collect();
    let _ = writeln!(
        md,
        "{} · revisions {} · profile {} · {} · {} {}\n",
        targets.join(", "),
        revisions.join(", "),
        report.profile.as_str(),
        duration(report.duration_ms),
        para(&report.tool.name),
        para(&report.tool.version)
    );
    let s = &report.summary;
    let _ = writeln!(
        md,
        "**{} passed, {} failed, {} warned, {} info, {} skipped, {} unsupported, {} errors** \
         ({} case runs)\n",
        s.pass, s.fail, s.warn, s.info, s.skip, s.unsupported, s.error, s.total
    );
    if let Some(baseline) = &report.baseline {
        let _ = writeln!(
            md,
            "Baseline {}: {} expected failures ({} of them fails), {} stale entries (each \
             fails the run)\n",
            code_text(&baseline.file),
            s.expected_failure,
            s.expected_fail,
            s.stale
        );
    }
    if let Some(error) = &report.error {
        let _ = writeln!(
            md,
            "> **Run error:** {}\n",
            para(&one_line(error, REASON_CHARS))
        );
    }
    if let Some(signal) = report.interrupted {
        let _ = writeln!(
            md,
            "> **Interrupted** by {signal}: the cases that had not finished are errors.\n"
        );
    }

    let rows = rows(report);
    if rows.is_empty() {
        return md;
    }
    let _ = writeln!(md, "| Outcome | Case | Revision | Level | Reason |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    let total: usize = rows.iter().map(|r| r.runs()).sum();
    let mut shown = 0;
    for row in rows {
        let line = row.render();
        // Room is kept for the line that counts the rest.
        if md.len() + line.len() + 200 > BUDGET {
            let _ = writeln!(
                md,
                "\n… and {} more case runs (the reports list every one)",
                total - shown
            );
            return md;
        }
        md.push_str(&line);
        shown += row.runs();
    }
    md
}

/// A row of the table: one case run, or the skips that share a reason.
enum Row<'a> {
    Run(&'a CaseReport),
    Skips { reason: &'a str, runs: usize },
}

impl Row<'_> {
    fn runs(&self) -> usize {
        match self {
            Row::Run(_) => 1,
            Row::Skips { runs, .. } => *runs,
        }
    }

    fn render(&self) -> String {
        match self {
            Row::Run(case) => format!(
                "| {} | {} | {} | {} | {} |\n",
                label(case),
                code(&case.id),
                case.revision,
                case.level,
                cell(&one_line(
                    case.reason.as_deref().unwrap_or(""),
                    REASON_CHARS
                ))
            ),
            Row::Skips { reason, runs } => format!(
                "| SKIP ×{runs} | {runs} case runs | | | {} |\n",
                cell(&one_line(reason, REASON_CHARS))
            ),
        }
    }
}

/// The case runs that did not simply pass (or that a baseline lists), the most serious
/// first; skips that share a reason are one row, as on the console.
fn rows(report: &RunReport) -> Vec<Row<'_>> {
    let mut listed: Vec<&CaseReport> = report
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Pass || c.baseline.is_some())
        .collect();
    // Stable: within a rank, the report's order (case id, then revision).
    listed.sort_by_key(|c| rank(c));
    let skipped = |c: &CaseReport| c.outcome == Outcome::Skip && c.baseline.is_none();
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for case in listed.iter().filter(|c| skipped(c)) {
        let reason = case.reason.as_deref().unwrap_or("no reason given");
        match reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => reasons.push((reason, 1)),
        }
    }
    let mut rows = Vec::new();
    for case in listed {
        if !skipped(case) {
            rows.push(Row::Run(case));
            continue;
        }
        let reason = case.reason.as_deref().unwrap_or("no reason given");
        match reasons.iter().find(|(r, _)| *r == reason) {
            Some((_, 1)) => rows.push(Row::Run(case)),
            // The group's row stands where its first skip would.
            Some((_, n))
                if !rows
                    .iter()
                    .any(|r| matches!(r, Row::Skips { reason: g, .. } if *g == reason)) =>
            {
                rows.push(Row::Skips { reason, runs: *n })
            }
            _ => {}
        }
    }
    rows
}

/// The run's verdict in words, from its exit code (never judged again here).
fn verdict(report: &RunReport) -> String {
    match (report.interrupted, report.exit_code) {
        (Some(signal), _) => format!("interrupted by {signal}"),
        (None, exit_code::OK) => "passed".to_string(),
        (None, exit_code::FAILED) => "failed".to_string(),
        (None, exit_code::HARNESS) => "harness or environment error".to_string(),
        (None, _) => "did not finish".to_string(),
    }
}

/// What fails the run first, then what the run reported without failing for it.
fn rank(case: &CaseReport) -> u8 {
    match (&case.baseline, case.outcome) {
        (Some(BaselineMark::Stale { .. }), _) => 0,
        (Some(BaselineMark::ExpectedFailure { .. }), Outcome::Fail) => 3,
        (_, Outcome::Fail) => 0,
        (_, Outcome::Error) => 1,
        (_, Outcome::Warn) => 2,
        (_, Outcome::Info) => 4,
        (_, Outcome::Unsupported) => 5,
        (_, Outcome::Skip) => 6,
        (_, Outcome::Pass) => 7,
    }
}

fn label(case: &CaseReport) -> String {
    let outcome = case.outcome.as_str().to_ascii_uppercase();
    match &case.baseline {
        Some(BaselineMark::ExpectedFailure { .. }) => format!("{outcome} (expected)"),
        Some(BaselineMark::Stale { .. }) => format!("{outcome} (stale baseline entry)"),
        None => outcome,
    }
}

/// The first line of `text`, cut to `max` characters (never inside a character), with
/// `…` when something was left out.
fn one_line(text: &str, max: usize) -> String {
    let first = text.lines().next().unwrap_or("");
    let more_lines = text.trim_end().lines().nth(1).is_some();
    match first.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &first[..end]),
        None if more_lines => format!("{first} …"),
        None => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::fixture::{interrupted_report, sample_report};

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render_step_summary(&sample_report()));
    }

    #[test]
    fn interrupted_snapshot() {
        insta::assert_snapshot!(render_step_summary(&interrupted_report()));
    }

    #[test]
    fn a_green_run_has_no_table() {
        let mut report = sample_report();
        report.cases.retain(|c| c.outcome == Outcome::Pass);
        let report = report.rejudge();
        let md = render_step_summary(&report);
        assert!(md.starts_with("### MCP authorization conformance: passed (exit code 0)"));
        assert!(!md.contains("| Outcome |"), "{md}");
    }

    #[test]
    fn baseline_marks_are_labelled_and_stale_entries_come_first() {
        let mut report = sample_report();
        for case in &mut report.cases {
            case.baseline = match case.outcome {
                Outcome::Pass => Some(BaselineMark::Stale {
                    entry: case.id.clone(),
                }),
                Outcome::Warn => Some(BaselineMark::ExpectedFailure {
                    entry: case.id.clone(),
                }),
                _ => None,
            };
        }
        report.baseline = Some(crate::vocab::BaselineSummary {
            file: "expected-failures.yaml".into(),
            ..Default::default()
        });
        let md = render_step_summary(&report.rejudge());
        let table = md.split("| Outcome |").nth(1).unwrap();
        let first = table.lines().nth(2).unwrap();
        assert!(
            first.starts_with("| PASS (stale baseline entry) | `server/prm/resource-matches-url`"),
            "{md}"
        );
        assert!(md.contains("| WARN (expected) |"), "{md}");
        assert!(md.contains(
            "Baseline `expected-failures.yaml`: 1 expected failures (0 of them fails), 1 stale \
             entries (each fails the run)"
        ));
    }

    #[test]
    fn a_huge_run_is_cut_well_under_a_mebibyte_and_says_how_much_is_left() {
        let mut report = sample_report();
        let template = report.cases[1].clone();
        report.cases = (0..20_000)
            .map(|i| CaseReport {
                id: format!("server/area/case-{i}"),
                reason: Some(format!("{}\nsecond line", "x".repeat(1_000))),
                ..template.clone()
            })
            .collect();
        let md = render_step_summary(&report.rejudge());
        assert!(md.len() <= BUDGET, "{}", md.len());
        let rows = md.lines().filter(|l| l.starts_with("| FAIL |")).count();
        assert!(rows > 100, "{rows}");
        assert!(
            md.trim_end().ends_with(&format!(
                "… and {} more case runs (the reports list every one)",
                20_000 - rows
            )),
            "{:?}",
            md.lines().last()
        );
        assert!(!md.contains("second line"));
    }

    #[test]
    fn skips_that_share_a_reason_are_one_row() {
        let mut report = sample_report();
        let skip = report
            .cases
            .iter()
            .find(|c| c.outcome == Outcome::Skip)
            .unwrap()
            .clone();
        for i in 0..3 {
            report.cases.push(CaseReport {
                id: format!("server/token/case-{i}"),
                reason: Some("no token was given".into()),
                ..skip.clone()
            });
        }
        let md = render_step_summary(&report.rejudge());
        assert!(
            md.contains("| SKIP ×3 | 3 case runs | | | no token was given |"),
            "{md}"
        );
        assert!(!md.contains("server/token/case-"), "{md}");
        assert!(
            md.contains("| SKIP | `client/registration/dynamic` |"),
            "{md}"
        );
    }

    #[test]
    fn reasons_are_one_line_cut_on_a_character() {
        assert_eq!(one_line("a\nb", 10), "a …");
        assert_eq!(one_line(&"é".repeat(5), 3), "ééé…");
        assert_eq!(one_line("short", 10), "short");
        assert_eq!(one_line("", 10), "");
    }
}
