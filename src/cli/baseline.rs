//! `--baseline FILE` and `--write-baseline FILE` (README, "Baselines of expected
//! failures"): the baseline is read and checked against the loaded cases before anything
//! runs (a bad one is a usage error, exit 2, and nothing is written); the finished report
//! is judged with it before it is printed and written; and a baseline of the run's
//! failing runs is written after the reports.

use std::sync::Arc;

use super::args::RunOptions;
use crate::input::read_baseline;
use crate::logic::baseline::judge;
use crate::logic::baseline_entries::Baseline;
use crate::logic::case::Case;
use crate::outputs::write_baseline;
use crate::vocab::{exit_code, RunReport};

/// The baseline `--baseline` names, read and resolved against `cases`; or, for a bad
/// one, its diagnostics printed and the exit code to end with.
pub fn baseline_or_exit(o: &RunOptions, cases: &[Arc<Case>]) -> Result<Option<Baseline>, i32> {
    let Some(path) = &o.baseline else {
        return Ok(None);
    };
    read_baseline(path, cases).map(Some).map_err(|e| {
        eprintln!("{e}");
        exit_code::USAGE
    })
}

/// The report judged with the baseline, if there is one.
pub fn judged(report: RunReport, baseline: Option<&Baseline>) -> RunReport {
    match baseline {
        Some(b) => judge(report, b),
        None => report,
    }
}

/// Writes the baseline `--write-baseline` asks for and says so; an error writing it is
/// the harness's (exit 3), like an error writing a report.
pub fn write_if_asked(report: &RunReport, o: &RunOptions) -> Result<(), i32> {
    let Some(path) = &o.write_baseline else {
        return Ok(());
    };
    match write_baseline(report, path) {
        Ok(n) => {
            let entries = if n == 1 { "entry" } else { "entries" };
            println!(
                "wrote baseline {} ({n} {entries}: every failing run)",
                path.display()
            );
            Ok(())
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(exit_code::HARNESS)
        }
    }
}
