//! Redaction of secrets in evidence. Reports are shared (CI logs, certification
//! artefacts), so tokens, codes, verifiers and client secrets never reach them.

use crate::vocab::{Exchange, HeaderPair};

const REDACTED: &str = "[redacted]";

/// Header names whose values are credentials.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "dpop",
];

/// Parameter names (query, form, JSON) whose values are secrets (RFC 6749 §4.1, §5.1;
/// RFC 7636 §4.5; RFC 7591 §3.2.1).
const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "client_secret",
    "client_assertion",
    "assertion",
    "subject_token",
    "password",
    "registration_access_token",
];

/// Returns the exchange with every secret replaced.
pub fn redact_exchange(mut e: Exchange) -> Exchange {
    // Decoded before redaction hides the token; the view itself holds no signature.
    e.sent_token = super::jwt_view::sent_token(&e);
    e.url = redact_url(&e.url);
    e.request_headers = e.request_headers.into_iter().map(redact_header).collect();
    e.response_headers = e.response_headers.into_iter().map(redact_header).collect();
    e.request_body = e.request_body.map(|b| redact_body(&b));
    e.response_body = e.response_body.map(|b| redact_body(&b));
    e
}

fn redact_header(h: HeaderPair) -> HeaderPair {
    let lower = h.name.to_ascii_lowercase();
    if lower == "location" || lower == "content-location" {
        return HeaderPair {
            value: redact_url(&h.value),
            ..h
        };
    }
    if !SECRET_HEADERS.contains(&lower.as_str()) {
        return h;
    }
    // Keep the scheme: whether a token was sent as `Bearer` is itself evidence.
    let value = match h.value.split_once(' ') {
        Some((scheme, _)) if lower.ends_with("authorization") => format!("{scheme} {REDACTED}"),
        _ => REDACTED.to_string(),
    };
    HeaderPair { value, ..h }
}

/// Redacts secret query parameters, keeping the URL otherwise as sent.
pub fn redact_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, query)) => {
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (query, None),
            };
            let mut out = format!("{base}?{}", redact_form(query));
            if let Some(f) = fragment {
                out.push('#');
                out.push_str(&redact_form(f));
            }
            out
        }
        None => url.to_string(),
    }
}

fn redact_form(form: &str) -> String {
    form.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if SECRET_PARAMS.contains(&k) => format!("{k}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Redacts free text (what a process printed): anything shaped like a JWS compact token
/// (RFC 7515 §7.1: three base64url segments, a JSON header starting `eyJ`).
pub fn redact_text(text: &str) -> String {
    use std::sync::OnceLock;
    static JWT: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let re = JWT.get_or_init(|| {
        regex::Regex::new(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*").ok()
    });
    match re {
        Some(re) => re.replace_all(text, "[redacted token]").into_owned(),
        None => text.to_string(),
    }
}

/// Redacts a body: JSON members with secret names at any depth, or a form body.
pub fn redact_body(body: &str) -> String {
    if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(body) {
        if redact_json(&mut v) {
            return serde_json::to_string(&v).unwrap_or_else(|_| REDACTED.to_string());
        }
        return body.to_string();
    }
    let looks_like_form = !body.contains(char::is_whitespace) && body.contains('=');
    if looks_like_form {
        redact_form(body)
    } else {
        body.to_string()
    }
}

/// Returns whether anything was redacted.
fn redact_json(v: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut changed = false;
            for (k, val) in map.iter_mut() {
                if SECRET_PARAMS.contains(&k.as_str()) && !val.is_null() {
                    *val = Value::String(REDACTED.to_string());
                    changed = true;
                } else {
                    changed |= redact_json(val);
                }
            }
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |acc, i| redact_json(i) | acc),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange() -> Exchange {
        Exchange {
            step: "s".into(),
            method: "POST".into(),
            url: "http://127.0.0.1:1/mcp?access_token=abc&x=1".into(),
            request_headers: vec![
                HeaderPair::new("Authorization", "Bearer eyJsecret"),
                HeaderPair::new("Accept", "application/json"),
            ],
            request_body: Some("grant_type=authorization_code&code=xyz&code_verifier=v".into()),
            status: Some(200),
            response_headers: vec![HeaderPair::new("Location", "http://c/cb?code=123&state=s")],
            response_body: Some(
                r#"{"access_token":"t","token_type":"Bearer","nested":{"refresh_token":"r"}}"#
                    .into(),
            ),
            response_truncated: false,
            elapsed_ms: 1,
            transport_error: None,
            sent_token: None,
        }
    }

    #[test]
    fn removes_every_secret_and_keeps_the_rest() {
        let e = redact_exchange(exchange());
        let all = serde_json::to_string(&e).unwrap();
        for secret in [
            "abc",
            "eyJsecret",
            "xyz",
            "code_verifier=v",
            "\"t\"",
            "\"r\"",
            "123",
        ] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
        assert_eq!(e.request_headers[0].value, "Bearer [redacted]");
        assert!(e.url.ends_with("x=1"));
        assert!(all.contains("state=s"));
        assert!(all.contains("token_type"));
    }

    #[test]
    fn redacts_tokens_in_free_text() {
        let text = "got token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln and went on";
        assert_eq!(redact_text(text), "got token [redacted token] and went on");
        assert_eq!(redact_text("nothing here"), "nothing here");
    }

    #[test]
    fn leaves_plain_bodies_alone() {
        assert_eq!(redact_body("hello world"), "hello world");
        assert_eq!(redact_body(r#"{"a":1}"#), r#"{"a":1}"#);
    }
}
