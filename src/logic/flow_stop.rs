//! Where a client's flow stopped, in words: the first error a mock answered it. A case
//! that fails because the client never got to a step names this, so the reader sees
//! "400 at /authorize: redirect_uri … is not one the client registered" instead of only
//! "number of requests to token: 0".
//!
//! Answers that are part of a normal flow are not errors here: the MCP server's 401 (and
//! a 403 with a Bearer challenge: step-up) ask for authorization (MCP "Authorization Flow
//! Steps", RFC 6750 §3), and a 404 at a metadata URL is a discovery probe the client may
//! fall back from (RFC 9728 §3, RFC 8414 §3, MCP "Server Metadata Discovery"). Which
//! endpoint a request went to is the tag the mock put on it.

use serde_json::Value;
use url::Url;

use super::dpop_view::USE_DPOP_NONCE;
use super::observation::Observation;
use crate::vocab::{Endpoint, Exchange};

/// Bodies are quoted up to this many characters.
const DETAIL_LIMIT: usize = 200;

/// The first error a mock answered, e.g. `400 at /authorize: invalid_request: redirect_uri
/// … is not one the client registered`; `None` when every answer was a normal step.
pub fn first_mock_error(o: &Observation) -> Option<String> {
    o.exchanges.iter().find_map(mock_error)
}

fn mock_error(e: &Exchange) -> Option<String> {
    let url = Url::parse(&e.url).ok()?;
    let path = url.path().to_string();
    let Some(status) = e.status else {
        return e
            .transport_error
            .as_ref()
            .map(|t| format!("no answer at {path}: {t}"));
    };
    let is_mcp = e.endpoint == Some(Endpoint::Mcp);
    let metadata = matches!(e.endpoint, Some(Endpoint::Prm | Endpoint::AsMetadata));
    if status >= 400 {
        // RFC 9449 §8, §9: a use_dpop_nonce answer asks for a proof with the nonce, a
        // normal step of a DPoP flow; a DPoP server's refusal of the token or the proof
        // presented (§7.1) is the error, though a 401.
        if dpop_nonce_asked(e) {
            return None;
        }
        if is_mcp && status == 401 && dpop_refusal(e) {
            return Some(format!("{status} at {path}{}", detail(e)));
        }
        if is_mcp && (status == 401 || (status == 403 && has_bearer_challenge(e))) {
            return None;
        }
        // Transports "Listening for Messages from the Server": 405 to the optional GET
        // says the server offers no stream.
        if is_mcp && status == 405 && e.method == "GET" {
            return None;
        }
        // 2026-07-28 basic/versioning, "Backward Compatibility": a client that opens with
        // `server/discover` learns from an earlier-era server's 4xx that it must
        // initialize instead.
        if is_mcp && (400..500).contains(&status) && is_discover(e) {
            return None;
        }
        if metadata && status == 404 {
            return None;
        }
        return Some(format!("{status} at {path}{}", detail(e)));
    }
    // RFC 6749 §4.1.2.1: an authorization error travels in the redirect.
    if (300..400).contains(&status) {
        let location = header(e, "location")?;
        let target = Url::parse(&location).ok()?;
        let error = target
            .query_pairs()
            .find(|(k, _)| k == "error")
            .map(|(_, v)| v.into_owned())?;
        let description = target
            .query_pairs()
            .find(|(k, _)| k == "error_description")
            .map(|(_, v)| format!(": {v}"))
            .unwrap_or_default();
        return Some(format!(
            "{status} at {path}, redirecting with error {error}{description}"
        ));
    }
    None
}

/// A `use_dpop_nonce` answer: the DPoP-Nonce header and the error (RFC 9449 §8, §9).
fn dpop_nonce_asked(e: &Exchange) -> bool {
    let in_body = e
        .response_body
        .as_deref()
        .is_some_and(|b| b.contains(USE_DPOP_NONCE));
    let in_challenge = header(e, "www-authenticate").is_some_and(|c| c.contains(USE_DPOP_NONCE));
    header(e, "dpop-nonce").is_some() && (in_body || in_challenge)
}

/// A DPoP challenge with an error (RFC 9449 §7.1): the token or proof was refused.
fn dpop_refusal(e: &Exchange) -> bool {
    header(e, "www-authenticate").is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.starts_with("dpop ") && c.contains("error=\"invalid_")
    })
}

fn is_discover(e: &Exchange) -> bool {
    e.request_body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .is_some_and(|b| b.get("method").and_then(Value::as_str) == Some("server/discover"))
}

fn header(e: &Exchange, name: &str) -> Option<String> {
    e.response_headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.clone())
}

fn has_bearer_challenge(e: &Exchange) -> bool {
    header(e, "www-authenticate")
        .map(|v| v.to_ascii_lowercase().contains("bearer"))
        .unwrap_or(false)
}

/// `: <what the body says>`: an OAuth error (RFC 6749 §5.2), a JSON-RPC error, or the
/// start of the text.
fn detail(e: &Exchange) -> String {
    let body = e.response_body.as_deref().unwrap_or_default().trim();
    if body.is_empty() {
        return String::new();
    }
    let said = match serde_json::from_str::<Value>(body) {
        Ok(doc) => oauth_error(&doc)
            .or_else(|| rpc_error(&doc))
            .unwrap_or_else(|| body.to_string()),
        Err(_) => body.to_string(),
    };
    format!(": {}", cut(&said))
}

fn oauth_error(doc: &Value) -> Option<String> {
    let error = doc.get("error")?.as_str()?;
    Some(match doc.get("error_description").and_then(Value::as_str) {
        Some(d) => format!("{error}: {d}"),
        None => error.to_string(),
    })
}

fn rpc_error(doc: &Value) -> Option<String> {
    let error = doc.get("error")?;
    let code = error.get("code")?;
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    Some(
        format!("JSON-RPC error {code} {message}")
            .trim_end()
            .to_string(),
    )
}

fn cut(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= DETAIL_LIMIT {
        return one_line;
    }
    let kept: String = one_line.chars().take(DETAIL_LIMIT).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::HeaderPair;

    const MCP: &str = "http://127.0.0.1:1/mcp";

    /// An answer of the mock's route for `endpoint`.
    fn answered(
        endpoint: Endpoint,
        url: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Exchange {
        let mut e = Exchange::request("client", "GET", url, vec![], None).served_by(endpoint);
        e.status = Some(status);
        e.response_headers = headers
            .iter()
            .map(|(n, v)| HeaderPair::new(*n, *v))
            .collect();
        e.response_body = (!body.is_empty()).then(|| body.to_string());
        e
    }

    fn stop(exchanges: Vec<Exchange>) -> Option<String> {
        first_mock_error(&Observation {
            exchanges,
            mcp_url: MCP.into(),
            ..Observation::default()
        })
    }

    #[test]
    fn challenges_and_discovery_probes_are_normal_steps() {
        let challenge = ("www-authenticate", "Bearer resource_metadata=\"x\"");
        assert_eq!(
            stop(vec![
                answered(Endpoint::Mcp, MCP, 401, &[challenge], ""),
                answered(Endpoint::Mcp, MCP, 403, &[challenge], ""),
                {
                    let mut probe = answered(
                        Endpoint::Mcp,
                        MCP,
                        400,
                        &[],
                        r#"{"error":{"code":-32000,"message":"Bad Request"}}"#,
                    );
                    probe.request_body =
                        Some(r#"{"jsonrpc":"2.0","id":1,"method":"server/discover"}"#.into());
                    probe
                },
                answered(
                    Endpoint::Prm,
                    "http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp",
                    404,
                    &[],
                    "not found"
                ),
                answered(
                    Endpoint::Authorization,
                    "http://127.0.0.1:2/authorize?x=1",
                    302,
                    &[("location", "http://127.0.0.1:3/cb?code=c")],
                    ""
                ),
            ]),
            None
        );
    }

    #[test]
    fn names_the_first_refusal_with_what_the_mock_said() {
        let refused = answered(
            Endpoint::Authorization,
            "http://127.0.0.1:2/authorize?client_id=x",
            400,
            &[],
            r#"{"error":"invalid_request","error_description":"redirect_uri \"http://localhost:3000/callback\" is not one the client registered"}"#,
        );
        let later = answered(
            Endpoint::Token,
            "http://127.0.0.1:2/token",
            401,
            &[],
            "{\"error\":\"invalid_client\"}",
        );
        assert_eq!(
            stop(vec![refused, later]).unwrap(),
            "400 at /authorize: invalid_request: redirect_uri \"http://localhost:3000/callback\" is not one the client registered"
        );
    }

    #[test]
    fn an_error_redirect_and_an_mcp_error_count() {
        let redirect = answered(
            Endpoint::Authorization,
            "http://127.0.0.1:2/authorize",
            302,
            &[(
                "location",
                "http://127.0.0.1:3/cb?error=invalid_scope&error_description=nope",
            )],
            "",
        );
        assert_eq!(
            stop(vec![redirect]).unwrap(),
            "302 at /authorize, redirecting with error invalid_scope: nope"
        );
        let rpc = answered(
            Endpoint::Mcp,
            MCP,
            400,
            &[],
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"Bad Request: unsupported protocol version"}}"#,
        );
        assert_eq!(
            stop(vec![rpc]).unwrap(),
            "400 at /mcp: JSON-RPC error -32000 Bad Request: unsupported protocol version"
        );
    }
}
