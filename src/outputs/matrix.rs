//! The matrix of several implementations (`mcp-authspec matrix`), like Autobahn's: one
//! column per run report, one row per case id (the union of the reports), each cell the
//! outcome of every revision that report ran the case for, a row of each report's counts,
//! and below, the evidence of every non-passing run, so a reader sees why without opening
//! another file. Written as `matrix.html` and `matrix.md` (the view: `matrix_view.rs`).
//!
//! Every outcome, count and exit code shown is one the reports hold: the CLI refuses a
//! report whose summary does not match its cases before this writer sees it.

use std::path::{Path, PathBuf};

use super::html_templates::render_page;
use super::matrix_markdown::render_matrix_markdown;
use super::matrix_view::{MatrixColumn, MatrixView};
use super::write::{write_atomically, WriteError};

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
    use crate::outputs::matrix_view::short_names;
    use crate::vocab::Outcome;
    use crate::vocab::{Revision, RunReport};

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
