//! The matrix of several implementations (`mcp-authspec matrix`), like Autobahn's: one
//! column per run report, one row per case id (the union of the reports), each cell the
//! outcome of every revision that report ran the case for, a row of each report's counts,
//! and below, the evidence of every non-passing run, so a reader sees why without opening
//! another file. Written as `matrix.html` and `matrix.md`.
//!
//! Every outcome, count and exit code shown is one the reports hold: the CLI refuses a
//! report whose summary does not match its cases before this writer sees it.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::vocab::{Revision, RunReport};

use super::html::{anchor, exit_meaning, CellRun, OUTCOME_ORDER};
use super::html_evidence::{is_detailed, Badge, Budget, RunDetail};
use super::html_templates::render_page;
use super::matrix_markdown::render_matrix_markdown;
use super::write::{write_atomically, WriteError};

/// Evidence bytes the matrix carries in all (escaped), shared evenly by the non-passing
/// runs, and characters kept of one body: the interop matrix is committed, so it stays
/// small however many peers fail.
const EVIDENCE_BUDGET: usize = 1 << 20;
const BODY_LIMIT: usize = 2_000;

/// One implementation: a column's name and the report of its run.
#[derive(Debug, Clone, Copy)]
pub struct MatrixColumn<'a> {
    pub name: &'a str,
    pub report: &'a RunReport,
}

/// The page's view; `matrix_markdown` renders the same view.
#[derive(Serialize)]
pub(crate) struct MatrixView {
    pub implementations: Vec<ImplementationView>,
    pub revisions: Vec<&'static str>,
    pub rows: Vec<MatrixRow>,
    pub outcomes: Vec<Badge>,
}

#[derive(Serialize)]
pub(crate) struct ImplementationView {
    pub name: String,
    pub anchor: String,
    pub targets: Vec<String>,
    pub revisions: Vec<&'static str>,
    pub started_at: String,
    pub tool_version: String,
    pub exit_code: i32,
    pub exit_meaning: &'static str,
    pub error: Option<String>,
    pub interrupted: Option<String>,
    /// The report's own counts, in the order of [`OUTCOME_ORDER`].
    pub counts: Vec<usize>,
    pub total: usize,
    pub expected_failure: usize,
    pub stale: usize,
    pub baseline_file: Option<String>,
    pub details: Vec<RunDetail>,
}

#[derive(Serialize)]
pub(crate) struct MatrixRow {
    pub id: String,
    pub title: String,
    /// Per implementation: its runs of the case, by revision; empty when it did not run it.
    pub cells: Vec<Vec<MatrixRun>>,
}

#[derive(Serialize)]
pub(crate) struct MatrixRun {
    /// The revision without its year (`11-25`), which tells the four revisions apart.
    pub revision_short: String,
    pub revision: &'static str,
    #[serde(flatten)]
    pub run: CellRun,
}

/// The union of the reports' revisions, oldest first.
fn revisions(columns: &[MatrixColumn]) -> Vec<Revision> {
    let mut all: Vec<Revision> = columns
        .iter()
        .flat_map(|c| {
            c.report
                .revisions
                .iter()
                .copied()
                .chain(c.report.cases.iter().map(|case| case.revision))
        })
        .collect();
    all.sort();
    all.dedup();
    all
}

/// `11-25` for `2025-11-25` when that tells the revisions shown apart; else the whole date.
fn short_names(revisions: &[Revision]) -> Vec<String> {
    let short: Vec<String> = revisions
        .iter()
        .map(|r| r.as_str().get(5..).unwrap_or(r.as_str()).to_string())
        .collect();
    let unique = short
        .iter()
        .enumerate()
        .all(|(i, s)| !short[..i].contains(s));
    if unique {
        short
    } else {
        revisions.iter().map(|r| r.as_str().to_string()).collect()
    }
}

impl MatrixView {
    pub(crate) fn of(columns: &[MatrixColumn]) -> MatrixView {
        let revisions = revisions(columns);
        let short = short_names(&revisions);
        let short_of = |r: Revision| {
            let i = revisions.iter().position(|x| *x == r).expect("union");
            short[i].clone()
        };

        let mut ids: Vec<(&str, &str)> = Vec::new();
        for c in columns {
            for case in &c.report.cases {
                if !ids.iter().any(|(id, _)| *id == case.id) {
                    ids.push((&case.id, &case.title));
                }
            }
        }
        ids.sort_by(|a, b| a.0.cmp(b.0));

        let mut budget = Budget::new(
            EVIDENCE_BUDGET,
            BODY_LIMIT,
            "that implementation's report.json",
        )
        .without_passing_checks();
        let mut runs_left: usize = columns
            .iter()
            .map(|c| c.report.cases.iter().filter(|c| is_detailed(c)).count())
            .sum();
        let implementations: Vec<ImplementationView> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| implementation(i, c, &mut budget, &mut runs_left))
            .collect();

        let rows = ids
            .iter()
            .map(|(id, title)| MatrixRow {
                id: id.to_string(),
                title: title.to_string(),
                cells: columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let mut runs: Vec<(usize, &crate::vocab::CaseReport)> = c
                            .report
                            .cases
                            .iter()
                            .enumerate()
                            .filter(|(_, case)| case.id == *id)
                            .collect();
                        runs.sort_by_key(|(_, case)| case.revision);
                        runs.into_iter()
                            .map(|(n, case)| MatrixRun {
                                revision_short: short_of(case.revision),
                                revision: case.revision.as_str(),
                                run: CellRun {
                                    badge: Badge::of_run(case),
                                    anchor: is_detailed(case).then(|| anchor(&prefix(i), n)),
                                },
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect();

        MatrixView {
            implementations,
            revisions: revisions.iter().map(|r| r.as_str()).collect(),
            rows,
            outcomes: OUTCOME_ORDER
                .iter()
                .map(|o| Badge::of_outcome(*o))
                .collect(),
        }
    }
}

/// Fragments of implementation `i`'s detail sections begin with this.
fn prefix(i: usize) -> String {
    format!("impl-{}-", i + 1)
}

/// Implementation `i`'s column; each of its non-passing runs gets an even share of the
/// evidence budget left for the `runs_left` runs still to come.
fn implementation(
    i: usize,
    c: &MatrixColumn,
    budget: &mut Budget,
    runs_left: &mut usize,
) -> ImplementationView {
    let r = c.report;
    let details = r
        .cases
        .iter()
        .enumerate()
        .filter(|(_, case)| is_detailed(case))
        .map(|(n, case)| {
            let mut share = budget.share(*runs_left);
            let granted = share.left();
            let detail = RunDetail::of(case, anchor(&prefix(i), n), &mut share);
            budget.settle(granted, share);
            *runs_left = runs_left.saturating_sub(1);
            detail
        })
        .collect();
    ImplementationView {
        name: c.name.to_string(),
        anchor: format!("impl-{}", i + 1),
        targets: r
            .targets
            .iter()
            .map(|t| format!("{}: {}", t.role, t.location))
            .collect(),
        revisions: r.revisions.iter().map(|r| r.as_str()).collect(),
        started_at: r.started_at.clone(),
        tool_version: format!("{} {}", r.tool.name, r.tool.version),
        exit_code: r.exit_code,
        exit_meaning: exit_meaning(r.exit_code, r.baseline.is_some()),
        error: r.error.clone(),
        interrupted: r.interrupted.map(|s| s.to_string()),
        counts: OUTCOME_ORDER.iter().map(|o| r.summary.count(*o)).collect(),
        total: r.summary.total,
        expected_failure: r.summary.expected_failure,
        stale: r.summary.stale,
        baseline_file: r.baseline.as_ref().map(|b| b.file.clone()),
        details,
    }
}

/// The matrix as one HTML page.
pub fn render_matrix_html(columns: &[MatrixColumn]) -> String {
    render_page("matrix.html", &MatrixView::of(columns))
}

/// Writes `matrix.html` and `matrix.md` into `out_dir` (created if needed), each whole or
/// not at all; returns their paths.
pub fn write_matrix(columns: &[MatrixColumn], out_dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    std::fs::create_dir_all(out_dir).map_err(|source| WriteError::CreateDir {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let view = MatrixView::of(columns);
    let files = [
        ("matrix.html", render_page("matrix.html", &view)),
        ("matrix.md", render_matrix_markdown(&view)),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = out_dir.join(name);
        write_atomically(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::fixture::{interrupted_report, sample_report};
    use crate::outputs::matrix_markdown::render_matrix_markdown;
    use crate::vocab::Outcome;

    fn two_reports() -> (RunReport, RunReport) {
        let mut second = interrupted_report();
        // The second implementation passes the case the first fails, and did not run one.
        second.cases[1].outcome = Outcome::Pass;
        second.cases[1].reason = None;
        second
            .cases
            .retain(|c| c.id != "server/auth/scope-in-challenge");
        let second = second.rejudge();
        (sample_report(), second)
    }

    fn columns<'a>(a: &'a RunReport, b: &'a RunReport) -> [MatrixColumn<'a>; 2] {
        [
            MatrixColumn {
                name: "alpha-sdk",
                report: a,
            },
            MatrixColumn {
                name: "beta <server>",
                report: b,
            },
        ]
    }

    #[test]
    fn html_snapshot() {
        let (a, b) = two_reports();
        insta::assert_snapshot!(render_matrix_html(&columns(&a, &b)));
    }

    #[test]
    fn markdown_snapshot() {
        let (a, b) = two_reports();
        insta::assert_snapshot!(render_matrix_markdown(&MatrixView::of(&columns(&a, &b))));
    }

    #[test]
    fn a_case_one_report_did_not_run_is_a_dash_and_names_are_escaped() {
        let (a, b) = two_reports();
        let html = render_matrix_html(&columns(&a, &b));
        assert!(html.contains("beta &lt;server&gt;"));
        assert!(!html.contains("beta <server>"));
        let row = html
            .split("<tr>")
            .find(|r| r.contains("<code>server/auth/scope-in-challenge</code>"))
            .unwrap();
        assert!(row.contains("WARN"), "{row}");
        assert!(row.contains("not run"), "{row}");
        // Each implementation's counts are its report's own.
        assert!(html.contains(&format!("<td class=\"num\">{}</td>", b.summary.total)));
    }

    #[test]
    fn short_revision_names_only_when_they_are_unique() {
        assert_eq!(
            short_names(&[Revision::R2025_06_18, Revision::R2025_11_25]),
            ["06-18", "11-25"]
        );
        assert_eq!(short_names(&Revision::ALL).len(), Revision::ALL.len());
    }

    #[test]
    fn writes_both_files() {
        let (a, b) = two_reports();
        let dir = std::env::temp_dir().join(format!("mcp-authspec-matrix-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let paths = write_matrix(&columns(&a, &b), &dir).unwrap();
        assert_eq!(paths, [dir.join("matrix.html"), dir.join("matrix.md")]);
        assert!(std::fs::read_to_string(&paths[1])
            .unwrap()
            .starts_with("# "));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
