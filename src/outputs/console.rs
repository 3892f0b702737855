//! The console report: what a person sees in the terminal at the end of a run.
//!
//! One aligned line per case, so that a long run can be scanned by eye; under each failure
//! and warning, just enough to act on (the spec reference and the broken checks' expected
//! and actual values); then one closing line of counts and the exit code. The full
//! evidence lives in the Markdown and JSON reports.

use std::fmt::Write as _;

use crate::vocab::{BaselineMark, CaseReport, Outcome, RunReport};

use super::text::spec_ref;

const RESET: &str = "\x1b[0m";

/// Where the detail lines under a case start: under the case id.
const INDENT: &str = "         ";

/// How the console report is rendered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsoleStyle {
    /// Outcome labels coloured with ANSI escapes; without, the text contains no escape
    /// code at all (for pipes, logs, and CI systems that do not render them).
    pub color: bool,
    /// One line per skipped case run; without, the skips that share a reason are one
    /// line (`SKIP ×20  no token was given: …`): an unauthenticated server run skips
    /// dozens of cases for the same reason.
    pub verbose: bool,
}

impl ConsoleStyle {
    /// Every line, no colour: the report of one case's run in a `cargo test` failure.
    pub const FULL: ConsoleStyle = ConsoleStyle {
        color: false,
        verbose: true,
    };
}

/// Renders the report for a terminal.
pub fn render_console(report: &RunReport, style: ConsoleStyle) -> String {
    let color = style.color;
    let mut out = String::new();
    // `write!` into a `String` cannot fail; the results are ignored for that reason.
    if let Some(error) = &report.error {
        let prefix = paint("error:", "\x1b[1;31m", color);
        let _ = writeln!(out, "{prefix} {}\n", indent_rest(error, "       "));
    }

    let id_width = report
        .cases
        .iter()
        .map(|c| c.id.chars().count())
        .max()
        .unwrap_or(0);
    let req_width = report
        .cases
        .iter()
        .map(|c| c.requirement.chars().count())
        .max()
        .unwrap_or(0);
    let skips = SkipGroups::of(report, style.verbose);
    for case in &report.cases {
        if skips.collapses(case) {
            continue;
        }
        let label = paint(
            &format!("{:<5}", label(case.outcome)),
            colour(case.outcome),
            color,
        );
        let _ = write!(
            out,
            "  {label}  {:<id_width$}  [{}]  {:<req_width$} {}",
            case.id, case.revision, case.requirement, case.level
        );
        if let Some(note) = baseline_note(case) {
            let _ = write!(out, " — {note}");
        }
        if case.outcome != Outcome::Pass {
            if let Some(reason) = &case.reason {
                let _ = write!(out, " — {}", indent_rest(reason, INDENT));
            }
        }
        out.push('\n');
        if matches!(case.outcome, Outcome::Fail | Outcome::Warn) {
            details(&mut out, case);
        }
        // Whatever the verdict: the target left processes behind, which a vendor wants
        // to know (a note, not a verdict).
        for left in case.process.iter().flat_map(|p| &p.outlived) {
            let _ = writeln!(
                out,
                "{INDENT}note: still running after the client was stopped, killed: {left}"
            );
        }
    }

    skips.render(&mut out, color);
    baseline_block(&mut out, report, color);

    let s = &report.summary;
    let _ = writeln!(
        out,
        "\n{} passed, {} failed, {} warned, {} info, {} skipped, {} unsupported, {} errors{}",
        s.pass,
        s.fail,
        s.warn,
        s.info,
        s.skip,
        s.unsupported,
        s.error,
        baseline_counts(report)
    );
    for target in &report.targets {
        for left in target.process.iter().flat_map(|p| &p.outlived) {
            let _ = writeln!(
                out,
                "note: still running after the server under test was stopped, killed: {left}"
            );
        }
    }
    for left in &report.outlived {
        let _ = writeln!(
            out,
            "note: still running at the end of the run, killed: {left}"
        );
    }
    if let Some(signal) = report.interrupted {
        let unfinished = report
            .cases
            .iter()
            .filter(|c| c.reason.as_deref() == Some(signal.case_reason().as_str()))
            .count();
        let prefix = paint("interrupted", "\x1b[1;31m", color);
        let _ = writeln!(
            out,
            "{prefix} by {signal}: {unfinished} of {} case runs did not finish (error: interrupted)",
            report.cases.len()
        );
    }
    let _ = writeln!(out, "exit code: {}", report.exit_code);
    out
}

/// What the baseline made of a case run, for its line.
fn baseline_note(case: &CaseReport) -> Option<String> {
    Some(match case.baseline.as_ref()? {
        BaselineMark::ExpectedFailure { entry } => format!("expected failure ({entry})"),
        BaselineMark::Stale { entry } => format!("stale baseline entry {entry}: now passes"),
    })
}

/// The closing line's baseline counts, when there are any: expected failures do not fail
/// the run, stale runs do.
fn baseline_counts(report: &RunReport) -> String {
    let s = &report.summary;
    if report.baseline.is_none() || (s.expected_failure == 0 && s.stale == 0) {
        return String::new();
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "; baseline: {} expected failure{}, {} stale run{}",
        s.expected_failure,
        plural(s.expected_failure),
        s.stale,
        plural(s.stale)
    )
}

/// How many unmatched entries the console names; report.json lists them all.
const UNMATCHED_SHOWN: usize = 5;

/// After the cases: the stale entries of the baseline (to remove), and the entries that
/// listed no run of this run.
fn baseline_block(out: &mut String, report: &RunReport, color: bool) {
    let Some(baseline) = &report.baseline else {
        return;
    };
    let _ = writeln!(out, "\nbaseline {}:", baseline.file);
    let _ = writeln!(
        out,
        "  {} entr{} listed expected failures, {} stale, {} listed no run",
        baseline.expected.len(),
        if baseline.expected.len() == 1 {
            "y"
        } else {
            "ies"
        },
        baseline.stale.len(),
        baseline.unmatched.len()
    );
    if !baseline.stale.is_empty() {
        let label = paint("stale entries", "\x1b[31m", color);
        let _ = writeln!(
            out,
            "  {label}: every run they list now passes; remove them from {}:",
            baseline.file
        );
        for entry in &baseline.stale {
            let _ = writeln!(out, "    - {entry}");
        }
    }
    if !baseline.unmatched.is_empty() {
        let shown: Vec<&str> = baseline
            .unmatched
            .iter()
            .take(UNMATCHED_SHOWN)
            .map(String::as_str)
            .collect();
        let more = baseline.unmatched.len() - shown.len();
        let more = if more > 0 {
            format!(" and {more} more (report.json lists them)")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  listed no run of this run (another mode's scenarios, cases not run or only \
             skipped): {}{more}",
            shown.join(", ")
        );
        if baseline.unmatched.iter().any(|e| is_official_check(e)) {
            let _ = writeln!(
                out,
                "  note: `<scenario>:<check-id>` entries name the official suite's checks, which \
                 are not this suite's cases: they never list a run here"
            );
        }
    }
}

/// An official per-check entry: a colon that does not follow one of our case ids (whose
/// colon is followed by a revision) or test names.
fn is_official_check(entry: &str) -> bool {
    let ours = ["server", "client", "authorization-server"]
        .iter()
        .any(|r| entry.starts_with(&format!("{r}/")) || entry.starts_with(&format!("{r}::")));
    entry.contains(':') && !ours
}

/// The skipped case runs that share a reason with another, counted per reason, in the
/// order the reasons first appear; empty when `verbose` asks for every line.
struct SkipGroups<'a> {
    groups: Vec<(&'a str, usize)>,
}

impl<'a> SkipGroups<'a> {
    fn of(report: &'a RunReport, verbose: bool) -> Self {
        let mut groups: Vec<(&str, usize)> = Vec::new();
        if !verbose {
            for case in report.cases.iter().filter(|c| c.outcome == Outcome::Skip) {
                let reason = skip_reason(case);
                match groups.iter_mut().find(|(r, _)| *r == reason) {
                    Some((_, n)) => *n += 1,
                    None => groups.push((reason, 1)),
                }
            }
        }
        // A reason only one run gives keeps its case line: the id says more than a count.
        groups.retain(|(_, n)| *n > 1);
        SkipGroups { groups }
    }

    /// Whether the case's line is left out, for its group's line.
    fn collapses(&self, case: &CaseReport) -> bool {
        case.outcome == Outcome::Skip && self.groups.iter().any(|(r, _)| *r == skip_reason(case))
    }

    /// One line per group after the case lines, and how to see the cases.
    fn render(&self, out: &mut String, color: bool) {
        if self.groups.is_empty() {
            return;
        }
        for (reason, n) in &self.groups {
            let label = paint("SKIP ", colour(Outcome::Skip), color);
            let count = format!("×{n}");
            let _ = writeln!(out, "  {label}  {count:<5} {}", indent_rest(reason, INDENT));
        }
        let _ = writeln!(out, "{INDENT}(--verbose lists every skipped case)");
    }
}

fn skip_reason(case: &CaseReport) -> &str {
    case.reason.as_deref().unwrap_or("no reason given")
}

/// The indented block under a failure or warning.
fn details(out: &mut String, case: &CaseReport) {
    for spec in &case.spec {
        let _ = writeln!(out, "{INDENT}spec: {}", spec_ref(spec));
    }
    let value_indent = format!("{INDENT}              ");
    for check in case.checks.iter().filter(|c| c.outcome != Outcome::Pass) {
        let _ = writeln!(out, "{INDENT}[{}] {}", check.outcome, check.description);
        let _ = writeln!(
            out,
            "{INDENT}    expected: {}",
            indent_rest(&check.expected, &value_indent)
        );
        let _ = writeln!(
            out,
            "{INDENT}    actual:   {}",
            indent_rest(&check.actual, &value_indent)
        );
    }
}

/// Indents every line after the first, so a multi-line value stays inside its block.
fn indent_rest(text: &str, indent: &str) -> String {
    let text = text.trim_end_matches(['\n', '\r']);
    text.lines()
        .collect::<Vec<_>>()
        .join(&format!("\n{indent}"))
}

fn label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "PASS",
        Outcome::Skip => "SKIP",
        Outcome::Unsupported => "UNSUPPORTED",
        Outcome::Info => "INFO",
        Outcome::Warn => "WARN",
        Outcome::Fail => "FAIL",
        Outcome::Error => "ERROR",
    }
}

/// Green pass, red fail and error, yellow warn, cyan info, dim skip and unsupported.
fn colour(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "\x1b[32m",
        Outcome::Fail | Outcome::Error => "\x1b[31m",
        Outcome::Warn => "\x1b[33m",
        Outcome::Info => "\x1b[36m",
        Outcome::Skip | Outcome::Unsupported => "\x1b[2m",
    }
}

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("{code}{text}{RESET}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::fixture::{baseline_report, interrupted_report, sample_report};

    const PLAIN: ConsoleStyle = ConsoleStyle {
        color: false,
        verbose: false,
    };

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render_console(&sample_report(), PLAIN));
    }

    #[test]
    fn interrupted_snapshot() {
        insta::assert_snapshot!(render_console(&interrupted_report(), PLAIN));
    }

    /// The sample with four more skips: three of the token cases for one reason (in two
    /// revisions), one proxy case for another.
    fn skipping_report() -> RunReport {
        let mut report = sample_report();
        let template = report
            .cases
            .iter()
            .find(|c| c.outcome == Outcome::Skip)
            .unwrap()
            .clone();
        let no_token = "no token was given: `server --url` without --token cannot send a valid token (use `server --command` or give --token)";
        for (id, revision) in [
            (
                "server/token/valid-token-accepted",
                crate::vocab::Revision::R2025_06_18,
            ),
            (
                "server/token/valid-token-accepted",
                crate::vocab::Revision::R2025_11_25,
            ),
            (
                "server/token/wrong-audience",
                crate::vocab::Revision::R2025_11_25,
            ),
        ] {
            report.cases.push(CaseReport {
                id: id.into(),
                revision,
                reason: Some(no_token.into()),
                ..template.clone()
            });
        }
        report.cases.push(CaseReport {
            id: "server/proxy/consent-per-client".into(),
            reason: Some("not declared an OAuth proxy (--oauth-proxy)".into()),
            ..template
        });
        report.rejudge()
    }

    #[test]
    fn skips_that_share_a_reason_are_one_line() {
        insta::assert_snapshot!(render_console(&skipping_report(), PLAIN));
    }

    #[test]
    fn verbose_lists_every_skipped_case() {
        let report = skipping_report();
        let verbose = render_console(
            &report,
            ConsoleStyle {
                verbose: true,
                ..PLAIN
            },
        );
        assert_eq!(verbose.matches("  SKIP   ").count(), 5, "{verbose}");
        assert!(!verbose.contains('×'), "{verbose}");
        let grouped = render_console(&report, PLAIN);
        // Two reasons of one run each keep their lines; the third is one line for three.
        assert_eq!(grouped.matches("  SKIP   ").count(), 3, "{grouped}");
        assert_eq!(
            grouped.matches("  SKIP   ×3    no token was given").count(),
            1,
            "{grouped}"
        );
        assert!(
            !grouped.contains("server/token/wrong-audience"),
            "{grouped}"
        );
        // The counts are the report's, whatever the lines.
        assert!(grouped.contains(" 5 skipped, "), "{grouped}");
    }

    #[test]
    fn baseline_snapshot() {
        insta::assert_snapshot!(render_console(&baseline_report(), PLAIN));
    }

    #[test]
    fn no_escape_codes_without_color() {
        let mut report = sample_report();
        report.error = Some("target unreachable".into());
        assert!(!render_console(&report, PLAIN).contains('\x1b'));
    }

    #[test]
    fn colours_the_labels_when_asked() {
        let out = render_console(
            &sample_report(),
            ConsoleStyle {
                color: true,
                ..PLAIN
            },
        );
        assert!(out.contains("\x1b[32mPASS \x1b[0m"));
        assert!(out.contains("\x1b[31mFAIL \x1b[0m"));
        assert!(out.contains("\x1b[31mERROR\x1b[0m"));
        assert!(out.contains("\x1b[33mWARN \x1b[0m"));
        assert!(out.contains("\x1b[36mINFO \x1b[0m"));
        assert!(out.contains("\x1b[2mSKIP \x1b[0m"));
    }

    #[test]
    fn ends_with_counts_and_exit_code() {
        let out = render_console(&sample_report(), PLAIN);
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(
            lines[lines.len() - 2],
            "1 passed, 2 failed, 1 warned, 1 info, 1 skipped, 0 unsupported, 1 errors"
        );
        assert_eq!(lines[lines.len() - 1], "exit code: 1");
    }

    #[test]
    fn run_error_comes_first() {
        let mut report = sample_report();
        report.error = Some("target http://127.0.0.1:38080/mcp is unreachable".into());
        let out = render_console(&report, PLAIN);
        assert!(out.starts_with("error: target http://127.0.0.1:38080/mcp is unreachable\n"));
    }

    #[test]
    fn multi_line_values_stay_indented() {
        assert_eq!(indent_rest("a\nb\n", "  "), "a\n  b");
    }
}
