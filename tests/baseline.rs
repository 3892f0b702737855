//! `--baseline FILE` and `--write-baseline FILE` through the binary, against the reference
//! server started by `server --command` with a defect: one case fails
//! (`server/challenge/bearer-scheme` under `basic-challenge-only`), one passes
//! (`server/challenge/unauthenticated-gets-401`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::temp_dir;
use mcp_authspec::vocab::{BaselineMark, Outcome, RunReport};

const FAILING: &str = "server/challenge/bearer-scheme";
const PASSING: &str = "server/challenge/unauthenticated-gets-401";

/// A scratch folder holding the two cases under `cases/`; runs start in it, so that the
/// baseline's path shows as `baseline.yml` in diagnostics.
fn workspace(name: &str) -> PathBuf {
    let dir = temp_dir(&format!("baseline-{name}"));
    let area = dir.join("cases/server/challenge");
    std::fs::create_dir_all(&area).unwrap();
    for id in [FAILING, PASSING] {
        let file = format!("{}.yaml", id.rsplit('/').next().unwrap());
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("cases/server/challenge")
                .join(&file),
            area.join(&file),
        )
        .unwrap();
    }
    dir
}

/// `server --command` on the reference server with `basic-challenge-only`, in `dir`,
/// with `extra` arguments; reports go to `dir/out`.
fn run_server(dir: &Path, extra: &[&str]) -> Output {
    let bin = env!("CARGO_BIN_EXE_mcp-authspec");
    let command = format!(
        "'{bin}' reference server --port {{port}} --issuer {{issuer}} --defect basic-challenge-only"
    );
    Command::new(bin)
        .current_dir(dir)
        .args([
            "server",
            "--command",
            &command,
            "--cases",
            "cases",
            "--plain",
        ])
        .args(["--out", "out"])
        .args(extra)
        .output()
        .expect("run mcp-authspec")
}

fn report(dir: &Path) -> RunReport {
    let text = std::fs::read_to_string(dir.join("out/report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn mark_of<'a>(report: &'a RunReport, id: &str) -> Option<&'a BaselineMark> {
    report
        .cases
        .iter()
        .find(|c| c.id == id)
        .and_then(|c| c.baseline.as_ref())
}

#[test]
fn a_listed_failure_is_expected_and_the_run_exits_0() {
    let dir = workspace("listed");
    std::fs::write(
        dir.join("baseline.yml"),
        format!("server:\n  - {FAILING}\n"),
    )
    .unwrap();
    let out = run_server(&dir, &["--baseline", "baseline.yml"]);
    let console = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    assert!(
        console.contains(&format!("expected failure ({FAILING})")),
        "{console}"
    );
    assert!(
        console.contains("; baseline: 1 expected failure, 0 stale runs\nexit code: 0"),
        "{console}"
    );
    let r = report(&dir);
    let failing = r.cases.iter().find(|c| c.id == FAILING).unwrap();
    assert_eq!(failing.outcome, Outcome::Fail, "the outcome stays");
    assert_eq!(
        failing.baseline,
        Some(BaselineMark::ExpectedFailure {
            entry: FAILING.into()
        })
    );
    assert_eq!(r.exit_code, 0);
    assert_eq!(r.summary.expected_fail, 1);
    assert_eq!(r.baseline.unwrap().file, "baseline.yml");
}

#[test]
fn a_listed_pass_is_stale_and_an_unlisted_failure_fails_the_run() {
    let dir = workspace("stale");
    std::fs::write(
        dir.join("baseline.yml"),
        format!("server:\n  - {PASSING}\n"),
    )
    .unwrap();
    let out = run_server(&dir, &["--baseline", "baseline.yml"]);
    let console = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{console}");
    assert!(
        console.contains(&format!("stale baseline entry {PASSING}: now passes")),
        "{console}"
    );
    assert!(
        console.contains(&format!(
            "remove them from baseline.yml:\n    - {PASSING}\n"
        )),
        "{console}"
    );
    let r = report(&dir);
    assert_eq!(
        mark_of(&r, PASSING),
        Some(&BaselineMark::Stale {
            entry: PASSING.into()
        })
    );
    assert_eq!(mark_of(&r, FAILING), None, "unlisted");
    assert_eq!((r.summary.stale, r.summary.expected_fail), (1, 0));
    assert_eq!(r.baseline.unwrap().stale, [PASSING]);
}

#[test]
fn an_official_file_of_other_names_changes_nothing() {
    let dir = workspace("official");
    // The shapes SDKs write, with none of this run's cases.
    std::fs::write(
        dir.join("baseline.yml"),
        "\
# Known conformance failures; remove entries as they are fixed.
client:
    - tools_call
    - auth/scope-step-up
    - auth/basic-cimd:cimd-client-id-used   # one check only

server:
  - dns-rebinding-protection
  - 'server-stateless:sep-2575-server-implements-discover'
",
    )
    .unwrap();
    let out = run_server(&dir, &["--baseline", "baseline.yml"]);
    let console = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "the failure stays: {console}");
    let r = report(&dir);
    assert!(r.cases.iter().all(|c| c.baseline.is_none()));
    assert_eq!(r.baseline.as_ref().unwrap().unmatched.len(), 5);
    assert!(console.contains("they never list a run here"), "{console}");
    assert!(!console.contains("; baseline:"), "{console}");
}

#[test]
fn written_baselines_load_back_and_make_the_run_pass() {
    let dir = workspace("round-trip");
    let out = run_server(&dir, &["--write-baseline", "known/baseline.yml"]);
    let console = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "unchanged by --write-baseline: {console}"
    );
    assert!(
        console.contains("wrote baseline known/baseline.yml (1 entry: every failing run)"),
        "{console}"
    );
    let written = std::fs::read_to_string(dir.join("known/baseline.yml")).unwrap();
    assert!(written.starts_with("# Expected failures"), "{written}");
    assert!(
        written.contains(&format!("server:\n  - {FAILING}  # ")),
        "{written}"
    );
    let out = run_server(&dir, &["--baseline", "known/baseline.yml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// Each malformed baseline: exit 2 before anything runs (the target, unreachable, would
/// be exit 3), nothing written, and a located diagnostic with a hint.
#[test]
fn malformed_baselines_are_usage_errors_located_with_a_hint() {
    let dir = workspace("malformed");
    let shapes: &[(&str, &str)] = &[
        ("top-level-list", "- auth/scope-step-up\n"),
        ("section-not-a-list", "client: auth/scope-step-up\n"),
        ("empty-entry", "server:\n  -\n"),
        (
            "space-after-colon",
            "server:\n  - server-stateless: sep-2575-server-implements-discover\n",
        ),
        ("trailing-colon", "client:\n  - auth/scope-step-up:\n"),
        ("empty-side", "client:\n  - ':some-check'\n"),
        (
            "redundant",
            "server:\n  - server-stateless\n  - server-stateless:some-check\n",
        ),
        ("case-typo", "server:\n  - server/challenge/bearer-schema\n"),
        (
            "wrong-section",
            "client:\n  - server/challenge/bearer-scheme\n",
        ),
        (
            "unknown-revision",
            "server:\n  - server/challenge/bearer-scheme:2025-06-17\n",
        ),
        (
            "yaml-syntax",
            "server: [server/challenge/bearer-scheme\nclient: []\n",
        ),
    ];
    for (kind, text) in shapes {
        std::fs::write(dir.join("baseline.yml"), text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_mcp-authspec"))
            .current_dir(&dir)
            .args([
                "server",
                "--url",
                "http://127.0.0.1:1/mcp",
                "--cases",
                "cases",
            ])
            .args(["--plain", "--out", "out", "--baseline", "baseline.yml"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{kind}: {stderr}");
        assert!(stderr.starts_with("baseline.yml:"), "{kind}: {stderr}");
        assert!(stderr.contains("= hint: "), "{kind}: {stderr}");
        assert!(!stderr.contains("panicked"), "{kind}: {stderr}");
        assert!(!dir.join("out").exists(), "{kind}: a report was written");
        insta::assert_snapshot!(format!("baseline-{kind}"), stderr);
    }
    // A missing file: named, with a hint.
    let out = Command::new(env!("CARGO_BIN_EXE_mcp-authspec"))
        .current_dir(&dir)
        .args([
            "server",
            "--url",
            "http://127.0.0.1:1/mcp",
            "--cases",
            "cases",
        ])
        .args(["--plain", "--out", "out", "--baseline", "missing.yml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot read the baseline missing.yml: "),
        "{stderr}"
    );
    assert!(stderr.contains("= hint: "), "{stderr}");
}

/// A scratch folder holding the two client cases of the official `auth/scope-step-up`.
fn step_up_workspace(name: &str) -> PathBuf {
    let dir = temp_dir(&format!("baseline-{name}"));
    let area = dir.join("cases/client/scope");
    std::fs::create_dir_all(&area).unwrap();
    for file in ["step-up.yaml", "step-up-union.yaml"] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("cases/client/scope")
                .join(file),
            area.join(file),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("baseline.yml"),
        "client:\n  - auth/scope-step-up\n",
    )
    .unwrap();
    dir
}

/// An official scenario entry lists every run of the cases that belong to it: the
/// reference client without step-up misses both cases, at both revisions; the reference
/// client (the demo) passes them all, so the entry is stale.
#[test]
fn a_scenario_entry_lists_every_run_of_its_cases() {
    let dir = step_up_workspace("scenario");
    let bin = env!("CARGO_BIN_EXE_mcp-authspec");
    let client = format!("'{bin}' reference client --defect no-step-up");
    let out = Command::new(bin)
        .current_dir(&dir)
        .args([
            "client",
            "--command",
            &client,
            "--cases",
            "cases",
            "--plain",
        ])
        .args(["--revision", "2025-11-25,2026-07-28", "--out", "out"])
        .args(["--baseline", "baseline.yml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let r = report(&dir);
    assert_eq!(r.cases.len(), 3);
    for case in &r.cases {
        assert_ne!(case.outcome, Outcome::Pass, "{}", case.id);
        assert_eq!(
            case.baseline,
            Some(BaselineMark::ExpectedFailure {
                entry: "auth/scope-step-up".into()
            }),
            "{}",
            case.id
        );
    }
    let out = Command::new(bin)
        .current_dir(&dir)
        .args(["demo", "--cases", "cases", "--plain", "--out", "out"])
        .args(["--baseline", "baseline.yml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let r = report(&dir);
    assert!(r.cases.iter().all(|c| c.baseline
        == Some(BaselineMark::Stale {
            entry: "auth/scope-step-up".into()
        })));
    assert_eq!(r.baseline.unwrap().stale, ["auth/scope-step-up"]);
}
