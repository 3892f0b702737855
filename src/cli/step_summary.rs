//! The GitHub Actions step summary: when `GITHUB_STEP_SUMMARY` names a file, every command
//! that ends with a report appends a short Markdown summary of it there (rendered by
//! `outputs::render_step_summary`). Writing it is a courtesy to the CI page: a failure is
//! a warning on standard error, never a changed exit code.

use std::io::Write;
use std::path::Path;

use crate::outputs::render_step_summary;
use crate::vocab::RunReport;

/// The variable GitHub Actions sets to the step's summary file.
pub const STEP_SUMMARY_VARIABLE: &str = "GITHUB_STEP_SUMMARY";

/// Appends the report's summary to the file `GITHUB_STEP_SUMMARY` names, if it names one.
/// Public to the command line so that every command that ends with a report (a run, a
/// merge of shards) calls it.
pub fn append_step_summary(report: &RunReport) {
    let Some(path) = std::env::var_os(STEP_SUMMARY_VARIABLE).filter(|p| !p.is_empty()) else {
        return;
    };
    let path = Path::new(&path);
    if let Err(e) = append_to(path, report) {
        eprintln!(
            "warning: cannot append the step summary to {} ({STEP_SUMMARY_VARIABLE}): {e}; \
             the reports and the exit code are not affected",
            path.display()
        );
    }
}

/// Appends, after a blank line, so that the summaries of several steps or runs in one
/// file stay apart.
fn append_to(path: &Path, report: &RunReport) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let text = format!("{}\n", render_step_summary(report).trim_end());
    let separated = if file.metadata()?.len() > 0 {
        format!("\n{text}")
    } else {
        text
    };
    file.write_all(separated.as_bytes())?;
    file.flush()
}
