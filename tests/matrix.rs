//! `mcp-authspec matrix` from the command line: it writes both files from real reports,
//! and refuses bad input with the file's name, exit 2 and nothing written.

mod common;

use common::{run_binary, temp_dir};

/// A real report: the demo's server cases for one revision would take long, so an empty
/// case set is not an option (exit 2); the reference server on two challenge cases is.
fn write_report(dir: &std::path::Path) -> std::path::PathBuf {
    let cases = dir.join("cases/server/challenge");
    std::fs::create_dir_all(&cases).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/server/challenge");
    std::fs::copy(
        root.join("header-present.yaml"),
        cases.join("header-present.yaml"),
    )
    .unwrap();
    let command = format!(
        "'{}' reference server --port {{port}} --issuer {{issuer}} --defect no-www-authenticate",
        env!("CARGO_BIN_EXE_mcp-authspec")
    );
    let out = dir.join("run");
    let run = run_binary(&[
        "server",
        "--command",
        &command,
        "--cases",
        dir.join("cases").to_str().unwrap(),
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
        "--plain",
    ]);
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    out.join("report.json")
}

#[test]
fn writes_matrix_html_and_md() {
    let dir = temp_dir("matrix-cli");
    let report = write_report(&dir);
    let out = dir.join("matrix");
    let run = run_binary(&[
        "matrix",
        report.to_str().unwrap(),
        "--name",
        &format!("one={}", report.display()),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let md = std::fs::read_to_string(out.join("matrix.md")).unwrap();
    assert!(md.contains("| Case | one |"), "{md}");
    assert!(
        md.contains("`server/challenge/header-present` | 07-28 FAIL |"),
        "{md}"
    );
    let html = std::fs::read_to_string(out.join("matrix.html")).unwrap();
    assert!(html.contains("header `www-authenticate` is present"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_named_exit_2_and_nothing_is_written() {
    let dir = temp_dir("matrix-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let good = write_report(&dir);
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"schema_version\": \"1.1\",\n  \"tool\": }").unwrap();
    let other = dir.join("package.json");
    std::fs::write(&other, "{\"name\": \"x\", \"version\": \"1.0.0\"}").unwrap();
    let out = dir.join("matrix");
    for (bad, says) in [
        (&broken, "broken.json:2:11: error: not JSON: expected value"),
        (
            &other,
            "package.json: error: not an mcp-authspec report (no schema_version",
        ),
    ] {
        let run = run_binary(&[
            "matrix",
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(stderr.contains("= hint:"), "{stderr}");
        assert!(!out.exists(), "something was written");
    }
    let run = run_binary(&["matrix", "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no report given"));
    let run = run_binary(&["matrix", "--name", "oops", good.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("write NAME=PATH"));
    let _ = std::fs::remove_dir_all(&dir);
}
