//! `cargo test --test coverage`: `docs/coverage.md` is what `mcp-authspec coverage` prints
//! for the built-in catalog and cases (`UPDATE_COVERAGE=1` rewrites it), and every core
//! requirement has a case in every revision it applies to, and every MUST-level clause a
//! case, or the catalog gives a reason (`untested:`).

use std::path::Path;

use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::catalog::Catalog;
use mcp_authspec::logic::coverage::{coverage, coverage_gaps};
use mcp_authspec::outputs::render_coverage_markdown;

const COVERAGE_PATH: &str = "docs/coverage.md";

#[test]
fn committed_coverage_is_current_and_every_requirement_is_covered_or_explained() {
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
        "{} gap(s); add a case, or an `untested:` reason in \
         catalog/requirements.yaml:\n  {}",
        gaps.len(),
        gaps.join("\n  ")
    );
}

/// The README's parity table names every core client and authorization-server scenario
/// of the official suite and every scenario of the extensions the suite implements, each
/// with at least one of our cases, and every case it names exists.
#[test]
fn readme_parity_table_names_every_official_core_scenario_with_existing_cases() {
    use mcp_authspec::logic::official_scenarios::{
        OFFICIAL_AUTHORIZATION_SERVER_SCENARIOS, OFFICIAL_CORE_CLIENT_SCENARIOS,
    };
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## Official-suite parity\n")
        .nth(1)
        .expect("README.md has a section `## Official-suite parity`");
    let section = section.split("\n## ").next().unwrap_or(section);
    let cases = load_cases(&CaseSource::Builtin).unwrap_or_else(|e| panic!("{e}"));
    let known = |id: &str| cases.iter().any(|c| c.id() == id);
    let mut rows = std::collections::BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let scenario = cells[0]
            .trim_start_matches("| ")
            .trim_matches('`')
            .to_string();
        let named: Vec<String> = cells
            .get(2)
            .unwrap_or(&"")
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        for id in &named {
            assert!(known(id), "README parity table, {scenario}: no case `{id}`");
        }
        rows.insert(scenario, named);
    }
    // The extensions' scenarios, of every extension the suite implements.
    let extension_scenarios = mcp_authspec::vocab::Extension::ALL
        .iter()
        .flat_map(|e| e.source().official_scenarios.iter());
    let wanted = OFFICIAL_CORE_CLIENT_SCENARIOS
        .iter()
        .chain(OFFICIAL_AUTHORIZATION_SERVER_SCENARIOS)
        .chain(extension_scenarios)
        .copied();
    for s in wanted {
        let named = rows
            .get(s)
            .unwrap_or_else(|| panic!("README parity table has no row for `{s}`"));
        assert!(
            !named.is_empty(),
            "README parity table: `{s}` names no case"
        );
    }
}
