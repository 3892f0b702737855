//! junit.xml as a JUnit consumer reads it: Python's `junitparser` (what many CI report
//! tools build on) parses the demo's `--revision all` file and a failing run's, its counts
//! are those of report.json's summary, and every (classname, name) is unique, so that
//! Jenkins, GitLab and GitHub reporters show each case run once.
//!
//! Without junitparser the test says so and passes, unless
//! `MCP_AUTHSPEC_REQUIRE_CONSUMERS=1` (set by `.ci/run`, which installs it).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;
use common::{run_binary as run, temp_dir};

/// Reads junit.xml with junitparser and prints what a reporter sees, as JSON: the root's
/// counts, the counts of the test cases themselves, and every (classname, name).
const READ_JUNIT: &str = r#"
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
cases, kinds = [], {"failure": 0, "error": 0, "skipped": 0}
suites = []
for suite in xml:
    suites.append({"name": suite.name, "time": suite.time, "tests": suite.tests})
    for case in suite:
        cases.append([case.classname, case.name])
        for r in case.result:
            if isinstance(r, Failure): kinds["failure"] += 1
            elif isinstance(r, Error): kinds["error"] += 1
            elif isinstance(r, Skipped): kinds["skipped"] += 1
print(json.dumps({
    "root": {"tests": xml.tests, "failures": xml.failures, "errors": xml.errors,
             "skipped": xml.skipped, "time": xml.time},
    "counted": kinds, "cases": cases, "suites": suites,
}))
"#;

/// Whether python3 can import junitparser (`common::python3_runs`).
fn junitparser_available() -> bool {
    common::python3_runs(
        &["-c", "import junitparser"],
        ".ci/run installs it: python3 -m pip install junitparser",
    )
}

fn read_junit(path: &Path) -> Value {
    let out = Command::new("python3")
        .args(["-c", READ_JUNIT])
        .arg(path)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "junitparser could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the reader prints JSON")
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// junit.xml and report.json of the run in `dir` tell the same counts, and no two test
/// cases share a (classname, name).
fn assert_consumer_agrees(dir: &Path) {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let seen = read_junit(&dir.join("junit.xml"));
    let s = &report["summary"];
    let count = |key: &str| s.get(key).map(n).unwrap_or(0);
    let run_error = u64::from(report.get("error").is_some());
    let expected = serde_json::json!({
        "tests": count("total") + run_error,
        "failures": count("fail") - count("expected_fail") + count("stale"),
        "errors": count("error") + run_error,
        "skipped": count("skip") + count("unsupported") + count("expected_fail"),
    });
    let root = &seen["root"];
    for key in ["tests", "failures", "errors", "skipped"] {
        assert_eq!(root[key], expected[key], "root {key}: {seen}");
    }
    let counted = &seen["counted"];
    assert_eq!(counted["failure"], expected["failures"], "{seen}");
    assert_eq!(counted["error"], expected["errors"], "{seen}");
    assert_eq!(counted["skipped"], expected["skipped"], "{seen}");

    let cases = seen["cases"].as_array().unwrap();
    assert_eq!(cases.len() as u64, n(&expected["tests"]));
    let mut unique = std::collections::BTreeSet::new();
    for case in cases {
        assert!(unique.insert(case.to_string()), "repeated test case {case}");
    }
    // Every suite spans the run: its time is the run's wall time, as the root's.
    let wall = n(&report["duration_ms"]) as f64 / 1000.0;
    assert!(
        (root["time"].as_f64().unwrap() - wall).abs() < 0.001,
        "{seen}"
    );
    for suite in seen["suites"].as_array().unwrap() {
        assert!(
            (suite["time"].as_f64().unwrap() - wall).abs() < 0.001,
            "{suite}"
        );
    }
}

#[test]
fn the_demo_for_every_revision_reads_once_per_case_run() {
    if !junitparser_available() {
        return;
    }
    let dir = temp_dir("junit-consumer-demo");
    let out = run(&[
        "demo",
        "--revision",
        "all",
        "--format",
        "json,junit",
        "--progress",
        "off",
        "--plain",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_consumer_agrees(&dir);
    let seen = read_junit(&dir.join("junit.xml"));
    let suites: Vec<&str> = seen["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        suites,
        [
            "mcp-authspec 2025-03-26",
            "mcp-authspec 2025-06-18",
            "mcp-authspec 2025-11-25",
            "mcp-authspec 2026-07-28"
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failing_client_run_reads_with_its_failures() {
    if !junitparser_available() {
        return;
    }
    let dir = temp_dir("junit-consumer-failing");
    // Three client cases against a client that gives up at once: fails and warnings.
    let cases = dir.join("cases");
    let area = cases.join("client/authorization");
    std::fs::create_dir_all(&area).unwrap();
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/client/authorization");
    for name in ["file-url-not-opened", "state-checked", "state-sent"] {
        std::fs::copy(
            builtin.join(format!("{name}.yaml")),
            area.join(format!("{name}.yaml")),
        )
        .unwrap();
    }
    let reports = dir.join("reports");
    let out = run(&[
        "client",
        "--command",
        "sh -c 'exit 1'",
        "--cases",
        cases.to_str().unwrap(),
        "--revision",
        "2025-11-25,2026-07-28",
        "--format",
        "json,junit",
        "--progress",
        "off",
        "--out",
        reports.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_consumer_agrees(&reports);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap())
            .unwrap();
    assert!(n(&report["summary"]["fail"]) > 0, "{}", report["summary"]);
    let _ = std::fs::remove_dir_all(&dir);
}
