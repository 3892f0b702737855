//! The Markdown report, for people: a CI job summary, a pull-request comment, a file to
//! attach to a bug report. It leads with the verdicts and then gives, for every case that
//! did not simply pass, the evidence a maintainer needs to reproduce it: the requirement,
//! the checks, and every HTTP exchange as it went over the wire.

use std::fmt::Write as _;

use crate::vocab::{BaselineMark, CaseReport, Exchange, Outcome, RunReport};

use super::md_escape::{cell, code, code_text, fenced, para, value_cell};
use super::text::{cut_chars, duration, exchange_line, omitted_exchanges_line, spec_ref};
use super::wire_text::{request_text, response_text, token_text, Cuts};

/// Bodies longer than this many characters are cut in the Markdown report (the JSON
/// report keeps them whole): a page of evidence is readable, a megabyte is not.
const BODY_LIMIT: usize = 2_000;

/// The order of the console's closing line, so that both summaries read alike.
const SUMMARY_ORDER: [Outcome; 7] = [
    Outcome::Pass,
    Outcome::Fail,
    Outcome::Warn,
    Outcome::Info,
    Outcome::Skip,
    Outcome::Unsupported,
    Outcome::Error,
];

/// Renders the whole report as GitHub-flavoured Markdown.
pub fn render_markdown(report: &RunReport) -> String {
    let mut md = String::new();
    // `write!` into a `String` cannot fail; the results are ignored for that reason.
    let _ = writeln!(md, "# MCP authorization conformance report\n");
    run_facts(&mut md, report);
    summary(&mut md, report);
    case_table(&mut md, report);

    let detailed: Vec<_> = report
        .cases
        .iter()
        .filter(|c| !matches!(c.outcome, Outcome::Pass | Outcome::Skip))
        .collect();
    if !detailed.is_empty() {
        let _ = writeln!(md, "## Details\n");
        for case in detailed {
            details(&mut md, case);
        }
    }
    // Every block above ends with a blank line; a file should end with exactly one newline.
    while md.ends_with("\n\n") {
        md.pop();
    }
    md
}

fn run_facts(md: &mut String, report: &RunReport) {
    let revisions: Vec<_> = report.revisions.iter().map(|r| r.as_str()).collect();
    let _ = writeln!(
        md,
        "- **Tool:** {} {}",
        para(&report.tool.name),
        para(&report.tool.version)
    );
    let _ = writeln!(md, "- **Targets:**");
    for t in &report.targets {
        let reference = if t.reference {
            " (reference implementation)"
        } else {
            ""
        };
        let _ = writeln!(
            md,
            "  - {}: {}{reference}",
            para(t.role.as_str()),
            para(&t.location)
        );
    }
    let _ = writeln!(md, "- **Revisions:** {}", revisions.join(", "));
    let _ = writeln!(md, "- **Profile:** {}", para(report.profile.as_str()));
    let _ = writeln!(md, "- **Started at:** {}", para(&report.started_at));
    let _ = writeln!(md, "- **Duration:** {}", duration(report.duration_ms));
    let _ = writeln!(md, "- **Exit code:** {}", report.exit_code);
    if let Some(error) = &report.error {
        let _ = writeln!(md, "\n> **Run error:** {}", para(error));
    }
    if let Some(signal) = report.interrupted {
        let _ = writeln!(
            md,
            "\n> **Interrupted** by {signal}: the cases that had not finished are errors \
             (`interrupted ({signal})`), not verdicts."
        );
    }
    left_behind(md, report);
    md.push('\n');
}

/// Processes the targets left running after they were stopped, wherever they were
/// found: for any case, passed or not (a note, never a verdict).
fn left_behind(md: &mut String, report: &RunReport) {
    let mut lines = Vec::new();
    for t in &report.targets {
        for left in t.process.iter().flat_map(|p| &p.outlived) {
            lines.push(format!("the server under test: {}", para(left)));
        }
    }
    for c in &report.cases {
        for left in c.process.iter().flat_map(|p| &p.outlived) {
            lines.push(format!(
                "{} ({}): {}",
                code_text(&c.id),
                c.revision,
                para(left)
            ));
        }
    }
    for left in &report.outlived {
        lines.push(format!("at the end of the run: {}", para(left)));
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "\n**Processes left running** after their target was stopped (the harness killed them):\n"
    );
    for line in lines {
        let _ = writeln!(md, "- {line}");
    }
}

fn summary(md: &mut String, report: &RunReport) {
    let _ = writeln!(md, "## Summary\n");
    let _ = writeln!(md, "| Outcome | Cases |\n|---|---:|");
    for outcome in SUMMARY_ORDER {
        let _ = writeln!(
            md,
            "| {} | {} |",
            label(outcome),
            report.summary.count(outcome)
        );
    }
    let _ = writeln!(md, "| **total** | **{}** |\n", report.summary.total);
    baseline_summary(md, report);
}

/// Under the counts: what the baseline (`--baseline`) made of the run.
fn baseline_summary(md: &mut String, report: &RunReport) {
    let Some(baseline) = &report.baseline else {
        return;
    };
    let s = &report.summary;
    let _ = writeln!(
        md,
        "**Baseline** {}: {} run(s) are expected failures ({} of them fails, which no longer \
         fail the run); {} stale run(s), each failing the run.\n",
        code(&baseline.file),
        s.expected_failure,
        s.expected_fail,
        s.stale
    );
    let list = |entries: &[String]| {
        entries
            .iter()
            .map(|e| code(e))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !baseline.stale.is_empty() {
        let _ = writeln!(
            md,
            "- **Stale entries** (every run they list now passes; remove them from {}): {}",
            code(&baseline.file),
            list(&baseline.stale)
        );
    }
    if !baseline.expected.is_empty() {
        let _ = writeln!(
            md,
            "- **Entries that listed expected failures:** {}",
            list(&baseline.expected)
        );
    }
    if !baseline.unmatched.is_empty() {
        let _ = writeln!(
            md,
            "- **Entries that listed no run of this run** (another mode's scenarios, official \
             `<scenario>:<check-id>` entries, cases not run or only skipped): {}",
            list(&baseline.unmatched)
        );
    }
    md.push('\n');
}

/// The outcome of a case run, with what the baseline made of it.
fn outcome_cell(case: &CaseReport) -> String {
    let outcome = label(case.outcome);
    match &case.baseline {
        None => outcome,
        Some(BaselineMark::ExpectedFailure { entry }) => {
            format!("{outcome} (expected failure: {})", cell(&code(entry)))
        }
        Some(BaselineMark::Stale { entry }) => {
            format!(
                "{outcome} (stale baseline entry {}: now passes)",
                cell(&code(entry))
            )
        }
    }
}

fn case_table(md: &mut String, report: &RunReport) {
    let _ = writeln!(md, "## Cases\n");
    if report.cases.is_empty() {
        let _ = writeln!(md, "No case was run.\n");
        return;
    }
    let _ = writeln!(
        md,
        "| Outcome | Case | Revision | Requirement | Level | Title |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for c in &report.cases {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            outcome_cell(c),
            code(&c.id),
            c.revision,
            cell(&c.requirement),
            c.level,
            cell(&c.title)
        );
    }
    md.push('\n');
}

fn details(md: &mut String, case: &CaseReport) {
    let _ = writeln!(
        md,
        "### {} {} ({})\n",
        label(case.outcome),
        code_text(&case.id),
        case.revision
    );
    let _ = writeln!(md, "{}\n", para(&case.title));
    let _ = writeln!(
        md,
        "**Requirement {} ({}):** {}\n",
        para(&case.requirement),
        case.level,
        para(&case.requirement_text)
    );
    if !case.spec.is_empty() {
        let specs: Vec<_> = case.spec.iter().map(|s| para(&spec_ref(s))).collect();
        let _ = writeln!(md, "**Spec:** {}\n", specs.join("; "));
    }
    if let Some(reason) = &case.reason {
        let _ = writeln!(md, "**Reason:** {}\n", para(reason));
    }
    if let Some(BaselineMark::ExpectedFailure { entry }) = &case.baseline {
        let _ = writeln!(
            md,
            "**Baseline:** an expected failure, listed by {}\n",
            code(entry)
        );
    }
    // What the mocks accepted without verifying, e.g. a client ID metadata document
    // they could not fetch: not a verdict, but the reader should know.
    for note in case.process.iter().flat_map(|p| &p.notes) {
        let _ = writeln!(md, "**Mock note:** {}\n", para(note));
    }
    for left in case.process.iter().flat_map(|p| &p.outlived) {
        let _ = writeln!(
            md,
            "**Left running** after the client was stopped, killed: {}\n",
            para(left)
        );
    }

    if !case.checks.is_empty() {
        let _ = writeln!(
            md,
            "| Outcome | Check | Expected | Actual |\n|---|---|---|---|"
        );
        for c in &case.checks {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                label(c.outcome),
                cell(&c.description),
                value_cell(&c.expected),
                value_cell(&c.actual)
            );
        }
        md.push('\n');
        // The case file's explanation of why a broken check matters, when it has one.
        let whys: Vec<_> = case
            .checks
            .iter()
            .filter(|c| c.outcome != Outcome::Pass)
            .filter_map(|c| Some((c, c.why.as_ref()?)))
            .collect();
        if !whys.is_empty() {
            let _ = writeln!(md, "**Why it matters:**\n");
            for (c, why) in whys {
                let _ = writeln!(md, "- {}: {}", para(&c.description), para(why));
            }
            md.push('\n');
        }
    }

    if case.exchanges.is_empty() {
        let _ = writeln!(md, "No HTTP exchange was recorded.\n");
    }
    for (i, exchange) in case.exchanges.iter().enumerate() {
        let _ = writeln!(
            md,
            "**Exchange {}** ({}, {}): {}\n",
            i + 1,
            para(&exchange.step),
            duration(exchange.elapsed_ms),
            para(&exchange_line(exchange))
        );
        fenced(md, "http", &http_text(exchange));
        if let Some(token) = &exchange.sent_token {
            let _ = writeln!(
                md,
                "Token sent in the {} (decoded, signature redacted):\n",
                para(&token.carried_in)
            );
            fenced(md, "json", &token_text(token));
        }
    }
    if let Some(line) = omitted_exchanges_line(case) {
        let _ = writeln!(md, "{}\n", para(&line));
    }
}

/// The exchange as it would look on the wire: request line, headers, body, a blank line,
/// then the response (or the transport error that replaced it). Bodies are cut, header
/// values are shown whole (the report's budget bounds them already).
fn http_text(exchange: &Exchange) -> String {
    let cuts = Cuts {
        body: &cut,
        header_value: &|value: &str| value.to_string(),
    };
    format!(
        "{}\n{}",
        request_text(exchange, &cuts),
        response_text(exchange, &cuts)
    )
}

/// A body cut to [`BODY_LIMIT`] characters (not bytes: never inside a UTF-8 sequence),
/// with a note saying how much was left out and where to find it.
fn cut(body: &str) -> String {
    cut_chars(body, BODY_LIMIT, "report.json")
}

/// The outcome as the console prints it, so that both read alike.
fn label(outcome: Outcome) -> String {
    outcome.as_str().to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::fixture::{baseline_report, interrupted_report, sample_report};

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render_markdown(&sample_report()));
    }

    #[test]
    fn interrupted_snapshot() {
        insta::assert_snapshot!(render_markdown(&interrupted_report()));
    }

    #[test]
    fn baseline_snapshot() {
        insta::assert_snapshot!(render_markdown(&baseline_report()));
    }

    #[test]
    fn details_only_for_cases_that_neither_pass_nor_skip() {
        let md = render_markdown(&sample_report());
        let details = md.split("## Details").nth(1).unwrap();
        assert!(details.contains("`server/auth/unauthenticated-gets-401`"));
        assert!(details.contains("`server/prm/metadata-served`"));
        assert!(!details.contains("`server/prm/resource-matches-url`"));
        assert!(!details.contains("`client/registration/dynamic`"));
        assert!(details.contains("[truncated by harness at body limit]"));
        assert!(details.contains("[transport error: connection refused (os error 111)]"));
    }

    #[test]
    fn quoted_json_and_regexes_are_escaped_once() {
        let mut report = sample_report();
        let case = report
            .cases
            .iter_mut()
            .find(|c| c.outcome == Outcome::Fail)
            .unwrap();
        case.checks[0].description = r#"body does not match /"result"\s*:/"#.into();
        case.checks[0].expected = r#"does not match /"result"\s*:/"#.into();
        case.checks[0].actual = r#""{\"resource\": \"http://127.0.0.1:38080/mcp\"}""#.into();
        let md = render_markdown(&report);
        assert!(
            md.contains(
                r#"| FAIL | body does not match /"result"\s\*:/ | `does not match /"result"\s*:/` | `"{\"resource\": \"http://127.0.0.1:38080/mcp\"}"` |"#
            ),
            "{md}"
        );
        assert!(!md.contains(r#"\\""#), "{md}");
    }

    #[test]
    fn run_error_is_shown() {
        let mut report = sample_report();
        report.error = Some("target unreachable".into());
        assert!(render_markdown(&report).contains("> **Run error:** target unreachable"));
    }

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary() {
        let body = "é".repeat(BODY_LIMIT + 5);
        let out = cut(&body);
        assert!(out.starts_with(&"é".repeat(BODY_LIMIT)));
        assert!(out.ends_with(&format!(
            "[cut at 2000 of {} characters; report.json has the rest]",
            BODY_LIMIT + 5
        )));
        assert_eq!(cut("short\n"), "short");
    }
}
