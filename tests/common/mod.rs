//! Helpers the integration tests share: running the binary, a scratch folder, a report's
//! verdicts and what did not pass.

pub mod secrets;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use std::sync::Arc;

use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::case::Case;
use mcp_authspec::vocab::{Outcome, Revision, Role, RunReport};

/// Every case run's outcome, by case id and revision.
#[allow(dead_code)] // Not every test binary compares verdicts.
pub fn verdicts(report: &RunReport) -> BTreeMap<(String, Revision), Outcome> {
    report
        .cases
        .iter()
        .map(|c| ((c.id.clone(), c.revision), c.outcome))
        .collect()
}

/// One line per case run that did not pass, with its reason, for assertion messages.
#[allow(dead_code)] // Not every test binary lists failures.
pub fn not_passed(report: &RunReport) -> Vec<String> {
    report
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| format!("{} [{}] {}: {:?}", c.id, c.revision, c.outcome, c.reason))
        .collect()
}

/// Runs the suite's binary with `args` from the project folder, as a user would.
#[allow(dead_code)] // Not every test binary runs the CLI.
pub fn run_binary(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcp-authspec"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run mcp-authspec")
}

/// A scratch folder of this test process, emptied (the run under test creates it).
#[allow(dead_code)] // Not every test binary needs one.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-authspec-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The built-in client cases.
#[allow(dead_code)] // not every test binary that shares this module uses it
pub fn client_cases() -> Vec<Arc<Case>> {
    load_cases(&CaseSource::Builtin)
        .unwrap()
        .into_iter()
        .filter(|c| c.role == Role::Client)
        .collect()
}

/// Whether `python3 ARGS` succeeds (a consumer or fixture a test needs). When it does
/// not, says so and the test skips, unless `MCP_AUTHSPEC_REQUIRE_CONSUMERS=1` (CI sets
/// it): then it fails, with `hint`.
#[allow(dead_code)] // Not every test binary runs Python.
pub fn python3_runs(args: &[&str], hint: &str) -> bool {
    let found = std::process::Command::new("python3")
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        let required = std::env::var("MCP_AUTHSPEC_REQUIRE_CONSUMERS").as_deref() == Ok("1");
        assert!(
            !required,
            "MCP_AUTHSPEC_REQUIRE_CONSUMERS=1 but `python3 {}` fails ({hint})",
            args.join(" ")
        );
        eprintln!(
            "note: `python3 {}` fails, so this check did not run (set \
             MCP_AUTHSPEC_REQUIRE_CONSUMERS=1 to make this a failure)",
            args.join(" ")
        );
    }
    found
}

/// Asserts that `doc` is valid against the JSON schema at `schema_path`.
#[allow(dead_code)] // Not every test binary validates documents.
pub fn validate(schema_path: &Path, doc: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
