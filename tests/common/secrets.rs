//! What a written report may not contain: the secrets the harness and the mocks use, in
//! any format. Shared by the redaction tests and the demo's.
#![allow(dead_code)] // Not every test binary that shares `common` checks reports for secrets.

use std::path::Path;
use std::process::Output;

use regex::Regex;

pub const PREREGISTERED_SECRET: &str = "mcp-authspec-preregistered-secret";

/// Every report format the run wrote, and its console output, as (name, text). Escapes
/// are undone (XML and HTML entities, JSON and Markdown backslashes), so that one set of patterns
/// reads every format.
pub fn written(dir: &Path, out: &Output) -> Vec<(String, String)> {
    let mut files = vec![(
        "console".to_string(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )];
    for name in ["report.json", "junit.xml", "report.md", "report.html"] {
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
                .replace("&#x27;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
                .replace('\\', "");
            (name, plain)
        })
        .collect()
}

/// Asserts that no secret the harness or the target used shows in any written file.
pub fn assert_no_secrets(files: &[(String, String)]) {
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
    // An HTTP Basic credential (RFC 7617): base64 after the scheme, one that decodes to
    // `id:secret`; prose such as a section named "(Basic Workflow)" is not one.
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
    // A JWT segment is base64url of a JSON object, so it decodes to `{"` and a member name;
    // a random base64url value (a PKCE challenge, a `state`) that merely contains `eyJ`
    // does not, and is no finding.
    let jwt = Regex::new(r"eyJ[A-Za-z0-9_-]{10,}").unwrap();
    let is_jwt_segment = |segment: &str| {
        use base64::Engine;
        let whole = &segment[..segment.len() / 4 * 4];
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(whole)
            .is_ok_and(|bytes| {
                let name: Vec<u8> = bytes[2..]
                    .iter()
                    .copied()
                    .take_while(|b| *b != b'"')
                    .collect();
                name.len() >= 2 && name.iter().all(|b| b.is_ascii_alphabetic() || *b == b'_')
            })
    };
    if let Some(m) = jwt.find_iter(text).find(|m| is_jwt_segment(m.as_str())) {
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
