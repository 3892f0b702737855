//! The binary as a user meets it: diagnostics for broken case files, exit codes, an
//! unreachable or hanging target (the demo's reports are `tests/demo.rs`).

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

mod common;
use common::{run_binary as run, temp_dir, validate};

#[test]
fn malformed_case_files_get_located_diagnostics_and_exit_2() {
    for kind in [
        "unknown-key",
        "wrong-type",
        "unknown-predicate",
        "unknown-variable",
        "bad-expectation",
        "client-knobs",
        "query-of-another-role",
        "request-shape",
        "bad-revisions",
    ] {
        let dir = format!("fixtures/bad-cases/{kind}");
        let out = run(&["list", "--cases", &dir]);
        assert_eq!(out.status.code(), Some(2), "{kind}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        insta::assert_snapshot!(format!("diagnostic-{kind}"), stderr);
    }
}

#[test]
fn unreachable_target_ends_fast_with_exit_3_and_a_report() {
    let out_dir = temp_dir("unreachable");
    let start = Instant::now();
    let out = run(&[
        "server",
        "--url",
        "http://127.0.0.1:1/mcp",
        "--plain",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(start.elapsed() < Duration::from_secs(15));
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("error: cannot connect to 127.0.0.1:1")),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["exit_code"], 3);
}

/// Opaque access tokens are base64url and may begin with `-` (one from the Python SDK's
/// authorization server did): `--token` takes it as its value, not as an option.
#[test]
fn a_token_that_begins_with_a_hyphen_is_the_value_of_token() {
    let out_dir = temp_dir("hyphen-token");
    let out = run(&[
        "server",
        "--url",
        "http://127.0.0.1:1/mcp",
        "--token",
        "-sQ3_x",
        "--plain",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    // Exit 3 (the unreachable target), not 2 (a usage error).
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A case set with nothing for the target's role (or nothing for the planned revisions)
/// would be a green run that tested nothing: it is a usage error, said in one line.
#[test]
fn a_run_that_selects_no_case_is_a_usage_error() {
    let cases = temp_dir("server-cases-only");
    let area = cases.join("server/challenge");
    std::fs::create_dir_all(&area).unwrap();
    std::fs::copy(
        "cases/server/challenge/unauthenticated-gets-401.yaml",
        area.join("unauthenticated-gets-401.yaml"),
    )
    .unwrap();
    let dir = cases.to_str().unwrap();
    let out = run(&["client", "--command", "true", "--cases", dir, "--plain"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: nothing to run: none of the cases under "),
        "{stderr}"
    );
    assert!(stderr.contains("is a client case"), "{stderr}");
    // A server case, but none for the planned revision: the same error, before the
    // target is even probed (it would be unreachable, exit 3).
    let later = temp_dir("later-cases-only");
    let area = later.join("server/challenge");
    std::fs::create_dir_all(&area).unwrap();
    std::fs::copy(
        "cases/server/challenge/scope-in-challenge.yaml",
        area.join("scope-in-challenge.yaml"),
    )
    .unwrap();
    let out = run(&[
        "server",
        "--url",
        "http://127.0.0.1:1/mcp",
        "--revision",
        "2025-03-26",
        "--cases",
        later.to_str().unwrap(),
        "--plain",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is a server case that applies to 2025-03-26 with --profile strict"),
        "{stderr}"
    );
}

/// Symbolic links under `--cases` are followed once and within the folder: a loop, or a
/// link that leaves the folder, is a located error (exit 2), never a walk without end.
#[cfg(unix)]
#[test]
fn symbolic_link_loops_and_links_out_of_the_case_folder_are_usage_errors() {
    let cases = temp_dir("linked-cases");
    let area = cases.join("server/challenge");
    std::fs::create_dir_all(&area).unwrap();
    std::fs::copy(
        "cases/server/challenge/unauthenticated-gets-401.yaml",
        area.join("unauthenticated-gets-401.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../..", area.join("loop")).unwrap();
    let out = run(&["list", "--cases", cases.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("challenge/loop: a symbolic link to "),
        "{stderr}"
    );
    assert!(
        stderr.contains("(a loop, or the same folder twice)"),
        "{stderr}"
    );
    std::fs::remove_file(area.join("loop")).unwrap();
    std::os::unix::fs::symlink(std::env::temp_dir(), area.join("out")).unwrap();
    let out = run(&["list", "--cases", cases.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("outside the case folder"), "{stderr}");
    std::fs::remove_file(area.join("out")).unwrap();
    let out = run(&["list", "--cases", cases.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server that accepts connections and reads requests but never answers.
fn hanging_server() -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(false).unwrap();
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut held = Vec::new();
        listener.set_nonblocking(true).unwrap();
        while Instant::now() < deadline {
            match listener.accept() {
                Ok((mut s, _)) => {
                    let mut buf = [0u8; 1024];
                    let _ = s.set_read_timeout(Some(Duration::from_millis(50)));
                    let _ = s.read(&mut buf);
                    held.push(s);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    (port, handle)
}

#[test]
fn a_server_that_never_answers_ends_each_case_as_an_error_at_its_timeout() {
    let (port, _server) = hanging_server();
    let out_dir = temp_dir("hanging");
    let url = format!("http://127.0.0.1:{port}/mcp");
    let start = Instant::now();
    let out = run(&[
        "server",
        "--url",
        &url,
        "--plain",
        "--request-timeout",
        "1",
        "--case-timeout",
        "3",
        "--jobs",
        "128",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    let cases = report["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        // Token cases need a token this run does not have, the scope cases a scope the
        // silent server never named, the fixture cases a fixture no config declared:
        // they are skipped at once, saying so.
        if c["outcome"] == "skip" {
            let reason = c["reason"].as_str().unwrap();
            assert!(
                reason.contains("server --command")
                    || reason.contains("no scope")
                    || reason.contains("in --config)"),
                "{c}"
            );
            continue;
        }
        assert_eq!(c["outcome"], "error", "{c}");
        assert!(
            c["reason"].as_str().unwrap().contains("no answer")
                || c["reason"].as_str().unwrap().contains("time limit"),
            "{c}"
        );
    }
}

#[test]
fn a_server_command_that_fails_to_start_ends_with_exit_3_and_its_output_in_the_report() {
    let out_dir = temp_dir("command-fails");
    let out = run(&[
        "server",
        "--command",
        "echo cannot bind {port} >&2; exit 7",
        "--plain",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("did not start"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    let process = &report["targets"][0]["process"];
    assert!(
        process["stderr"]
            .as_str()
            .unwrap()
            .starts_with("cannot bind "),
        "{process}"
    );
    assert_eq!(process["ended"], "exit status 7");
    validate(Path::new("schemas/report.schema.json"), &report);
}

#[test]
fn mock_idp_prints_its_issuer_and_serves_metadata_until_stopped() {
    use std::io::{BufRead, BufReader, Write};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mcp-authspec"))
        .args(["mock", "idp", "--token-for", "http://127.0.0.1:9/mcp"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start mock idp");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let issuer = lines.next().unwrap().unwrap();
    let issuer = issuer
        .strip_prefix("issuer: ")
        .expect("first line names the issuer")
        .to_string();
    let printed: Vec<String> = lines
        .by_ref()
        .map(|l| l.unwrap())
        .take_while(|l| !l.starts_with("serving"))
        .collect();
    assert!(
        printed.iter().any(|l| l.starts_with("access_token: ey")),
        "{printed:?}"
    );
    let addr = issuer.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains(&format!("\"issuer\":\"{issuer}\"")),
        "{answer}"
    );
}

#[test]
fn authorization_server_runs_report_an_unreachable_issuer_and_refuse_a_bad_config() {
    let out_dir = temp_dir("as-unreachable");
    let out = run(&[
        "authorization-server",
        "--issuer",
        "http://127.0.0.1:1",
        "--plain",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out_dir.join("report.json").exists());
    let config = out_dir.join("bad.toml");
    std::fs::write(&config, "[consent]\nstrategy = \"telepathy\"\n").unwrap();
    let out = run(&[
        "authorization-server",
        "--issuer",
        "http://127.0.0.1:1",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.toml") && stderr.contains("telepathy"),
        "{stderr}"
    );
}

#[test]
fn client_runs_write_reports_for_good_and_hanging_clients() {
    let bin = env!("CARGO_BIN_EXE_mcp-authspec");
    let good = temp_dir("client-good");
    let out = run(&[
        "client",
        "--command",
        &format!("'{bin}' reference client"),
        "--plain",
        "--format",
        "json",
        "--out",
        good.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(good.join("report.json")).unwrap()).unwrap();
    assert!(
        report["summary"]["pass"].as_u64().unwrap() > 30,
        "{}",
        report["summary"]
    );
    validate(Path::new("schemas/report.schema.json"), &report);
    let hanging = temp_dir("client-hanging");
    let started = Instant::now();
    let out = run(&[
        "client",
        "--command",
        "sleep 30; :",
        "--case-timeout",
        "2",
        "--jobs",
        "128",
        "--plain",
        "--format",
        "json",
        "--out",
        hanging.to_str().unwrap(),
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(hanging.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["summary"]["pass"], 0, "{}", report["summary"]);
}

#[test]
fn list_prints_one_line_per_case_and_filters() {
    let all = run(&["list"]);
    assert_eq!(all.status.code(), Some(0));
    let lines = String::from_utf8_lossy(&all.stdout).lines().count();
    assert!(lines >= 20, "{lines} cases");
    let old = run(&["list", "--revision", "2025-03-26"]);
    let old_lines = String::from_utf8_lossy(&old.stdout).lines().count();
    assert!(old_lines > 0 && old_lines < lines);
    for line in String::from_utf8_lossy(&all.stdout).lines() {
        assert_eq!(line.split('\t').count(), 5, "{line}");
    }
}

/// Extensions are opt-in: `list` shows their cases only with `--extension`, names them
/// with `--extensions`, and a filter that selects only an extension's cases says which
/// flag would run them.
#[test]
fn extensions_are_opt_in_and_say_how_to_enable_them() {
    let core = run(&["list"]);
    let core = String::from_utf8_lossy(&core.stdout).to_string();
    assert!(!core.contains("client/client-credentials/"), "{core}");
    let all = run(&["list", "--extension", "all"]);
    let all = String::from_utf8_lossy(&all.stdout).to_string();
    assert!(all.lines().count() > core.lines().count());
    assert!(
        all.contains("client/client-credentials/grant-type\t"),
        "{all}"
    );
    let listed = run(&["list", "--extensions"]);
    insta::assert_snapshot!("list-extensions", String::from_utf8_lossy(&listed.stdout));
    let gated = run(&["list", "--scenario", "auth/client-credentials-jwt"]);
    assert_eq!(gated.status.code(), Some(2));
    insta::assert_snapshot!(
        "extension-not-enabled",
        String::from_utf8_lossy(&gated.stderr)
    );
    let unknown = run(&["list", "--extension", "dpopp"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("unknown extension `dpopp`"), "{stderr}");
}

#[test]
fn explain_describes_a_case_and_suggests_on_typos() {
    let out = run(&["explain", "server::challenge::unauthenticated-gets-401"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(
        "explain-unauthenticated",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(&["explain", "server/challenge/unauthenticated-gets-40"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("did you mean `server/challenge/unauthenticated-gets-401`?"));
}

/// A valid case file; each YAML mistake below is made in a copy of it.
const YAML_BASE_CASE: &str = "id: server/challenge/mine
title: A protected MCP request without a token is answered with 401
requirement: RS-401-01
clause: status-401
level: MUST
revisions: {since: 2025-03-26}
defect: forbidden-instead-of-unauthorized
steps:
  - name: protected request without a token
    send: {url: \"{target}\", mcp: first_protected}
    expect:
      - query: status
        is: {equals: 401}
";

/// YAML mistakes are said in the project's words, at the place to fix, with a hint: an
/// unclosed bracket at the bracket (the parser notices a line later), the reader's limits
/// with their numbers, a duplicate key with its first line, a non-UTF-8 file with the
/// offset of its first invalid byte.
#[test]
fn yaml_mistakes_are_located_where_to_fix_them_and_said_in_our_words() {
    let alias_bomb = {
        let mut json =
            String::from("        a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (previous, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip("bcdefghi".chars())
        {
            json.push_str(&format!(
                "        {name}: &{name} [{}]\n",
                vec![format!("*{previous}"); 9].join(", ")
            ));
        }
        format!("{YAML_BASE_CASE}  - send:\n      url: \"{{target}}\"\n      json:\n{json}    expect:\n      - query: status\n        is: {{equals: 401}}\n")
    };
    let many_steps = format!(
        "{YAML_BASE_CASE}{}",
        "  - send: {url: \"{target}\", mcp: first_protected}\n    expect: [{query: status, is: {equals: 401}}]\n"
            .repeat(25_000)
    );
    let mut not_utf8 = YAML_BASE_CASE.as_bytes().to_vec();
    let at = YAML_BASE_CASE.find("without a token").unwrap() + "without a ".len();
    not_utf8.splice(at..at, [0xe9]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "unclosed-list",
            YAML_BASE_CASE
                .replace(
                    "revisions: {since: 2025-03-26}",
                    "revisions: [2025-03-26, 2025-06-18",
                )
                .into_bytes(),
        ),
        (
            "unclosed-mapping",
            YAML_BASE_CASE
                .replace("mcp: first_protected}", "mcp: first_protected")
                .into_bytes(),
        ),
        ("alias-bomb", alias_bomb.into_bytes()),
        (
            "too-deep",
            YAML_BASE_CASE
                .replace(
                    "is: {equals: 401}",
                    &format!(
                        "is: {}{{equals: 401}}{}",
                        "{not: ".repeat(40),
                        "}".repeat(40)
                    ),
                )
                .into_bytes(),
        ),
        ("too-many-nodes", many_steps.into_bytes()),
        (
            "duplicate-key",
            YAML_BASE_CASE
                .replace("defect:", "level: SHOULD\ndefect:")
                .into_bytes(),
        ),
        ("not-utf8", not_utf8),
        (
            "expected-list",
            YAML_BASE_CASE
                .replace(
                    "    expect:\n      - query: status\n        is: {equals: 401}\n",
                    "    expect: 3\n",
                )
                .into_bytes(),
        ),
    ];
    let root = temp_dir("yaml-mistakes");
    let control = root.join("valid");
    std::fs::create_dir_all(control.join("server/challenge")).unwrap();
    std::fs::write(control.join("server/challenge/mine.yaml"), YAML_BASE_CASE).unwrap();
    let out = run(&["list", "--cases", control.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (kind, bytes) in cases {
        let dir = root.join(kind);
        std::fs::create_dir_all(dir.join("server/challenge")).unwrap();
        std::fs::write(dir.join("server/challenge/mine.yaml"), bytes).unwrap();
        let out = run(&["list", "--cases", dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{kind}");
        let stderr = String::from_utf8_lossy(&out.stderr).replace(dir.to_str().unwrap(), "[cases]");
        assert!(
            !stderr.contains("budget breached") && !stderr.contains("DuplicateKeyPolicy"),
            "{stderr}"
        );
        insta::assert_snapshot!(format!("diagnostic-yaml-{kind}"), stderr);
    }
}
