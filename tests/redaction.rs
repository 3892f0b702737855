//! Secrets never reach a written report, in any format (JSON, JUnit, Markdown, the
//! console): the demo's full run (every role, every revision), a client that prints the
//! context it is given, and a server whose answers are JSON-RPC errors, whose codes must
//! survive because they explain the failures.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use regex::Regex;

mod common;
use common::{run_binary as run, temp_dir};

const PREREGISTERED_SECRET: &str = "mcp-authspec-preregistered-secret";

/// Every report format the run wrote, and its console output, as (name, text). Escapes
/// are undone (XML entities, JSON and Markdown backslashes), so that one set of patterns
/// reads every format.
fn written(dir: &Path, out: &Output) -> Vec<(String, String)> {
    let mut files = vec![(
        "console".to_string(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )];
    for name in ["report.json", "junit.xml", "report.md"] {
        let text = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("{name} was not written: {e}"));
        files.push((name.to_string(), text));
    }
    files
        .into_iter()
        .map(|(name, text)| {
            let plain = text
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
                .replace('\\', "");
            (name, plain)
        })
        .collect()
}

/// Asserts that no secret the harness or the target used shows in any written file.
fn assert_no_secrets(files: &[(String, String)]) {
    // Ids are no secrets; they are read from every file, since a JUnit check line may
    // show one whose exchange only the JSON report carries.
    let named = Regex::new(
        r#"(?i)((client_id|jti)(=|"\s*:\s*")|mcp-session-id(: |",\s*"value": "))([0-9a-f]{32})\b"#,
    )
    .unwrap();
    let ids: std::collections::BTreeSet<&str> = files
        .iter()
        .flat_map(|(_, text)| named.captures_iter(text))
        .map(|c| c.get(5).unwrap().as_str())
        .collect();
    for (name, text) in files {
        assert_no_secrets_in(name, text, &ids);
    }
}

fn assert_no_secrets_in(name: &str, text: &str, ids: &std::collections::BTreeSet<&str>) {
    let context = |at: usize| {
        let start = text[..at]
            .char_indices()
            .rev()
            .nth(80)
            .map_or(0, |(i, _)| i);
        let end = text[at..]
            .char_indices()
            .nth(80)
            .map_or(text.len(), |(i, _)| at + i);
        text[start..end].to_string()
    };
    if let Some(at) = text.find(PREREGISTERED_SECRET) {
        panic!("{name}: the pre-registered secret: …{}…", context(at));
    }
    // An HTTP Basic credential (RFC 7617): base64 after the scheme.
    // One that decodes to `id:secret`: prose such as a section named "(Basic Workflow)"
    // is not one.
    let basic = Regex::new(r"(?i)\bbasic ([A-Za-z0-9+/]{8,}=*)").unwrap();
    let is_credential = |b64: &str| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .is_ok_and(|bytes| bytes.contains(&b':'))
    };
    if let Some(m) = basic
        .captures_iter(text)
        .find(|c| is_credential(&c[1]))
        .and_then(|c| c.get(0))
    {
        panic!("{name}: a Basic credential: …{}…", context(m.start()));
    }
    // Any JWT, whole or cut for display: every token the harness and the mocks mint is one.
    let jwt = Regex::new(r"eyJ[A-Za-z0-9_-]{10,}").unwrap();
    if let Some(m) = jwt.find(text) {
        panic!("{name}: a JWT: …{}…", context(m.start()));
    }
    // The mocks' codes, refresh tokens and client secrets are 32 hex digits, like their
    // client ids, token ids (`jti`, among a sent token's decoded claims) and MCP session
    // ids (evidence, not credentials): every such value must be one of these.
    let hex = Regex::new(r"\b[0-9a-f]{32}\b").unwrap();
    for m in hex.find_iter(text) {
        assert!(
            ids.contains(m.as_str()),
            "{name}: a raw 32-hex value that is no client, token or session id: …{}…",
            context(m.start())
        );
    }
    // Secret parameters and members hold nothing but the redaction marker.
    let secret_value = Regex::new(
        r#"\b(code|access_token|refresh_token|id_token|code_verifier|client_secret)(=|"\s*:\s*")([^&"\s<>]*)"#,
    )
    .unwrap();
    for c in secret_value.captures_iter(text) {
        let value = &c[3];
        assert!(
            value.is_empty() || value.starts_with("[redacted"),
            "{name}: `{}` holds `{value}`: …{}…",
            &c[1],
            context(c.get(0).unwrap().start())
        );
    }
}

#[test]
fn the_demo_writes_no_secret_in_any_format() {
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
    let files = written(&dir, &out);
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
