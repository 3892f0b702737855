//! `mcp-authspec coverage`: which cases cover each requirement, clause and revision.

use super::args::{CoverageArgs, CoverageFormat};
use super::output::cases_or_exit;
use crate::logic::catalog::Catalog;
use crate::logic::coverage::{coverage, coverage_gaps};
use crate::outputs::{render_coverage_json, render_coverage_markdown};
use crate::vocab::exit_code;

pub fn run(args: CoverageArgs) -> i32 {
    let cases = match cases_or_exit(args.cases.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let report = coverage(Catalog::builtin(), cases.iter().map(|c| c.as_ref()));
    let gaps = coverage_gaps(&report);
    let text = match args.format {
        CoverageFormat::Markdown => render_coverage_markdown(&report, &gaps),
        CoverageFormat::Json => render_coverage_json(&report),
    };
    match &args.out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return exit_code::HARNESS;
            }
        }
        None => print!("{text}"),
    }
    if args.check && !gaps.is_empty() {
        eprintln!(
            "{} gap(s): a case, or an `untested:` reason in catalog/requirements.yaml, is missing:",
            gaps.len()
        );
        for g in &gaps {
            eprintln!("  {g}");
        }
        return exit_code::FAILED;
    }
    exit_code::OK
}
