//! The HTML report (`report.html`): one self-contained page for a browser, no network and
//! no script needed. It leads with the run's facts and exit code, then the counts per
//! outcome and revision, a case × revision table whose non-passing cells link to their
//! evidence, and the evidence itself: fails and errors open, the rest one click away.
//!
//! This file turns the report into the page's view; the template
//! (`templates/report.html.j2`) only lays it out. Every count shown is the report's own
//! (its summary) or a count of its cases by the same rule (`Summary::of`).

use serde::Serialize;

use crate::vocab::{exit_code, Outcome, Revision, RunReport, Summary};

use super::html_evidence::{is_detailed, Badge, Budget, ProcessView, RunDetail};
use super::html_templates::render_page;
use super::text::duration;

/// Evidence bytes one report page carries (escaped, as in the file); past it exchanges
/// are summarised in one line. Keeps report.html well under the 16 MB report bound.
const EVIDENCE_BUDGET: usize = 8 << 20;
/// Characters kept of one body or one output stream.
const BODY_LIMIT: usize = 8_000;

/// The outcomes in the order of the console's closing line.
pub(crate) const OUTCOME_ORDER: [Outcome; 7] = [
    Outcome::Pass,
    Outcome::Fail,
    Outcome::Warn,
    Outcome::Info,
    Outcome::Skip,
    Outcome::Unsupported,
    Outcome::Error,
];

/// Renders the whole report as one HTML page.
pub fn render_html(report: &RunReport) -> String {
    render_page("report.html", &ReportView::of(report))
}

#[derive(Serialize)]
struct ReportView {
    tool: String,
    version: String,
    targets: Vec<TargetView>,
    revisions: Vec<&'static str>,
    profile: &'static str,
    started_at: String,
    duration: String,
    exit_code: i32,
    exit_meaning: String,
    /// The exit code is not 0.
    exit_bad: bool,
    error: Option<String>,
    interrupted: Option<String>,
    left_running: Vec<String>,
    baseline: Option<BaselineView>,
    summary: SummaryTable,
    cases: Vec<CaseRow>,
    /// The outcomes some case run has, for the table's filter.
    outcomes_present: Vec<&'static str>,
    details: Vec<RunDetail>,
}

#[derive(Serialize)]
struct TargetView {
    role: &'static str,
    location: String,
    reference: bool,
    process: Option<ProcessView>,
}

#[derive(Serialize)]
struct BaselineView {
    file: String,
    expected: Vec<String>,
    stale: Vec<String>,
    unmatched: Vec<String>,
    /// Case runs the baseline lists that did not pass, and how many of them fail.
    expected_failure: usize,
    expected_fail: usize,
    stale_runs: usize,
}

/// Counts per outcome (rows) and revision (columns), and the report's totals.
#[derive(Serialize)]
pub(crate) struct SummaryTable {
    pub revisions: Vec<&'static str>,
    pub rows: Vec<SummaryRow>,
    /// Case runs per revision, and in all.
    pub totals: Vec<usize>,
    pub total: usize,
}

#[derive(Serialize)]
pub(crate) struct SummaryRow {
    pub badge: Badge,
    pub per_revision: Vec<usize>,
    pub total: usize,
}

impl SummaryTable {
    /// The report's summary, split by revision: the total column is the report's own
    /// summary, each revision's column the same count over that revision's case runs.
    pub(crate) fn of(report: &RunReport, revisions: &[Revision]) -> SummaryTable {
        let per_revision: Vec<Summary> = revisions
            .iter()
            .map(|r| Summary::of(report.cases.iter().filter(|c| c.revision == *r)))
            .collect();
        SummaryTable {
            revisions: revisions.iter().map(|r| r.as_str()).collect(),
            rows: OUTCOME_ORDER
                .iter()
                .map(|&o| SummaryRow {
                    badge: Badge::of_outcome(o),
                    per_revision: per_revision.iter().map(|s| s.count(o)).collect(),
                    total: report.summary.count(o),
                })
                .collect(),
            totals: per_revision.iter().map(|s| s.total).collect(),
            total: report.summary.total,
        }
    }
}

/// One case id: its runs, one cell per revision.
#[derive(Serialize)]
struct CaseRow {
    id: String,
    title: String,
    /// Each revision's runs of the case (usually one; none when it was not run for it).
    cells: Vec<Vec<CellRun>>,
    /// The outcomes of its runs, space-separated, for the filter.
    outcomes: String,
}

#[derive(Serialize)]
pub(crate) struct CellRun {
    pub badge: Badge,
    /// The detail section's fragment, for a run that has one.
    pub anchor: Option<String>,
}

/// The revisions of the report, then any revision a case ran for that the report does
/// not list (a hand-merged report): no case run is ever left out of the tables.
pub(crate) fn revision_columns(report: &RunReport) -> Vec<Revision> {
    let mut revisions = report.revisions.clone();
    for c in &report.cases {
        if !revisions.contains(&c.revision) {
            revisions.push(c.revision);
        }
    }
    revisions
}

/// Fragment of the detail section of the report's case run number `index`.
pub(crate) fn anchor(prefix: &str, index: usize) -> String {
    format!("{prefix}run-{}", index + 1)
}

impl ReportView {
    fn of(report: &RunReport) -> ReportView {
        let mut budget = Budget::new(EVIDENCE_BUDGET, BODY_LIMIT, "report.json");
        let revisions = revision_columns(report);
        let targets = report
            .targets
            .iter()
            .map(|t| TargetView {
                role: t.role.as_str(),
                location: t.location.clone(),
                reference: t.reference,
                process: t.process.as_ref().map(|p| ProcessView::of(p, &mut budget)),
            })
            .collect();

        let mut rows: Vec<CaseRow> = Vec::new();
        let mut details = Vec::new();
        for (index, case) in report.cases.iter().enumerate() {
            let detailed = is_detailed(case);
            let anchor = detailed.then(|| anchor("", index));
            if let Some(anchor) = &anchor {
                details.push(RunDetail::of(case, anchor.clone(), &mut budget));
            }
            let row = match rows.iter_mut().position(|r| r.id == case.id) {
                Some(i) => &mut rows[i],
                None => {
                    rows.push(CaseRow {
                        id: case.id.clone(),
                        title: case.title.clone(),
                        cells: revisions.iter().map(|_| Vec::new()).collect(),
                        outcomes: String::new(),
                    });
                    rows.last_mut().expect("just pushed")
                }
            };
            let column = revisions
                .iter()
                .position(|r| *r == case.revision)
                .expect("revision_columns lists every case's revision");
            row.cells[column].push(CellRun {
                badge: Badge::of_run(case),
                anchor,
            });
            if !row.outcomes.split(' ').any(|o| o == case.outcome.as_str()) {
                if !row.outcomes.is_empty() {
                    row.outcomes.push(' ');
                }
                row.outcomes.push_str(case.outcome.as_str());
            }
        }

        ReportView {
            tool: report.tool.name.clone(),
            version: report.tool.version.clone(),
            targets,
            revisions: report.revisions.iter().map(|r| r.as_str()).collect(),
            profile: report.profile.as_str(),
            started_at: report.started_at.clone(),
            duration: duration(report.duration_ms),
            exit_code: report.exit_code,
            exit_meaning: exit_code::meaning(report.exit_code, report.baseline.is_some())
                .to_string(),
            exit_bad: report.exit_code != 0,
            error: report.error.clone(),
            interrupted: report.interrupted.map(|s| s.to_string()),
            left_running: left_running(report),
            baseline: report.baseline.as_ref().map(|b| BaselineView {
                file: b.file.clone(),
                expected: b.expected.clone(),
                stale: b.stale.clone(),
                unmatched: b.unmatched.clone(),
                expected_failure: report.summary.expected_failure,
                expected_fail: report.summary.expected_fail,
                stale_runs: report.summary.stale,
            }),
            summary: SummaryTable::of(report, &revisions),
            cases: rows,
            outcomes_present: OUTCOME_ORDER
                .iter()
                .filter(|o| report.summary.count(**o) > 0)
                .map(|o| o.as_str())
                .collect(),
            details,
        }
    }
}

/// Processes the targets left running after they were stopped, wherever they were
/// found (a note, never a verdict), as the Markdown report lists them.
fn left_running(report: &RunReport) -> Vec<String> {
    let mut lines = Vec::new();
    for t in &report.targets {
        for left in t.process.iter().flat_map(|p| &p.outlived) {
            lines.push(format!("the server under test: {left}"));
        }
    }
    for c in &report.cases {
        for left in c.process.iter().flat_map(|p| &p.outlived) {
            lines.push(format!("{} ({}): {left}", c.id, c.revision));
        }
    }
    for left in &report.outlived {
        lines.push(format!("at the end of the run: {left}"));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::fixture::{interrupted_report, sample_report};
    use crate::vocab::{BaselineMark, BaselineSummary, HeaderPair};

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render_html(&sample_report()));
    }

    #[test]
    fn interrupted_snapshot() {
        insta::assert_snapshot!(render_html(&interrupted_report()));
    }

    #[test]
    fn hostile_text_is_escaped() {
        let mut report = sample_report();
        let hostile = r#"<script>alert("x")</script> & 'quoted' <img src=x onerror=alert(1)>"#;
        let case = &mut report.cases[1];
        case.reason = Some(hostile.into());
        case.title = hostile.into();
        case.id = format!("server/{hostile}");
        case.checks[0].actual = hostile.into();
        case.exchanges[0]
            .response_headers
            .push(HeaderPair::new("x-evil", hostile));
        case.exchanges[0].response_body = Some(hostile.into());
        report.targets[0].location = hostile.into();
        report.error = Some(hostile.into());
        let html = render_html(&report);
        assert!(!html.contains("<script>alert"), "a script got through");
        assert!(!html.contains("<img"), "markup got through");
        assert!(!html.contains("'quoted'"), "quotes are not escaped");
        assert!(html.contains(
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;"
        ));
        // The page's own filter script is the only script.
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn self_contained() {
        let html = render_html(&sample_report());
        for remote in ["http-equiv", "<link", "src=\"http", "@import", "url("] {
            assert!(!html.contains(remote), "{remote}");
        }
        assert!(html.starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn details_for_non_passing_runs_fails_open() {
        let html = render_html(&sample_report());
        let details = html.split("id=\"details\"").nth(1).unwrap();
        assert!(details.contains("server/auth/unauthenticated-gets-401"));
        assert!(details.contains("server/prm/metadata-served"));
        assert!(!details.contains("server/prm/resource-matches-url"));
        assert!(!details.contains("client/registration/dynamic"));
        // Fail and error open, warn and info closed.
        assert_eq!(html.matches("<details class=\"run\" id=\"run-").count(), 5);
        assert_eq!(
            html.matches("<details class=\"run\" id=\"run-2\" open>")
                .count(),
            1
        );
        assert_eq!(
            html.matches("<details class=\"run\" id=\"run-7\" open>")
                .count(),
            1
        );
        assert_eq!(
            html.matches("<details class=\"run\" id=\"run-4\">").count(),
            1
        );
    }

    #[test]
    fn baseline_marks_are_labelled() {
        let mut report = sample_report();
        report.cases[1].baseline = Some(BaselineMark::ExpectedFailure {
            entry: "server/auth/unauthenticated-gets-401".into(),
        });
        report.cases[0].baseline = Some(BaselineMark::Stale {
            entry: "server/prm/resource-matches-url".into(),
        });
        report.baseline = Some(BaselineSummary {
            file: "baseline.yml".into(),
            expected: vec!["server/auth/unauthenticated-gets-401".into()],
            stale: vec!["server/prm/resource-matches-url".into()],
            unmatched: vec!["auth/metadata-default".into()],
        });
        let report = report.rejudge();
        let html = render_html(&report);
        assert!(html.contains("FAIL (expected)"));
        assert!(html.contains("PASS (stale baseline entry)"));
        assert!(html.contains("baseline.yml"));
        assert!(html.contains("<code>auth/metadata-default</code>"));
        // The stale pass gets its details, open.
        assert!(html.contains("<details class=\"run\" id=\"run-1\" open>"));
    }

    #[test]
    fn exit_code_is_explained() {
        let html = render_html(&sample_report());
        assert!(
            html.contains("Exit code</th><td><strong>1</strong>"),
            "{html}"
        );
        assert!(html.contains("at least one case failed"));
    }
}
