//! `cargo test --test coverage`: `docs/coverage.md` is what `mcp-authspec coverage` prints
//! for the built-in catalog and cases (`UPDATE_COVERAGE=1` rewrites it), and every
//! MUST-level requirement and clause has a case in every revision it applies to, or a
//! reason in the catalog (`untested:`).

use std::path::Path;

use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::catalog::Catalog;
use mcp_authspec::logic::coverage::{coverage, coverage_gaps};
use mcp_authspec::outputs::render_coverage_markdown;

const COVERAGE_PATH: &str = "docs/coverage.md";

#[test]
fn committed_coverage_is_current_and_every_must_is_covered_or_explained() {
    let cases = load_cases(&CaseSource::Builtin).unwrap_or_else(|e| panic!("{e}"));
    let report = coverage(Catalog::builtin(), cases.iter().map(|c| c.as_ref()));
    let gaps = coverage_gaps(&report);
    let text = render_coverage_markdown(&report, &gaps);
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(COVERAGE_PATH);
    if std::env::var_os("UPDATE_COVERAGE").is_some() {
        std::fs::write(&full, &text).expect("write docs/coverage.md");
    } else {
        let committed = std::fs::read_to_string(&full).unwrap_or_default();
        assert!(
            committed == text,
            "{COVERAGE_PATH} is stale: cases or the catalog changed. Run \
             `UPDATE_COVERAGE=1 cargo test --test coverage` and commit the file."
        );
    }
    assert!(
        gaps.is_empty(),
        "{} MUST-level gap(s); add a case, or an `untested:` reason in \
         catalog/requirements.yaml:\n  {}",
        gaps.len(),
        gaps.join("\n  ")
    );
}
