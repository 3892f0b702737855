//! `mcp-authspec matrix REPORT.json… [--name NAME=PATH]… [--out DIR]`: several run reports
//! side by side, written as `matrix.html` and `matrix.md`.
//!
//! Every report is read and checked before anything is written: a file that is not JSON,
//! not an mcp-authspec report, of another schema major version, or whose summary and exit
//! code do not follow from its cases (edited by hand) is bad input, named with its line and
//! column where there is one, and nothing is written (exit 2). A matrix must never show a
//! verdict or count that a report does not hold.

use std::path::{Path, PathBuf};

use super::args::MatrixArgs;
use crate::input::read_report;
use crate::outputs::{write_matrix, MatrixColumn};
use crate::vocab::{exit_code, RunReport};

/// Longest column name taken from a report's target location; the rest is cut with `…`.
const NAME_LIMIT: usize = 60;

pub fn run(args: MatrixArgs) -> i32 {
    let paths = report_paths(&args);
    if paths.is_empty() {
        eprintln!(
            "error: no report given\n  = hint: mcp-authspec matrix reports/a/report.json \
             reports/b/report.json (or --name NAME=PATH)"
        );
        return exit_code::USAGE;
    }
    let mut reports = Vec::new();
    for path in &paths {
        match read_report(path) {
            Ok(report) => reports.push(report),
            Err(e) => {
                eprintln!("{e}");
                return exit_code::USAGE;
            }
        }
    }
    let names = match column_names(&args, &paths, &reports) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("{e}");
            return exit_code::USAGE;
        }
    };
    let columns: Vec<MatrixColumn> = names
        .iter()
        .zip(&reports)
        .map(|(name, report)| MatrixColumn { name, report })
        .collect();
    match write_matrix(&columns, &args.out) {
        Ok(written) => {
            for p in written {
                println!("wrote {}", p.display());
            }
            exit_code::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit_code::HARNESS
        }
    }
}

/// The reports in order: the ones listed, then those only `--name` gives.
fn report_paths(args: &MatrixArgs) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for p in args.reports.iter().chain(args.names.iter().map(|(_, p)| p)) {
        if !paths.iter().any(|q| same_file(q, p)) {
            paths.push(p.clone());
        }
    }
    paths
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Each column's name: `--name NAME=PATH`, else the report's one target location, else its
/// folder's name, else its file name; a repeated derived name gets ` (2)`, ` (3)`, ….
fn column_names(
    args: &MatrixArgs,
    paths: &[PathBuf],
    reports: &[RunReport],
) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = Vec::new();
    for (path, report) in paths.iter().zip(reports) {
        let given = args
            .names
            .iter()
            .rev()
            .find(|(_, p)| same_file(p, path))
            .map(|(n, _)| n.clone());
        let name = match given {
            Some(name) => {
                if names.contains(&name) {
                    return Err(format!(
                        "error: two reports are named `{name}`\n  = hint: give each --name a \
                         different NAME"
                    ));
                }
                name
            }
            None => {
                let derived = derived_name(path, report);
                let mut name = derived.clone();
                let mut n = 1;
                while names.contains(&name) {
                    n += 1;
                    name = format!("{derived} ({n})");
                }
                name
            }
        };
        names.push(name);
    }
    Ok(names)
}

fn derived_name(path: &Path, report: &RunReport) -> String {
    if let [target] = report.targets.as_slice() {
        let location = target.location.trim();
        if !location.is_empty() {
            return match location.char_indices().nth(NAME_LIMIT) {
                Some((end, _)) => format!("{}…", &location[..end]),
                None => location.to_string(),
            };
        }
    }
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    folder.unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let report = RunReport::assemble(
            Vec::new(),
            vec![crate::vocab::Revision::LATEST],
            crate::vocab::Profile::Strict,
            "2025-12-01T09:30:00Z".into(),
            5,
            None,
            Vec::new(),
        );
        assert_eq!(
            derived_name(Path::new("runs/rmcp/report.json"), &report),
            "rmcp"
        );
    }
}
