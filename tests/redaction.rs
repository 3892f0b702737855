//! Secrets never reach a written report, in any format (JSON, JUnit, Markdown, the
//! console): a client that prints the context it is given, and a server whose answers
//! are JSON-RPC errors, whose codes must survive because they explain the failures. The
//! demo's full run (every role, every revision) is checked in `tests/demo.rs`; the
//! patterns are `common::secrets`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;

mod common;
use common::secrets::{assert_no_secrets, written};
use common::{run_binary as run, temp_dir};

#[test]
fn a_client_that_prints_its_context_leaks_no_secret() {
    let cases = temp_dir("context-cases");
    let area = cases.join("client/registration");
    std::fs::create_dir_all(&area).unwrap();
    for name in ["token-auth-post.yaml", "token-auth-basic.yaml"] {
        std::fs::copy(
            Path::new("cases/client/registration").join(name),
            area.join(name),
        )
        .unwrap();
    }
    let dir = temp_dir("context");
    let out = run(&[
        "client",
        "--command",
        // As JSON on stdout, as bare words on stderr (no structure left to spot the
        // secret by: only its value gives it away).
        r#"echo "context: $MCP_CONFORMANCE_CONTEXT"; echo "$MCP_CONFORMANCE_CONTEXT" | sed 's/[{}",:]/ /g' >&2; :"#,
        "--cases",
        cases.to_str().unwrap(),
        "--revision",
        "all",
        "--plain",
        "--out",
        dir.to_str().unwrap(),
    ]);
    // The client does nothing, so the cases fail: every format shows their details.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let files = written(&dir, &out);
    assert_no_secrets(&files);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let stdout = report["cases"][0]["process"]["stdout"].as_str().unwrap();
    // The client printed the context; the report keeps it, secret hidden.
    assert!(
        stdout.contains("\"client_secret\":\"[redacted]\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("mcp-authspec-preregistered"),
        "the client id stays: {stdout}"
    );
    let stderr = report["cases"][0]["process"]["stderr"].as_str().unwrap();
    assert!(stderr.contains("client_secret   [redacted]"), "{stderr}");
}

/// A server that answers every request with HTTP 400 and a JSON-RPC error.
fn json_rpc_error_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0u8; length];
                let _ = reader.read_exact(&mut body);
                let answer = r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params: unknown protocol version"}}"#;
                let response = format!(
                    "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = reader.get_mut().write_all(response.as_bytes());
            });
        }
    });
    port
}

#[test]
fn json_rpc_error_codes_in_recorded_bodies_survive() {
    let port = json_rpc_error_server();
    let dir = temp_dir("json-rpc");
    let url = format!("http://127.0.0.1:{port}/mcp");
    let out = run(&[
        "server",
        "--url",
        &url,
        "--plain",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let files = written(&dir, &out);
    assert_no_secrets(&files);
    for name in ["report.json", "report.md"] {
        let text = &files.iter().find(|(n, _)| n == name).unwrap().1;
        assert!(
            text.contains(
                r#""error":{"code":-32602,"message":"Invalid params: unknown protocol version"}"#
            ),
            "{name} lost the JSON-RPC error"
        );
    }
}

/// The secret scan itself: a JWT, whole or cut, is found; a random base64url value that
/// merely contains `eyJ` (a PKCE challenge once did, in CI) is not.
#[test]
fn the_secret_scan_finds_jwts_and_not_random_values_that_contain_eyj() {
    let file = |text: &str| vec![("report.json".to_string(), text.to_string())];
    let challenge = "code_challenge=2qxiYOwi2oo3nkxQvcgoeyJxDaLWhQRL2BT4tEsoaVI&state=zqiT";
    assert_no_secrets(&file(challenge));
    for token in [
        "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJ4In0.c2ln",
        "Bearer eyJ0eXAiOiJKV1Qi…",
        "\"eyJzdWIiOiJhbGljZSJ9\"",
    ] {
        let found = std::panic::catch_unwind(|| assert_no_secrets(&file(token)));
        assert!(found.is_err(), "the scan missed a JWT in `{token}`");
    }
}
