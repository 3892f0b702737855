//! The standard-library fixture (`fixtures/stdlib-target/`): a resource server and an
//! authorization server on Python's `http.server`, which write headers and body in two
//! writes, as many small servers do. Run through the CLI as a vendor would, `--revision
//! all`: every run ends, no case errs, the per-case outcomes are the committed snapshot
//! (the fixture's known gaps, listed in its files, are its only fails and warns), and they
//! are the same with fresh and with kept-alive connections (`--connections`), so verdicts
//! do not depend on the transport. Nothing here measures time.
//!
//! Without python3 on PATH the test says so and passes, unless
//! `MCP_AUTHSPEC_REQUIRE_CONSUMERS=1` (set by CI).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

mod common;
use common::{run_binary as run, temp_dir};

const FIXTURE: &str = "fixtures/stdlib-target";

/// Whether python3 runs (`common::python3_runs`): the fixture needs it.
fn python3_available() -> bool {
    common::python3_runs(&["--version"], "the stdlib fixture needs python3 on PATH")
}

/// The fixture authorization server, stopped when dropped.
struct AuthorizationServer {
    child: Child,
    issuer: String,
}

impl AuthorizationServer {
    fn start() -> Self {
        let mut child = Command::new("python3")
            .arg(format!("{FIXTURE}/authorization_server.py"))
            .args(["--port", "0"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the fixture authorization server");
        // Its first line says where it listens, once it does.
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("read the issuer line");
        let issuer = line
            .trim()
            .strip_prefix("issuer: ")
            .unwrap_or_else(|| panic!("the first line names the issuer: {line:?}"))
            .to_string();
        AuthorizationServer { child, issuer }
    }
}

impl Drop for AuthorizationServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the CLI with `args` and the report in a fresh folder; returns report.json.
fn report_of(name: &str, args: &[&str]) -> Value {
    let out = temp_dir(name);
    let out_arg = out.to_str().expect("a UTF-8 path");
    let mut all: Vec<&str> = args.to_vec();
    all.extend([
        "--revision",
        "all",
        "--plain",
        "--format",
        "json",
        "--out",
        out_arg,
    ]);
    let done = run(&all);
    let code = done.status.code();
    // 0: all required pass; 1: a required case failed (the fixture's known gaps).
    assert!(
        matches!(code, Some(0 | 1)),
        "{name}: the run did not end with a verdict (exit {code:?}): {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let text = std::fs::read_to_string(Path::new(&out).join("report.json")).expect("report.json");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// One line per case run, `outcome id [revision]`, sorted; panics on an `error` case
/// (the harness or the environment broke, not the fixture).
fn outcomes(name: &str, report: &Value) -> String {
    let cases = report["cases"].as_array().expect("cases");
    assert!(!cases.is_empty(), "{name}: no case ran");
    let mut lines: Vec<String> = cases
        .iter()
        .map(|c| {
            let outcome = c["outcome"].as_str().unwrap_or_default();
            assert_ne!(
                outcome, "error",
                "{name}: {} [{}] erred: {}",
                c["id"], c["revision"], c["reason"]
            );
            format!(
                "{outcome} {} [{}]",
                c["id"].as_str().unwrap_or_default(),
                c["revision"].as_str().unwrap_or_default()
            )
        })
        .collect();
    lines.sort();
    lines.join("\n") + "\n"
}

#[test]
fn resource_server_verdicts_are_stable_and_transport_independent() {
    if !python3_available() {
        return;
    }
    let command =
        format!("python3 {FIXTURE}/resource_server.py --port {{port}} --issuer {{issuer}}");
    let run_with = |connections: &str| {
        let name = format!("stdlib-rs-{connections}");
        let report = report_of(
            &name,
            &[
                "server",
                "--command",
                &command,
                "--connections",
                connections,
            ],
        );
        outcomes(&name, &report)
    };
    let fresh = run_with("fresh");
    insta::assert_snapshot!("stdlib-resource-server", fresh);
    assert_eq!(run_with("reuse"), fresh, "reuse and fresh judge alike");
}

#[test]
fn authorization_server_verdicts_are_stable_and_transport_independent() {
    if !python3_available() {
        return;
    }
    let run_with = |connections: &str| {
        // A server of its own for each run: registrations and codes start empty.
        let server = AuthorizationServer::start();
        let name = format!("stdlib-as-{connections}");
        let report = report_of(
            &name,
            &[
                "authorization-server",
                "--issuer",
                &server.issuer,
                "--connections",
                connections,
            ],
        );
        outcomes(&name, &report)
    };
    let fresh = run_with("fresh");
    insta::assert_snapshot!("stdlib-authorization-server", fresh);
    assert_eq!(run_with("reuse"), fresh, "reuse and fresh judge alike");
}
