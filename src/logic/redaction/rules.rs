//! The structural rules: where in HTTP traffic and in free text a secret sits (a header,
//! a parameter, a JSON member), whatever its value. Every value a rule removes from an
//! exchange is also collected, so that the same value can be found by value wherever
//! else the run wrote it (see [`super::secrets`]).

use std::sync::OnceLock;

use base64::Engine;
use regex::{Captures, Regex};

use super::secrets::{SecretValues, REDACTED};
use crate::vocab::{Exchange, HeaderPair};

/// Header names whose values are credentials.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "dpop",
];

/// Parameter names (query, form, JSON) whose values are secrets (RFC 6749 §4.1.2, §5.1;
/// RFC 7636 §4.5; RFC 7591 §3.2.1; RFC 8693 §2.1). `code` is special: see [`is_secret_member`].
const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "client_secret",
    "client_assertion",
    // The machine client's key in the client credentials scenarios' launch context.
    "private_key_pem",
    // The enterprise and workload variants' JWTs in the launch context.
    "idp_id_token",
    "valid_jwt",
    "wrong_audience_jwt",
    "expired_jwt",
    "assertion",
    "subject_token",
    "actor_token",
    "password",
    "registration_access_token",
];

/// Returns the exchange with every secret replaced.
pub fn redact_exchange(e: Exchange) -> Exchange {
    redact_exchange_collecting(e, &mut SecretValues::default())
}

/// Returns the exchange with every secret replaced, adding each removed value to `found`.
pub fn redact_exchange_collecting(mut e: Exchange, found: &mut SecretValues) -> Exchange {
    // Decoded before redaction hides the token; the view itself holds no signature.
    e.sent_token = crate::logic::jwt_view::sent_token(&e);
    e.url = url_collecting(&e.url, found);
    e.request_headers = e
        .request_headers
        .into_iter()
        .map(|h| header_collecting(h, found))
        .collect();
    e.response_headers = e
        .response_headers
        .into_iter()
        .map(|h| header_collecting(h, found))
        .collect();
    e.request_body = e.request_body.map(|b| body_collecting(&b, found));
    e.response_body = e.response_body.map(|b| body_collecting(&b, found));
    e
}

fn header_collecting(h: HeaderPair, found: &mut SecretValues) -> HeaderPair {
    let lower = h.name.to_ascii_lowercase();
    if lower == "location" || lower == "content-location" {
        return HeaderPair {
            value: url_collecting(&h.value, found),
            ..h
        };
    }
    if !SECRET_HEADERS.contains(&lower.as_str()) {
        return h;
    }
    let value = match lower.as_str() {
        "authorization" | "proxy-authorization" => authorization_collecting(&h.value, found),
        "cookie" => {
            // RFC 6265 §4.2.1: `name=value; name=value`.
            for pair in h.value.split(';') {
                found.add(pair.split_once('=').map_or(pair, |(_, v)| v));
            }
            REDACTED.to_string()
        }
        "set-cookie" => {
            // RFC 6265 §4.1.1: the first pair is the cookie; attributes follow.
            let first = h.value.split(';').next().unwrap_or_default();
            found.add(first.split_once('=').map_or(first, |(_, v)| v));
            REDACTED.to_string()
        }
        _ => {
            found.add(&h.value);
            REDACTED.to_string()
        }
    };
    HeaderPair { value, ..h }
}

/// `Scheme credentials` keeps the scheme: whether a token was sent as `Bearer` (or the
/// client authenticated with `Basic`) is itself evidence.
fn authorization_collecting(value: &str, found: &mut SecretValues) -> String {
    match value.trim().split_once(' ') {
        Some((scheme, credentials)) => {
            let credentials = credentials.trim();
            found.add(credentials);
            if scheme.eq_ignore_ascii_case("basic") {
                collect_basic(credentials, found);
            }
            format!("{scheme} {REDACTED}")
        }
        None => {
            found.add(value);
            REDACTED.to_string()
        }
    }
}

/// RFC 7617 §2: base64 of `user-id:password`; for OAuth clients both are form-encoded
/// first (RFC 6749 §2.3.1). The password (the client secret) is a secret of its own,
/// since a check or a log may show it decoded; the client id is not.
fn collect_basic(credentials: &str, found: &mut SecretValues) {
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(credentials) else {
        return;
    };
    if let Some((_, secret)) = String::from_utf8_lossy(&bytes).split_once(':') {
        found.add(secret);
        found.add(&form_decode(secret));
    }
}

/// Redacts secret query parameters, keeping the URL otherwise as sent.
pub fn redact_url(url: &str) -> String {
    url_collecting(url, &mut SecretValues::default())
}

fn url_collecting(url: &str, found: &mut SecretValues) -> String {
    match url.split_once('?') {
        Some((base, query)) => {
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (query, None),
            };
            let mut out = format!("{base}?{}", form_collecting(query, found));
            if let Some(f) = fragment {
                out.push('#');
                out.push_str(&form_collecting(f, found));
            }
            out
        }
        // The implicit flow's fragment carries tokens too (RFC 6749 §4.2.2).
        None => match url.split_once('#') {
            Some((base, fragment)) if fragment.contains('=') => {
                format!("{base}#{}", form_collecting(fragment, found))
            }
            _ => url.to_string(),
        },
    }
}

fn form_collecting(form: &str, found: &mut SecretValues) -> String {
    form.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if SECRET_PARAMS.contains(&form_decode(k).as_str()) => {
                found.add(v);
                found.add(&form_decode(v));
                format!("{k}={REDACTED}")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space), lossy.
fn form_decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    url::form_urlencoded::parse(format!("x={spaced}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or(spaced)
}

/// Redacts a body: JSON members with secret names at any depth, a form body, or the
/// free-text rules for anything else (an HTML redirect page, an event stream).
pub fn redact_body(body: &str) -> String {
    body_collecting(body, &mut SecretValues::default())
}

fn body_collecting(body: &str, found: &mut SecretValues) -> String {
    if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(body) {
        if json_collecting(&mut v, false, found) {
            return serde_json::to_string(&v).unwrap_or_else(|_| REDACTED.to_string());
        }
        return body.to_string();
    }
    let looks_like_form = !body.contains(char::is_whitespace) && body.contains('=');
    if looks_like_form {
        form_collecting(body, found)
    } else {
        text_collecting(body, Some(found))
    }
}

/// Whether the member `name` holds a secret. An OAuth authorization code is a string
/// (RFC 6749 §4.1.2); a JSON-RPC error's `code` is an integer (JSON-RPC 2.0 §5.1) and
/// explains an MCP-level failure, so it is never hidden: neither a number nor any member
/// of the `error` object of a JSON-RPC message.
fn is_secret_member(name: &str, value: &serde_json::Value, in_jsonrpc_error: bool) -> bool {
    if value.is_null() || !SECRET_PARAMS.contains(&name) {
        return false;
    }
    name != "code" || (value.is_string() && !in_jsonrpc_error)
}

/// Returns whether anything was redacted.
fn json_collecting(
    v: &mut serde_json::Value,
    in_jsonrpc_error: bool,
    found: &mut SecretValues,
) -> bool {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let jsonrpc = map.contains_key("jsonrpc");
            let mut changed = false;
            for (k, val) in map.iter_mut() {
                if is_secret_member(k, val, in_jsonrpc_error) {
                    match &*val {
                        Value::String(s) => found.add(s),
                        other => found.add(&other.to_string()),
                    }
                    *val = Value::String(REDACTED.to_string());
                    changed = true;
                } else {
                    changed |= json_collecting(val, jsonrpc && k == "error", found);
                }
            }
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |acc, i| {
            json_collecting(i, in_jsonrpc_error, found) | acc
        }),
        _ => false,
    }
}

/// Redacts free text (what a process printed, a page the target served): JWS compact
/// tokens (RFC 7515 §7.1), credentials after an HTTP authentication scheme (RFC 9110
/// §11.4), and secret parameters written as `name=value` or as JSON or Python members.
pub fn redact_text(text: &str) -> String {
    text_collecting(text, None)
}

struct TextRules {
    jwt: Regex,
    credential: Regex,
    code_param: Regex,
    named_param: Regex,
    double_quoted_member: Regex,
    single_quoted_member: Regex,
    escaped_member: Regex,
}

fn text_rules() -> Option<&'static TextRules> {
    static RULES: OnceLock<Option<TextRules>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            let names = SECRET_PARAMS.join("|");
            let names_but_code = SECRET_PARAMS
                .iter()
                .filter(|n| **n != "code")
                .copied()
                .collect::<Vec<_>>()
                .join("|");
            Some(TextRules {
                jwt: Regex::new(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*").ok()?,
                // token68 (RFC 9110 §11.2); an auth-param (`realm="x"`, `error=invalid_token`)
                // is told apart by what follows its `=` (see `credential_or_param`).
                credential: Regex::new(
                    r#"(?i)\b(bearer|basic|dpop)(\s+)([A-Za-z0-9._~+/-]{8,}=*)(.?)"#,
                )
                .ok()?,
                // `code` is a common word: only as a URL or form parameter.
                code_param: Regex::new(r#"([?&#]code=)([^&\s"'<>#;]+)"#).ok()?,
                named_param: Regex::new(&format!(
                    r#"(?i)\b((?:{names_but_code})\s*[:=]\s*["']?)([^\s,;"'&<>#]+)"#
                ))
                .ok()?,
                // `"name": "value"`; a number is never matched, so a JSON-RPC error
                // code stays.
                double_quoted_member: Regex::new(&format!(
                    r#"("(?:{names})"\s*:\s*")((?:\\.|[^"\\])*)(")"#
                ))
                .ok()?,
                // Python's `'name': 'value'` (a printed dict).
                single_quoted_member: Regex::new(&format!(
                    r#"('(?:{names})'\s*:\s*')((?:\\.|[^'\\])*)(')"#
                ))
                .ok()?,
                // The same inside a JSON string (a logged JSON document): `\"name\":\"value\"`.
                escaped_member: Regex::new(&format!(
                    r#"(\\"(?:{names})\\"\s*:\s*\\")((?:[^"\\]|\\[^"])*)(\\")"#
                ))
                .ok()?,
            })
        })
        .as_ref()
}

fn text_collecting(text: &str, mut found: Option<&mut SecretValues>) -> String {
    let Some(rules) = text_rules() else {
        return text.to_string();
    };
    let mut keep = |value: &str| {
        if let Some(f) = found.as_deref_mut() {
            f.add(value);
        }
    };
    let mut out = rules
        .jwt
        .replace_all(text, |c: &Captures| {
            keep(&c[0]);
            "[redacted token]".to_string()
        })
        .into_owned();
    out = rules
        .credential
        .replace_all(&out, |c: &Captures| credential_or_param(c, &mut keep))
        .into_owned();
    out = rules
        .code_param
        .replace_all(&out, |c: &Captures| {
            keep(&c[2]);
            format!("{}{REDACTED}", &c[1])
        })
        .into_owned();
    out = rules
        .named_param
        .replace_all(&out, |c: &Captures| {
            keep(&c[2]);
            format!("{}{REDACTED}", &c[1])
        })
        .into_owned();
    for member in [
        &rules.double_quoted_member,
        &rules.single_quoted_member,
        &rules.escaped_member,
    ] {
        out = member
            .replace_all(&out, |c: &Captures| {
                keep(&c[2]);
                format!("{}{REDACTED}{}", &c[1], &c[3])
            })
            .into_owned();
    }
    out
}

/// `Bearer abc…` is a credential; `Bearer error=invalid_token` and `Bearer realm="x"`
/// start an auth-param list, which is kept.
fn credential_or_param(c: &Captures, keep: &mut impl FnMut(&str)) -> String {
    let token = &c[3];
    let next = &c[4];
    let is_param = token.ends_with('=')
        && next
            .chars()
            .next()
            .is_some_and(|ch| ch == '"' || ch.is_ascii_alphanumeric() || "-._~+/".contains(ch));
    if is_param || !looks_like_credential(token) {
        return c[0].to_string();
    }
    keep(token.trim_end_matches('='));
    keep(token);
    format!("{}{}{REDACTED}{next}", &c[1], &c[2])
}

/// Random credentials have digits, symbols or mixed case; a word after `Bearer` or
/// `Basic` in prose ("Basic authentication failed") has none of these.
fn looks_like_credential(token: &str) -> bool {
    let symbol = token
        .chars()
        .any(|c| c.is_ascii_digit() || "._~+/=-".contains(c));
    let mixed = token.chars().any(|c| c.is_ascii_uppercase())
        && token.chars().any(|c| c.is_ascii_lowercase());
    symbol || (mixed && token.len() >= 16)
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
            endpoint: None,
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
    fn collects_what_it_removes() {
        let mut found = SecretValues::default();
        let mut e = exchange();
        e.request_headers.push(HeaderPair::new(
            "Authorization",
            // base64("mcp-client:the%20secret+value")
            "Basic bWNwLWNsaWVudDp0aGUlMjBzZWNyZXQrdmFsdWU=",
        ));
        e.request_headers
            .push(HeaderPair::new("Cookie", "sid=cookie-value-1; theme=dark"));
        redact_exchange_collecting(e, &mut found);
        for value in [
            "abc",
            "eyJsecret",
            "xyz",
            "123",
            "bWNwLWNsaWVudDp0aGUlMjBzZWNyZXQrdmFsdWU=",
            "the%20secret+value",
            "the secret value",
            "cookie-value-1",
        ] {
            assert!(found.contains(value), "{value} not collected: {found:?}");
        }
        assert!(!found.contains("mcp-client"), "the client id is no secret");
        // One-letter values (the verifier `v`, the tokens `t` and `r` here) are too short
        // to be found by value; the structural rules still removed them.
        assert!(!found.contains("v"));
        assert!(!found.contains("s"), "state is no secret");
    }

    #[test]
    fn redacts_tokens_in_free_text() {
        let text = "got token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln and went on";
        assert_eq!(redact_text(text), "got token [redacted token] and went on");
        assert_eq!(redact_text("nothing here"), "nothing here");
    }

    #[test]
    fn redacts_credentials_and_secret_members_in_free_text() {
        let cases = [
            (
                "Authorization: Bearer opaque-token-123 sent",
                "Authorization: Bearer [redacted] sent",
            ),
            (
                "authorization: basic bWNwOnNlY3JldA== ok",
                "authorization: basic [redacted] ok",
            ),
            (
                r#"context: {"client_id":"c","client_secret":"s3cr3t-value","n":1}"#,
                r#"context: {"client_id":"c","client_secret":"[redacted]","n":1}"#,
            ),
            (
                "{'client_secret': 'py-secret', 'code': 'abc'}",
                "{'client_secret': '[redacted]', 'code': '[redacted]'}",
            ),
            (
                r#"log "{\"access_token\":\"opaque-1\"}""#,
                r#"log "{\"access_token\":\"[redacted]\"}""#,
            ),
            (
                "Found. Redirecting to http://127.0.0.1:5/callback?code=c0de-value&state=s1",
                "Found. Redirecting to http://127.0.0.1:5/callback?code=[redacted]&state=s1",
            ),
            (
                "CLIENT_SECRET=abc123 ./run",
                "CLIENT_SECRET=[redacted] ./run",
            ),
            ("refresh_token: r-42", "refresh_token: [redacted]"),
        ];
        for (text, want) in cases {
            assert_eq!(redact_text(text), want, "{text}");
        }
    }

    #[test]
    fn keeps_challenges_error_codes_and_prose_in_free_text() {
        for text in [
            r#"WWW-Authenticate: Bearer resource_metadata="http://x/.well-known/oauth-protected-resource""#,
            "WWW-Authenticate: Bearer error=invalid_token, realm=mcp",
            r#"Basic realm="example""#,
            "exit code 1, status code=401",
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params"}}"#,
            "a Bearer token was sent",
            "HTTP Basic authentication failed; Bearer Authentication required",
        ] {
            assert_eq!(redact_text(text), text);
        }
    }

    #[test]
    fn json_rpc_error_codes_are_never_redacted() {
        let body =
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params: code"}}"#;
        assert_eq!(redact_body(body), body);
        // Even a server that sends the code as a string keeps it.
        let odd = r#"{"jsonrpc":"2.0","id":1,"error":{"code":"-32000","message":"x"}}"#;
        assert_eq!(redact_body(odd), odd);
        // A batch.
        let batch = format!("[{body}]");
        assert_eq!(redact_body(&batch), batch);
        // An OAuth authorization code in JSON is a string, and is redacted.
        assert_eq!(
            redact_body(r#"{"code":"abc","state":"s"}"#),
            r#"{"code":"[redacted]","state":"s"}"#
        );
        // A number under `code` outside JSON-RPC is no authorization code either.
        assert_eq!(redact_body(r#"{"code":401}"#), r#"{"code":401}"#);
    }

    #[test]
    fn redacts_redirect_pages_and_event_streams() {
        let html = "Found. Redirecting to http://127.0.0.1:9/callback?code=abcdef123456&state=xyz";
        assert_eq!(
            redact_body(html),
            "Found. Redirecting to http://127.0.0.1:9/callback?code=[redacted]&state=xyz"
        );
        let sse = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"access_token\":\"tok-123456\"}}\n\n";
        let redacted = redact_body(sse);
        assert!(!redacted.contains("tok-123456"), "{redacted}");
        let sse_error = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"m\"}}\n\n";
        assert_eq!(redact_body(sse_error), sse_error);
    }

    #[test]
    fn leaves_plain_bodies_alone() {
        assert_eq!(redact_body("hello world"), "hello world");
        assert_eq!(redact_body(r#"{"a":1}"#), r#"{"a":1}"#);
    }

    #[test]
    fn redacts_tokens_in_an_implicit_fragment() {
        assert_eq!(
            redact_url("http://c/cb#access_token=abc&state=s"),
            "http://c/cb#access_token=[redacted]&state=s"
        );
        assert_eq!(redact_url("http://c/page#section"), "http://c/page#section");
    }
}
