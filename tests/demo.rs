//! The demo as a user meets it, run once and shared by the checks on its output: every
//! role and revision passes, the reports are valid and well-formed, none of them holds a
//! secret, and its server verdicts are those of the reference server run by `--command`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

mod common;
use common::secrets::{assert_no_secrets, written};
use common::{run_binary as run, temp_dir, validate};

/// The one demo run of this test binary (`demo --revision all`, every format): its
/// output folder and the process output. It is the slowest thing the CLI does, so the
/// checks below read the same run instead of starting one each.
fn demo() -> &'static (PathBuf, Output) {
    static DEMO: OnceLock<(PathBuf, Output)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = temp_dir("demo");
        let out = run(&[
            "demo",
            "--revision",
            "all",
            "--plain",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        (dir, out)
    })
}

#[test]
fn demo_passes_and_writes_valid_reports() {
    let (out_dir, out) = demo();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    validate(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json"),
        &report,
    );
    let summary = &report["summary"];
    assert_eq!(summary["total"], summary["pass"], "{stdout}");
    let junit = std::fs::read_to_string(out_dir.join("junit.xml")).unwrap();
    let mut reader = quick_xml::Reader::from_str(&junit);
    let mut testcases = 0;
    loop {
        match reader.read_event().expect("junit.xml is well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == b"testcase" =>
            {
                testcases += 1
            }
            _ => {}
        }
    }
    assert_eq!(serde_json::Value::from(testcases), summary["total"]);
    assert!(std::fs::read_to_string(out_dir.join("report.md"))
        .unwrap()
        .contains("# "));
}

#[test]
fn the_demo_writes_no_secret_in_any_format() {
    let (dir, out) = demo();
    let files = written(dir, out);
    assert_no_secrets(&files);
    // The checks that read secrets still say what they saw.
    let json = &files.iter().find(|(n, _)| n == "report.json").unwrap().1;
    assert!(
        json.contains("[redacted: 32 characters]"),
        "a redacted code"
    );
    assert!(
        json.contains("Basic [redacted]"),
        "a redacted Basic credential"
    );
    assert!(
        json.contains("Bearer [redacted]"),
        "a redacted bearer token"
    );
}

/// The outcomes in a JSON report written to `dir`, by case and revision.
fn report_verdicts(dir: &Path) -> BTreeMap<(String, String), String> {
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let key = (
                c["id"].as_str().unwrap().to_string(),
                c["revision"].as_str().unwrap().to_string(),
            );
            (key, c["outcome"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn the_cli_gives_the_same_verdicts_to_demo_and_to_the_reference_run_by_command() {
    let dir = temp_dir("cli-command");
    // The demo's reference server offers the fixtures; so does this one, declared as a
    // vendor declares theirs.
    let command = format!(
        "'{}' reference server --port {{port}} --issuer {{issuer}} --upstream {{upstream}} \
         --scope-implies mcp:admin=mcp:tools --per-user-resource",
        env!("CARGO_BIN_EXE_mcp-authspec")
    );
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference-server.toml");
    let out = run(&[
        "server",
        "--command",
        &command,
        "--config",
        config.to_str().unwrap(),
        "--revision",
        "all",
        "--format",
        "json",
        "--plain",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut launched = report_verdicts(&dir);
    let mut demo = report_verdicts(&demo().0);
    // The demo also tests the reference client and authorization server; compare the
    // server cases. The proxy cases run against the reference proxy in the demo;
    // `reference server` has no proxy mode, so by command they are skipped (not declared
    // `--oauth-proxy`).
    let proxy = |id: &str| id.starts_with("server/proxy/");
    demo.retain(|(id, _), _| id.starts_with("server/") && !proxy(id));
    assert!(launched
        .iter()
        .filter(|((id, _), _)| proxy(id))
        .all(|(_, outcome)| outcome == "skip"));
    launched.retain(|(id, _), _| !proxy(id));
    assert!(demo.keys().any(|(id, _)| id.starts_with("server/token/")));
    assert_eq!(demo, launched);
}
