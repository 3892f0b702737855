//! The GitHub step summary as a workflow step gets it: with `GITHUB_STEP_SUMMARY` naming a
//! file, a run appends its Markdown summary there; a file that cannot be written is a
//! warning, and the exit code stays the run's.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::temp_dir;

/// `server --url` of a port nothing listens on: a short run that ends with exit 3.
fn unreachable_run(summary: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcp-authspec"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "server",
            "--url",
            "http://127.0.0.1:1/mcp",
            "--format",
            "json",
        ])
        .args(["--progress", "off", "--out"])
        .arg(out)
        .env("GITHUB_STEP_SUMMARY", summary)
        .output()
        .expect("run mcp-authspec")
}

#[test]
fn a_run_appends_its_summary_to_the_step_summary_file() {
    let dir = temp_dir("step-summary");
    std::fs::create_dir_all(&dir).unwrap();
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "## an earlier step\n").unwrap();
    let out = unreachable_run(&summary, &dir.join("reports"));
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with(
            "## an earlier step\n\n### MCP authorization conformance: harness or environment \
             error (exit code 3)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("> **Run error:** cannot connect to 127.0.0.1:1"),
        "{text}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reports/report.json")).unwrap())
            .unwrap();
    let s = &report["summary"];
    assert!(
        text.contains(&format!(
            "**{} passed, {} failed, {} warned, {} info, {} skipped, {} unsupported, {} errors**",
            s["pass"], s["fail"], s["warn"], s["info"], s["skip"], s["unsupported"], s["error"]
        )),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_step_summary_that_cannot_be_written_is_a_warning_not_another_exit_code() {
    let dir = temp_dir("step-summary-unwritable");
    std::fs::create_dir_all(&dir).unwrap();
    // A directory cannot be opened for appending.
    let out = unreachable_run(&dir, &dir.join("reports"));
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: cannot append the step summary to")
            && stderr.contains("(GITHUB_STEP_SUMMARY)"),
        "{stderr}"
    );
    assert!(dir.join("reports/report.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
