//! What the matrix shows (`mcp-authspec matrix`), built from several run reports: one
//! column per implementation, one row per case id (the union of the reports, sorted), each
//! cell that report's runs of the case by revision, each report's own counts and exit code,
//! and the evidence of its non-passing runs. `matrix.rs` renders it as HTML,
//! `matrix_markdown.rs` as Markdown.

use serde::Serialize;

use crate::vocab::{exit_code, Revision, RunReport};

use super::html::{anchor, CellRun, OUTCOME_ORDER};
use super::html_evidence::{is_detailed, Badge, Budget, RunDetail};

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

/// The matrix, for both renderings.
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
pub(crate) fn short_names(revisions: &[Revision]) -> Vec<String> {
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
        exit_meaning: exit_code::meaning(r.exit_code, r.baseline.is_some()),
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
