//! Nothing vacuous (issue 13, item 4): against hostile servers on loopback (raw bytes
//! instead of HTTP, a connection closed mid-answer, a head too large, a redirect to
//! itself, metadata that is not JSON), the absence and negation cases
//! (`server/challenge/no-data-in-401`, `server/challenge/no-offline-access`,
//! `server/prm/no-offline-access-scope`, `server/prm/no-query-bearer-method`) never pass:
//! each fails with the transport or parse reason, or is skipped naming what was missing.
//! Each server answers at once; the run is bounded by short request and case limits.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The cases a hostile answer used to let pass, as `<area>/<name>` under `cases/server/`.
const CASES: &[&str] = &[
    "challenge/no-data-in-401",
    "challenge/no-offline-access",
    "prm/no-offline-access-scope",
    "prm/no-query-bearer-method",
];

#[derive(Clone, Copy)]
enum Hostile {
    /// Bytes that are not HTTP at all.
    Garbage,
    /// A 401 head announcing 1,000 body bytes, 9 of them sent, then the connection closed.
    MidResponseClose,
    /// A 401 with 1,000 `WWW-Authenticate` lines: more head than an HTTP client reads.
    ThousandChallengeLines,
    /// A 302 to the very URL requested, on every path.
    RedirectLoop,
    /// A proper 401 challenge, and protected resource metadata declared as JSON that
    /// does not parse (cut off inside a list).
    MetadataNotJson,
    /// Accepts, reads the request and never answers.
    Silent,
}

/// What the server sends for a request to `path`, on `port`.
fn answer(mode: Hostile, path: &str, port: u16) -> Vec<u8> {
    let prm = format!("http://127.0.0.1:{port}/.well-known/oauth-protected-resource/mcp");
    match mode {
        Hostile::Garbage => b"\x00\x01garbage not http\r\n\r\n".to_vec(),
        Hostile::MidResponseClose => b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc".to_vec(),
        Hostile::ThousandChallengeLines => {
            let mut head = b"HTTP/1.1 401 Unauthorized\r\n".to_vec();
            for i in 0..1000 {
                head.extend(
                    format!("WWW-Authenticate: Bearer realm=\"r{i}\", resource_metadata=\"{prm}\"\r\n")
                        .bytes(),
                );
            }
            head.extend(b"Content-Length: 0\r\n\r\n");
            head
        }
        Hostile::RedirectLoop => {
            format!("HTTP/1.1 302 Found\r\nLocation: {path}\r\nContent-Length: 0\r\n\r\n").into_bytes()
        }
        Hostile::MetadataNotJson if path.contains("/.well-known/") => {
            let body = format!(
                "{{\"resource\": \"http://127.0.0.1:{port}/mcp\", \"authorization_servers\": ["
            );
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        }
        Hostile::Silent => Vec::new(),
        Hostile::MetadataNotJson => format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer resource_metadata=\"{prm}\"\r\nContent-Length: 0\r\n\r\n"
        )
        .into_bytes(),
    }
}

/// Reads one request (head, and the body its `Content-Length` announces, so that closing
/// the connection does not reset it), answers it as `mode` says and closes.
async fn serve_one(mut stream: TcpStream, mode: Hostile, port: u16) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&seen[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while seen.len() < head_end + length {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    if matches!(mode, Hostile::Silent) {
        // Holds the connection open until the test's runtime ends.
        std::future::pending::<()>().await;
    }
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let _ = stream.write_all(&answer(mode, &path, port)).await;
    let _ = stream.shutdown().await;
}

/// A hostile server on 127.0.0.1, port 0; returns its port.
async fn start(mode: Hostile) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve_one(stream, mode, port));
        }
    });
    port
}

/// A case folder holding copies of [`CASES`].
fn case_dir(name: &str) -> PathBuf {
    let dir = common::temp_dir(&format!("vacuous-cases-{name}"));
    for case in CASES {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("cases/server/{case}.yaml"));
        let to = dir.join(format!("server/{case}.yaml"));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    dir
}

/// Runs the copies of [`CASES`] against a hostile server; returns each case's report
/// (outcome, reason, checks) by id.
async fn run_against(mode: Hostile, name: &str) -> Vec<Value> {
    // Only the silent server needs a short request time limit; every other one answers at
    // once, so a long limit keeps a loaded machine from turning its verdicts into timeouts.
    let limit = if matches!(mode, Hostile::Silent) {
        "1"
    } else {
        "30"
    };
    let port = start(mode).await;
    run_at(port, name, limit).await
}

/// Runs the copies of [`CASES`] against whatever listens (or not) on `port`.
async fn run_at(port: u16, name: &str, request_timeout: &str) -> Vec<Value> {
    run_report(port, name, request_timeout).await["cases"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The whole report of a run of the copies of [`CASES`] against `port`.
async fn run_report(port: u16, name: &str, request_timeout: &str) -> Value {
    let cases = case_dir(name);
    let out = common::temp_dir(&format!("vacuous-out-{name}"));
    let args: Vec<String> = [
        "server",
        "--url",
        &format!("http://127.0.0.1:{port}/mcp"),
        "--cases",
        &cases.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--format",
        "json",
        "--plain",
        "--request-timeout",
        request_timeout,
        "--case-timeout",
        "60",
    ]
    .map(String::from)
    .to_vec();
    let output = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        common::run_binary(&args)
    })
    .await
    .unwrap();
    let text = std::fs::read_to_string(out.join("report.json")).unwrap_or_else(|e| {
        panic!(
            "no report ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let report: Value = serde_json::from_str(&text).unwrap();
    let _ = std::fs::remove_dir_all(&cases);
    let _ = std::fs::remove_dir_all(&out);
    report
}

fn case<'a>(cases: &'a [Value], id: &str) -> &'a Value {
    cases
        .iter()
        .find(|c| c["id"] == format!("server/{id}"))
        .unwrap_or_else(|| panic!("no result for {id} in {cases:#?}"))
}

fn summary(c: &Value) -> String {
    format!("{} {}: {}", c["id"], c["outcome"], c["reason"])
}

/// Each case is judged against the answer it got: it does not pass, its reason names
/// `cause`, and none of its checks passed (there was nothing to read).
fn assert_judged_on_the_broken_answer(cases: &[Value], cause: &str) {
    assert_eq!(cases.len(), CASES.len(), "{cases:#?}");
    for id in CASES {
        let c = case(cases, id);
        let outcome = c["outcome"].as_str().unwrap_or_default();
        assert!(
            ["fail", "warn"].contains(&outcome),
            "{}: a MUST fails, a SHOULD warns, on an answer that is no HTTP",
            summary(c)
        );
        let reason = c["reason"].as_str().unwrap_or_default();
        assert!(reason.contains(cause), "{}", summary(c));
        let passed: Vec<&Value> = c["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|k| k["outcome"] == "pass")
            .collect();
        assert!(passed.is_empty(), "{}: {passed:#?}", summary(c));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_instead_of_http_fails_every_absence_case() {
    let cases = run_against(Hostile::Garbage, "garbage").await;
    assert_judged_on_the_broken_answer(&cases, "no valid HTTP answer");
    assert_judged_on_the_broken_answer(&cases, "invalid HTTP");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_cut_mid_body_fails_every_absence_case() {
    let cases = run_against(Hostile::MidResponseClose, "midclose").await;
    assert_judged_on_the_broken_answer(&cases, "no valid HTTP answer");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_head_too_large_fails_every_absence_case() {
    let cases = run_against(Hostile::ThousandChallengeLines, "challenge-lines").await;
    assert_judged_on_the_broken_answer(&cases, "no valid HTTP answer");
    assert_judged_on_the_broken_answer(&cases, "too large");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_loop_is_no_401_and_no_metadata() {
    let cases = run_against(Hostile::RedirectLoop, "redirect").await;
    // RS-401-01 asks for the 401 itself: a 302 breaks it, whatever the body holds.
    let c = case(&cases, "challenge/no-data-in-401");
    assert_eq!(c["outcome"], "fail", "{}", summary(c));
    assert!(
        c["reason"]
            .as_str()
            .unwrap()
            .contains("status is 401: got 302"),
        "{}",
        summary(c)
    );
    // No challenge and no metadata document: nothing these SHOULDs judge was served,
    // which the discovery and challenge cases judge; skipped, naming what was missing.
    for (id, missing, seen) in [
        (
            "challenge/no-offline-access",
            "no Bearer challenge",
            "no WWW-Authenticate header",
        ),
        (
            "prm/no-offline-access-scope",
            "no protected resource metadata",
            "got 302",
        ),
        (
            "prm/no-query-bearer-method",
            "no protected resource metadata",
            "got 302",
        ),
    ] {
        let c = case(&cases, id);
        assert_eq!(c["outcome"], "skip", "{}", summary(c));
        let reason = c["reason"].as_str().unwrap();
        assert!(reason.contains(missing), "{}", summary(c));
        assert!(reason.contains(seen), "{}", summary(c));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn metadata_that_is_not_json_fails_its_absence_cases() {
    let cases = run_against(Hostile::MetadataNotJson, "badprm").await;
    for id in ["prm/no-offline-access-scope", "prm/no-query-bearer-method"] {
        let c = case(&cases, id);
        assert_eq!(c["outcome"], "warn", "{}", summary(c));
        assert!(
            c["reason"]
                .as_str()
                .unwrap()
                .contains("the body is not JSON (EOF while parsing a list"),
            "{}",
            summary(c)
        );
    }
    // The 401 itself is well formed, empty and without a scope: those cases judge it.
    for id in ["challenge/no-data-in-401", "challenge/no-offline-access"] {
        let c = case(&cases, id);
        assert_eq!(c["outcome"], "pass", "{}", summary(c));
    }
}

/// No answer is the environment's problem or the target's absence, not a verdict: the
/// cases are `error` with the reason, as for every other case.
fn assert_errors_naming(cases: &[Value], cause: &str) {
    assert_eq!(cases.len(), CASES.len(), "{cases:#?}");
    for id in CASES {
        let c = case(cases, id);
        assert_eq!(c["outcome"], "error", "{}", summary(c));
        let reason = c["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("no answer from"), "{}", summary(c));
        assert!(reason.contains(cause), "{}", summary(c));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_is_an_error_not_a_pass() {
    let cases = run_against(Hostile::Silent, "silent").await;
    assert_errors_naming(&cases, "timed out");
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_listening_is_an_error_not_a_pass() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    // The run stops before any case: the report says why, with the harness-error exit.
    let report = run_report(port, "unreachable", "30").await;
    assert_eq!(report["exit_code"], 3, "{report:#}");
    assert!(
        report["error"]
            .as_str()
            .unwrap_or_default()
            .contains("cannot connect"),
        "{report:#}"
    );
    let passed = report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["outcome"] == "pass")
        .count();
    assert_eq!(passed, 0, "{report:#}");
}
