//! `matrix.md`: the matrix of implementations in GitHub-flavoured Markdown, from the same
//! view as `matrix.html` (counts, the case table, the evidence of non-passing runs).

use std::fmt::Write as _;

use super::html::OUTCOME_ORDER;
use super::html_evidence::RunDetail;
use super::matrix_view::MatrixView;
use super::md_escape::{cell, code, fenced, para};

pub(crate) fn render_matrix_markdown(view: &MatrixView) -> String {
    let mut md = String::new();
    // `write!` into a `String` cannot fail; the results are ignored for that reason.
    let _ = writeln!(md, "# MCP authorization conformance matrix\n");
    let _ = writeln!(
        md,
        "One column per implementation (a run report), one row per case; each cell gives the \
         outcome for every revision the report ran the case for (`—`: not run). Revisions: \
         {}.\n",
        view.revisions.join(", ")
    );
    summary(&mut md, view);
    cases(&mut md, view);
    evidence(&mut md, view);
    while md.ends_with("\n\n") {
        md.pop();
    }
    md
}

fn header(md: &mut String, first: &str, view: &MatrixView) {
    let names: Vec<String> = view.implementations.iter().map(|i| cell(&i.name)).collect();
    let _ = writeln!(md, "| {first} | {} |", names.join(" | "));
    let _ = writeln!(md, "|---|{}", "---|".repeat(names.len()));
}

fn summary(md: &mut String, view: &MatrixView) {
    let _ = writeln!(md, "## Summary\n");
    header(md, "", view);
    let row = |md: &mut String, label: &str, values: Vec<String>| {
        let _ = writeln!(md, "| {label} | {} |", values.join(" | "));
    };
    row(
        md,
        "**exit code**",
        view.implementations
            .iter()
            .map(|i| i.exit_code.to_string())
            .collect(),
    );
    for (n, outcome) in OUTCOME_ORDER.iter().enumerate() {
        row(
            md,
            &outcome.as_str().to_ascii_uppercase(),
            view.implementations
                .iter()
                .map(|i| i.counts[n].to_string())
                .collect(),
        );
    }
    row(
        md,
        "**total**",
        view.implementations
            .iter()
            .map(|i| format!("**{}**", i.total))
            .collect(),
    );
    if view
        .implementations
        .iter()
        .any(|i| i.expected_failure > 0 || i.stale > 0)
    {
        row(
            md,
            "expected failures (baseline)",
            view.implementations
                .iter()
                .map(|i| i.expected_failure.to_string())
                .collect(),
        );
        row(
            md,
            "stale baseline entries",
            view.implementations
                .iter()
                .map(|i| i.stale.to_string())
                .collect(),
        );
    }
    md.push('\n');
    for i in &view.implementations {
        let _ = writeln!(
            md,
            "- **{}**: exit code {} ({}); {}",
            para(&i.name),
            i.exit_code,
            i.exit_meaning,
            para(&i.targets.join("; "))
        );
        if let Some(error) = &i.error {
            let _ = writeln!(md, "  - **Run error:** {}", para(error));
        }
        if let Some(signal) = &i.interrupted {
            let _ = writeln!(md, "  - **Interrupted** by {signal}: a partial report");
        }
    }
    md.push('\n');
}

fn cases(md: &mut String, view: &MatrixView) {
    let _ = writeln!(md, "## Cases\n");
    if view.rows.is_empty() {
        let _ = writeln!(md, "No case was run.\n");
        return;
    }
    header(md, "Case", view);
    for row in &view.rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|runs| {
                if runs.is_empty() {
                    "—".to_string()
                } else {
                    runs.iter()
                        .map(|r| format!("{} {}", r.revision_short, r.run.badge.label))
                        .collect::<Vec<_>>()
                        .join(" · ")
                }
            })
            .collect();
        let _ = writeln!(md, "| {} | {} |", code(&row.id), cells.join(" | "));
    }
    md.push('\n');
}

fn evidence(md: &mut String, view: &MatrixView) {
    if view.implementations.iter().all(|i| i.details.is_empty()) {
        return;
    }
    let _ = writeln!(md, "## Evidence of the runs that did not pass\n");
    for i in &view.implementations {
        if i.details.is_empty() {
            continue;
        }
        let _ = writeln!(md, "### {}\n", para(&i.name));
        for d in &i.details {
            detail(md, d);
        }
    }
}

fn detail(md: &mut String, d: &RunDetail) {
    let _ = writeln!(
        md,
        "#### {} {} ({})\n",
        d.badge.label,
        code(&d.id),
        d.revision
    );
    if let Some(reason) = &d.reason {
        let _ = writeln!(md, "**Reason:** {}\n", para(reason));
    }
    if let Some(baseline) = &d.baseline {
        let _ = writeln!(md, "**Baseline:** {}\n", para(baseline));
    }
    let _ = writeln!(
        md,
        "**Requirement {} ({}):** {}\n",
        para(&d.requirement),
        d.level,
        para(&d.requirement_text)
    );
    if !d.spec.is_empty() {
        let specs: Vec<String> = d.spec.iter().map(|s| para(s)).collect();
        let _ = writeln!(md, "**Spec:** {}\n", specs.join("; "));
    }
    if !d.checks.is_empty() {
        let _ = writeln!(
            md,
            "| Outcome | Check | Expected | Actual |\n|---|---|---|---|"
        );
        for c in &d.checks {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                c.badge.label,
                cell(&c.description),
                cell(&c.expected),
                cell(&c.actual)
            );
        }
        md.push('\n');
    }
    if d.hidden_checks > 0 {
        let _ = writeln!(
            md,
            "Passing checks, listed in the report only: {}.\n",
            d.hidden_checks
        );
    }
    for x in &d.exchanges {
        let _ = writeln!(
            md,
            "**Exchange {}** ({}, {}): {}\n",
            x.number,
            para(&x.step),
            x.elapsed,
            para(&x.line)
        );
        if let (Some(request), Some(response)) = (&x.request, &x.response) {
            fenced(md, "http", &format!("{request}\n{response}"));
        }
    }
    for line in &d.omitted {
        let _ = writeln!(md, "{}\n", para(line));
    }
    if let Some(p) = &d.process {
        let _ = writeln!(
            md,
            "**The client's run:** {}, {}\n",
            code(&p.command),
            para(&p.ended)
        );
        for (name, text) in [("stdout", &p.stdout), ("stderr", &p.stderr)] {
            if !text.is_empty() {
                let _ = writeln!(md, "{name}:\n");
                fenced(md, "text", text);
            }
        }
    }
}
