//! What a client case observes: every request the client made to the mocks (in arrival
//! order, with the mocks' answers) and how the client ended. Queries over it pick the
//! requests to one endpoint and a part of them.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::pkce::s256;
use crate::vocab::{Endpoint, Exchange};

/// The run of one client for one case.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    pub exchanges: Vec<Exchange>,
    /// The MCP endpoint the client was pointed at.
    pub mcp_url: String,
    /// The exit code; `None` when the client was stopped or ended by a signal.
    pub exit_code: Option<i32>,
    /// How the client ended, in words.
    pub ended: String,
}

/// A part of a request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestPart {
    /// A query parameter, else a form field, else a top-level JSON member of that name.
    #[serde(default)]
    pub param: Option<String>,
    /// A header (name case-insensitive).
    #[serde(default)]
    pub header: Option<String>,
    /// A JSON pointer into a JSON body.
    #[serde(default)]
    pub json: Option<String>,
}

impl Observation {
    /// The requests sent to `endpoint`, in order.
    pub fn to(&self, endpoint: Endpoint) -> Vec<&Exchange> {
        self.exchanges
            .iter()
            .filter(|e| e.sent_to(endpoint))
            .collect()
    }

    /// The requests sent to `endpoint` after the first access token was issued (the
    /// log is in arrival order, and the client can use a token only once it has the
    /// answer that carries it).
    pub fn after_first_token(&self, endpoint: Endpoint) -> Vec<&Exchange> {
        let Some(first) = self
            .exchanges
            .iter()
            .position(|e| issued_token(e).is_some())
        else {
            return Vec::new();
        };
        self.exchanges[first + 1..]
            .iter()
            .filter(|e| e.sent_to(endpoint))
            .collect()
    }

    /// The URLs of the requests to `endpoint` that carried a token of the MCP server
    /// under test (MCP "Token Handling": a server gets only tokens issued for it). A
    /// token is the target's when it was issued before the client's first request to
    /// `endpoint` (the client did not know that server yet), or when its token request
    /// named the target as `resource` (RFC 8707 §2.2; a refresh, say).
    pub fn target_tokens_sent_to(&self, endpoint: Endpoint) -> Vec<String> {
        let Some(first) = self.exchanges.iter().position(|e| e.sent_to(endpoint)) else {
            return Vec::new();
        };
        let target = Url::parse(&self.mcp_url).ok();
        let targets: Vec<String> = self
            .exchanges
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let token = issued_token(e)?;
                let resource = part(e, &param("resource")).and_then(|r| Url::parse(&r).ok());
                (i < first || (resource.is_some() && resource == target)).then_some(token)
            })
            .collect();
        self.exchanges[first..]
            .iter()
            .filter(|e| e.sent_to(endpoint))
            .filter(|e| {
                part(e, &header("authorization")).is_some_and(|v| {
                    let token = v.split_once(' ').map_or(v.as_str(), |(_, t)| t).trim();
                    targets.iter().any(|t| t == token)
                })
            })
            .map(|e| e.url.clone())
            .collect()
    }

    /// Every access token the authorization servers issued (RFC 6749 §5.1 answers of
    /// any token endpoint), in order.
    pub fn issued_access_tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = Vec::new();
        for token in self.exchanges.iter().filter_map(issued_token) {
            if !tokens.contains(&token) {
                tokens.push(token);
            }
        }
        tokens
    }

    /// The client ID metadata documents the authorization server fetched, as
    /// `(URL, document)`: 200 answers with a JSON object body.
    fn client_id_documents(&self) -> Vec<(&str, serde_json::Map<String, Value>)> {
        self.to(Endpoint::ClientIdDocument)
            .into_iter()
            .filter(|e| e.status == Some(200))
            .filter_map(
                |e| match serde_json::from_str(e.response_body.as_deref()?) {
                    Ok(Value::Object(doc)) => Some((e.url.as_str(), doc)),
                    _ => None,
                },
            )
            .collect()
    }

    /// The fetched client ID metadata documents whose `client_id` is not their URL
    /// exactly (simple string comparison, RFC 3986 §6.2.1): their URLs.
    pub fn client_id_documents_not_naming_their_url(&self) -> Vec<String> {
        self.client_id_documents()
            .into_iter()
            .filter(|(url, doc)| doc.get("client_id").and_then(Value::as_str) != Some(url))
            .map(|(url, _)| url.to_string())
            .collect()
    }

    /// The authorization requests whose `redirect_uri` is not listed in the
    /// `redirect_uris` of the fetched client ID metadata document their `client_id`
    /// names: their URLs. Requests whose document was not fetched are not judged.
    pub fn redirect_uris_not_in_client_id_document(&self) -> Vec<String> {
        let documents = self.client_id_documents();
        self.to(Endpoint::Authorization)
            .into_iter()
            .filter(|e| {
                let Some(client_id) = part(e, &param("client_id")) else {
                    return false;
                };
                let Some((_, doc)) = documents.iter().find(|(url, _)| *url == client_id) else {
                    return false;
                };
                let sent = part(e, &param("redirect_uri"));
                let listed = doc
                    .get("redirect_uris")
                    .and_then(Value::as_array)
                    .is_some_and(|uris| uris.iter().any(|u| u.as_str() == sent.as_deref()));
                !listed
            })
            .map(|e| e.url.clone())
            .collect()
    }

    /// How many answers of `endpoint` issued an access token: a 2xx JSON body with
    /// `access_token` (RFC 6749 §5.1), whatever route of that endpoint answered.
    pub fn access_tokens_issued_by(&self, endpoint: Endpoint) -> usize {
        self.to(endpoint)
            .into_iter()
            .filter(|e| e.status.is_some_and(|s| (200..300).contains(&s)))
            .filter(|e| {
                serde_json::from_str::<Value>(e.response_body.as_deref().unwrap_or_default())
                    .ok()
                    .and_then(|b| b.get("access_token")?.as_str().map(|t| !t.is_empty()))
                    .unwrap_or(false)
            })
            .count()
    }

    /// The requests to `endpoint` that carry a credential the authorization server of
    /// the case issued: a client_id or client_secret of a registration response (RFC
    /// 7591 §3.2.1), a refresh or access token of a token response (RFC 6749 §5.1).
    /// Looked for in the decoded query, the body (as sent and form-decoded) and the
    /// Authorization header (Basic decoded, RFC 7617). Each as `<URL> carries <what>`.
    pub fn issued_credentials_sent_to(&self, endpoint: Endpoint) -> Vec<String> {
        let mut issued: Vec<(&'static str, String)> = Vec::new();
        for e in &self.exchanges {
            if !e.status.is_some_and(|s| (200..300).contains(&s)) {
                continue;
            }
            let members: &[(&str, &'static str)] = match e.endpoint {
                Some(Endpoint::Registration) => &[
                    ("client_id", "its client_id"),
                    ("client_secret", "its client_secret"),
                ],
                Some(Endpoint::Token) => &[
                    ("refresh_token", "its refresh token"),
                    ("access_token", "its access token"),
                ],
                _ => continue,
            };
            let Ok(body) =
                serde_json::from_str::<Value>(e.response_body.as_deref().unwrap_or_default())
            else {
                continue;
            };
            for (member, what) in members {
                if let Some(v) = body
                    .get(*member)
                    .and_then(Value::as_str)
                    .filter(|v| !v.is_empty())
                {
                    issued.push((what, v.to_string()));
                }
            }
        }
        self.to(endpoint)
            .into_iter()
            .filter_map(|e| {
                let carried = carried_text(e);
                let found: Vec<&str> = issued
                    .iter()
                    .filter(|(_, v)| carried.contains(v.as_str()))
                    .map(|(what, _)| *what)
                    .collect();
                (!found.is_empty()).then(|| {
                    format!(
                        "{} carries the first authorization server's {}",
                        e.url,
                        found.join(", ").replace("its ", "")
                    )
                })
            })
            .collect()
    }

    /// The URLs of every request that carries an issued access token's value anywhere
    /// in its URL, under any parameter name or none (MCP "Token Requirements": never in
    /// the query string), decoded or as sent.
    pub fn urls_with_issued_token(&self) -> Vec<String> {
        urls_carrying(&self.exchanges, &self.issued_access_tokens())
    }

    /// Every refresh token the authorization servers issued (RFC 6749 §5.1), in order.
    pub fn issued_refresh_tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = Vec::new();
        for token in self.exchanges.iter().filter_map(issued_refresh_token) {
            if !tokens.contains(&token) {
                tokens.push(token);
            }
        }
        tokens
    }

    /// The URLs of every request that carries an issued refresh token's value anywhere in
    /// its URL (MCP 2026-07-28 "Refresh Tokens": kept confidential in transit).
    pub fn urls_with_refresh_token(&self) -> Vec<String> {
        urls_carrying(&self.exchanges, &self.issued_refresh_tokens())
    }

    /// The URLs of the requests to `endpoint` that carry an issued refresh token's value
    /// anywhere: URL, a header or the body.
    pub fn refresh_tokens_sent_to(&self, endpoint: Endpoint) -> Vec<String> {
        let tokens = self.issued_refresh_tokens();
        self.to(endpoint)
            .into_iter()
            .filter(|e| {
                tokens.iter().any(|t| {
                    url_carries(e, t)
                        || e.request_headers
                            .iter()
                            .any(|h| h.value.contains(t.as_str()))
                        || e.request_body.as_deref().is_some_and(|b| {
                            b.contains(t.as_str())
                                || url::form_urlencoded::parse(b.as_bytes())
                                    .any(|(k, v)| k.contains(t.as_str()) || v.contains(t.as_str()))
                        })
                })
            })
            .map(|e| e.url.clone())
            .collect()
    }

    /// Whether the first code exchange carries parameter `name` with the value the first
    /// authorization request had (both without it counts as the same): RFC 6749 §4.1.3
    /// wants the same `redirect_uri` again.
    pub fn code_exchange_repeats(&self, name: &str) -> Result<Value, String> {
        let authorization = self
            .to(Endpoint::Authorization)
            .into_iter()
            .next()
            .ok_or("the client sent no authorization request")?;
        let exchange = self
            .to(Endpoint::Token)
            .into_iter()
            .find(|e| part(e, &param("grant_type")).as_deref() == Some("authorization_code"))
            .ok_or("the client sent no code exchange")?;
        Ok(Value::Bool(
            part(authorization, &param(name)) == part(exchange, &param(name)),
        ))
    }

    /// How many token requests authenticate the client in more than one way: HTTP Basic
    /// and a `client_secret` or `client_assertion` in the body (OAuth 2.1 §2.4: one
    /// method per request).
    pub fn several_client_auth_methods(&self) -> usize {
        self.to(Endpoint::Token)
            .into_iter()
            .filter(|e| {
                let basic = part(e, &header("authorization"))
                    .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("basic "));
                let in_body = ["client_secret", "client_assertion"]
                    .iter()
                    .filter(|n| part(e, &param(n)).is_some())
                    .count();
                usize::from(basic) + in_body > 1
            })
            .count()
    }

    /// The `redirect_uri` values of the authorization requests that none of the client's
    /// registration requests (RFC 7591) listed; for a loopback IP literal only the port
    /// may differ (RFC 8252 §7.3). Empty when the client registered nothing.
    pub fn unregistered_redirect_uris(&self) -> Vec<String> {
        let registered: Vec<String> = self
            .to(Endpoint::Registration)
            .into_iter()
            .filter_map(|e| serde_json::from_str::<Value>(e.request_body.as_deref()?).ok())
            .filter_map(|doc| doc.get("redirect_uris")?.as_array().cloned())
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        if registered.is_empty() {
            return Vec::new();
        }
        self.to(Endpoint::Authorization)
            .into_iter()
            .filter_map(|e| part(e, &param("redirect_uri")))
            .filter(|uri| !registered.iter().any(|r| same_redirect_uri(r, uri)))
            .collect()
    }

    /// How many token requests used `grant_type` (RFC 6749 §4.1.3, §6).
    pub fn grant_requests(&self, grant_type: &str) -> usize {
        self.to(Endpoint::Token)
            .into_iter()
            .filter(|e| part(e, &param("grant_type")).as_deref() == Some(grant_type))
            .count()
    }

    /// How many refresh requests presented a refresh token other than the newest one
    /// issued before them (RFC 6749 §6: "the client MUST discard the old refresh token
    /// and replace it with the new refresh token").
    pub fn stale_refresh_tokens(&self) -> usize {
        let mut newest: Option<String> = None;
        let mut stale = 0;
        for e in self.exchanges.iter().filter(|e| e.sent_to(Endpoint::Token)) {
            if part(e, &param("grant_type")).as_deref() == Some("refresh_token")
                && part(e, &param("refresh_token")) != newest
            {
                stale += 1;
            }
            if let Some(issued) = issued_refresh_token(e) {
                newest = Some(issued);
            }
        }
        stale
    }

    /// How many requests to the MCP server carried a Bearer token that an earlier answer
    /// of the MCP server had refused with 401 (RFC 6750 §3.1 `invalid_token`: resending
    /// it cannot work).
    pub fn refused_tokens_resent(&self) -> usize {
        let mut refused: Vec<String> = Vec::new();
        let mut resent = 0;
        for e in self.to(Endpoint::Mcp) {
            let Some(token) = bearer_token(e) else {
                continue;
            };
            if refused.contains(&token) {
                resent += 1;
            }
            if e.status == Some(401) && !refused.contains(&token) {
                refused.push(token);
            }
        }
        resent
    }

    /// How many requests to `endpoint` repeat an earlier request to it: the same method,
    /// URL and body (a resend that cannot get another answer).
    pub fn repeated_requests(&self, endpoint: Endpoint) -> usize {
        let requests = self.to(endpoint);
        requests
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                requests[..*i].iter().any(|earlier| {
                    earlier.method == e.method
                        && earlier.url == e.url
                        && earlier.request_body == e.request_body
                })
            })
            .count()
    }

    /// RFC 7636 §4.6 as the server would check it: the first token request's
    /// `code_verifier`, hashed, against the first authorization request's challenge.
    pub fn pkce_pair(&self) -> Result<Value, String> {
        let authorization = self
            .to(Endpoint::Authorization)
            .into_iter()
            .next()
            .ok_or("the client sent no authorization request")?;
        let challenge = part(authorization, &param("code_challenge"))
            .ok_or("the authorization request has no code_challenge")?;
        let token = self
            .to(Endpoint::Token)
            .into_iter()
            .find(|e| part(e, &param("grant_type")).as_deref() == Some("authorization_code"))
            .ok_or("the client sent no code exchange")?;
        let verifier =
            part(token, &param("code_verifier")).ok_or("the code exchange has no code_verifier")?;
        Ok(Value::Bool(s256(&verifier) == challenge))
    }
}

/// OAuth 2.1 §2.3.2: the same string, except that a loopback IP literal's port may
/// differ (RFC 8252 §7.3).
fn same_redirect_uri(registered: &str, used: &str) -> bool {
    if registered == used {
        return true;
    }
    let (Ok(mut r), Ok(mut u)) = (Url::parse(registered), Url::parse(used)) else {
        return false;
    };
    let loopback_ip =
        |x: &Url| x.scheme() == "http" && matches!(x.host_str(), Some("127.0.0.1" | "[::1]"));
    if !loopback_ip(&r) || !loopback_ip(&u) {
        return false;
    }
    let _ = r.set_port(None);
    let _ = u.set_port(None);
    r == u
}

/// The URLs of the exchanges whose URL carries one of `tokens`.
fn urls_carrying(exchanges: &[Exchange], tokens: &[String]) -> Vec<String> {
    exchanges
        .iter()
        .filter(|e| tokens.iter().any(|t| url_carries(e, t)))
        .map(|e| e.url.clone())
        .collect()
}

/// Whether `token` is in the URL of `e`, as sent or query-decoded.
fn url_carries(e: &Exchange, token: &str) -> bool {
    let decoded = Url::parse(&e.url)
        .map(|u| {
            u.query_pairs()
                .flat_map(|(k, v)| [k.into_owned(), v.into_owned()])
                .collect::<Vec<_>>()
                .join("&")
        })
        .unwrap_or_default();
    e.url.contains(token) || decoded.contains(token)
}

/// The refresh token of a successful token response (RFC 6749 §5.1), if `e` has one.
fn issued_refresh_token(e: &Exchange) -> Option<String> {
    if e.endpoint != Some(Endpoint::Token) || !e.status.is_some_and(|s| (200..300).contains(&s)) {
        return None;
    }
    let body: Value = serde_json::from_str(e.response_body.as_deref()?).ok()?;
    body.get("refresh_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// The access token of a successful token response (RFC 6749 §5.1), if `e` is one.
fn issued_token(e: &Exchange) -> Option<String> {
    if e.endpoint != Some(Endpoint::Token) || !e.status.is_some_and(|s| (200..300).contains(&s)) {
        return None;
    }
    let body: Value = serde_json::from_str(e.response_body.as_deref()?).ok()?;
    body.get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// The Bearer token a request carries (RFC 6750 §2.1; the scheme is case-insensitive,
/// RFC 9110 §11.1).
pub fn bearer_token(e: &Exchange) -> Option<String> {
    let value = part(e, &header("authorization"))?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The request part that is the header `name`.
pub fn header(name: &str) -> RequestPart {
    RequestPart {
        param: None,
        header: Some(name.into()),
        json: None,
    }
}

/// What a request says, for a search: its URL and decoded query, its body as sent and
/// form-decoded, and its Authorization header with Basic credentials decoded.
fn carried_text(e: &Exchange) -> String {
    let mut text = vec![e.url.clone()];
    if let Ok(url) = Url::parse(&e.url) {
        text.extend(url.query_pairs().map(|(k, v)| format!("{k}={v}")));
    }
    if let Some(body) = &e.request_body {
        text.push(body.clone());
        text.extend(url::form_urlencoded::parse(body.as_bytes()).map(|(k, v)| format!("{k}={v}")));
    }
    if let Some(value) = part(e, &header("authorization")) {
        if let Some((scheme, rest)) = value.split_once(' ') {
            if scheme.eq_ignore_ascii_case("basic") {
                use base64::Engine;
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(rest.trim()) {
                    let decoded = String::from_utf8_lossy(&bytes).into_owned();
                    // RFC 6749 §2.3.1: both halves are form-urlencoded.
                    for half in decoded.splitn(2, ':') {
                        let plain: String =
                            url::form_urlencoded::parse(format!("x={half}").as_bytes())
                                .map(|(_, v)| v.into_owned())
                                .collect();
                        text.push(plain);
                    }
                    text.push(decoded);
                }
            }
        }
        text.push(value);
    }
    text.join("\n")
}

fn param(name: &str) -> RequestPart {
    RequestPart {
        param: Some(name.into()),
        header: None,
        json: None,
    }
}

/// The part of a request as text, or `None` when the request does not have it.
pub fn part(e: &Exchange, which: &RequestPart) -> Option<String> {
    if let Some(name) = &which.header {
        return e
            .request_headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.clone());
    }
    let body = e.request_body.as_deref().unwrap_or_default();
    if let Some(pointer) = &which.json {
        let doc: Value = serde_json::from_str(body).ok()?;
        return doc.pointer(pointer).map(text);
    }
    let Some(name) = &which.param else {
        return Some(e.url.clone());
    };
    let url = Url::parse(&e.url).ok()?;
    if let Some((_, v)) = url.query_pairs().find(|(k, _)| k == name) {
        return Some(v.into_owned());
    }
    if let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(body) {
        return doc.get(name).map(text);
    }
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::HeaderPair;

    /// A request to `url`, as the mock's route for `endpoint` recorded it.
    fn exchange(endpoint: Endpoint, method: &str, url: &str, body: Option<&str>) -> Exchange {
        let headers = vec![HeaderPair::new("Authorization", "Bearer t")];
        Exchange::request("client", method, url, headers, body.map(String::from))
            .served_by(endpoint)
    }

    fn observation() -> Observation {
        // RFC 7636 Appendix B's verifier and challenge.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        Observation {
            mcp_url: "http://127.0.0.1:1/mcp".into(),
            exchanges: vec![
                exchange(Endpoint::Mcp, "POST", "http://127.0.0.1:1/mcp", Some("{}")),
                exchange(
                    Endpoint::Prm,
                    "GET",
                    "http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp",
                    None,
                ),
                exchange(
                    Endpoint::Registration,
                    "POST",
                    "http://127.0.0.1:2/register",
                    Some(r#"{"redirect_uris":["http://127.0.0.1:3/cb"]}"#),
                ),
                exchange(
                    Endpoint::Authorization,
                    "GET",
                    &format!("http://127.0.0.1:2/authorize?code_challenge={challenge}&resource=x"),
                    None,
                ),
                exchange(
                    Endpoint::Token,
                    "POST",
                    "http://127.0.0.1:2/token",
                    Some(&format!(
                        "grant_type=authorization_code&code_verifier={verifier}"
                    )),
                ),
            ],
            exit_code: Some(0),
            ended: "exit status 0".into(),
        }
    }

    #[test]
    fn classifies_requests_and_reads_their_parts() {
        let o = observation();
        assert_eq!(o.to(Endpoint::Mcp).len(), 1);
        assert_eq!(o.to(Endpoint::Prm).len(), 1);
        assert_eq!(o.to(Endpoint::AuthorizationServer).len(), 3);
        let registration = o.to(Endpoint::Registration)[0];
        let uris = RequestPart {
            json: Some("/redirect_uris/0".into()),
            param: None,
            header: None,
        };
        assert_eq!(part(registration, &uris).unwrap(), "http://127.0.0.1:3/cb");
        assert_eq!(
            part(o.to(Endpoint::Authorization)[0], &param("resource")).unwrap(),
            "x"
        );
        assert_eq!(
            part(o.to(Endpoint::Token)[0], &param("grant_type")).unwrap(),
            "authorization_code"
        );
        let auth = RequestPart {
            header: Some("authorization".into()),
            param: None,
            json: None,
        };
        assert_eq!(part(o.to(Endpoint::Mcp)[0], &auth).unwrap(), "Bearer t");
    }

    #[test]
    fn the_pkce_pair_is_checked_like_a_server_would() {
        let mut o = observation();
        assert_eq!(o.pkce_pair(), Ok(Value::Bool(true)));
        o.exchanges[4].request_body =
            Some("grant_type=authorization_code&code_verifier=other".into());
        assert_eq!(o.pkce_pair(), Ok(Value::Bool(false)));
    }

    /// A token response of the authorization server at port 2 for `resource`.
    fn issued(token: &str, resource: &str) -> Exchange {
        let mut e = exchange(
            Endpoint::Token,
            "POST",
            "http://127.0.0.1:2/token",
            Some(&format!(
                "grant_type=authorization_code&resource={resource}"
            )),
        );
        e.request_headers.clear();
        e.status = Some(200);
        e.response_body = Some(format!(
            r#"{{"access_token":"{token}","token_type":"Bearer"}}"#
        ));
        e
    }

    fn bearer(to: Endpoint, method: &str, url: &str, token: Option<&str>) -> Exchange {
        let mut e = exchange(to, method, url, None);
        e.request_headers = token
            .map(|t| vec![HeaderPair::new("Authorization", format!("Bearer {t}"))])
            .unwrap_or_default();
        e
    }

    fn session(exchanges: Vec<Exchange>) -> Observation {
        Observation {
            mcp_url: "http://127.0.0.1:1/mcp".into(),
            exchanges,
            exit_code: Some(0),
            ended: "exit status 0".into(),
        }
    }

    #[test]
    fn requests_after_the_first_token_include_a_get_stream() {
        let o = session(vec![
            bearer(Endpoint::Mcp, "POST", "http://127.0.0.1:1/mcp", None),
            issued("tok-a", "http://127.0.0.1:1/mcp"),
            bearer(
                Endpoint::Mcp,
                "POST",
                "http://127.0.0.1:1/mcp",
                Some("tok-a"),
            ),
            bearer(Endpoint::Mcp, "GET", "http://127.0.0.1:1/mcp", None),
        ]);
        let after = o.after_first_token(Endpoint::Mcp);
        assert_eq!(after.len(), 2);
        assert_eq!(after[1].method, "GET");
        assert!(part(after[1], &header("authorization")).is_none());
        assert!(session(vec![]).after_first_token(Endpoint::Mcp).is_empty());
    }

    #[test]
    fn an_issued_token_is_found_in_any_url_under_any_name() {
        let o = session(vec![
            issued("tok-a", "x"),
            bearer(
                Endpoint::Mcp,
                "POST",
                "http://127.0.0.1:1/mcp?token=tok-a",
                Some("tok-a"),
            ),
            bearer(
                Endpoint::Mcp,
                "POST",
                "http://127.0.0.1:1/mcp?x=1",
                Some("tok-a"),
            ),
            bearer(Endpoint::Jwks, "GET", "http://127.0.0.1:2/jwks/tok-a", None),
        ]);
        assert_eq!(
            o.urls_with_issued_token(),
            [
                "http://127.0.0.1:1/mcp?token=tok-a",
                "http://127.0.0.1:2/jwks/tok-a"
            ]
        );
    }

    #[test]
    fn the_targets_tokens_are_told_apart_from_another_servers() {
        let target = "http://127.0.0.1:1/mcp";
        let other = "http://127.0.0.1:9/mcp";
        let o = session(vec![
            issued("tok-a", target),
            bearer(Endpoint::Mcp, "POST", target, Some("tok-a")),
            // Another server, first without a token, then with its own.
            bearer(Endpoint::OtherMcpServer, "POST", other, None),
            issued("tok-b", other),
            bearer(Endpoint::OtherMcpServer, "POST", other, Some("tok-b")),
            // A refreshed token of the target, issued after the first contact.
            issued("tok-a2", target),
            bearer(Endpoint::OtherMcpServer, "POST", other, Some("tok-a2")),
            bearer(Endpoint::OtherMcpServer, "POST", other, Some("tok-a")),
        ]);
        assert_eq!(o.to(Endpoint::OtherMcpServer).len(), 4);
        assert_eq!(o.to(Endpoint::AuthorizationServer).len(), 3);
        assert_eq!(
            o.target_tokens_sent_to(Endpoint::OtherMcpServer),
            [other, other]
        );
    }

    /// A token response issuing `refresh`, to the request `form`.
    fn refreshed(form: &str, refresh: Option<&str>) -> Exchange {
        let mut e = exchange(
            Endpoint::Token,
            "POST",
            "http://127.0.0.1:2/token",
            Some(form),
        );
        e.request_headers.clear();
        e.status = Some(200);
        e.response_body = Some(match refresh {
            Some(r) => format!(r#"{{"access_token":"a-{r}","refresh_token":"{r}"}}"#),
            None => r#"{"access_token":"a"}"#.into(),
        });
        e
    }

    #[test]
    fn a_refresh_with_a_rotated_token_is_stale() {
        let code = "grant_type=authorization_code&code=c";
        let newest = session(vec![
            refreshed(code, Some("rt1")),
            refreshed("grant_type=refresh_token&refresh_token=rt1", Some("rt2")),
            refreshed("grant_type=refresh_token&refresh_token=rt2", None),
            // No rotation this time: rt2 is still the newest.
            refreshed("grant_type=refresh_token&refresh_token=rt2", Some("rt3")),
        ]);
        assert_eq!(newest.stale_refresh_tokens(), 0);
        assert_eq!(newest.grant_requests("refresh_token"), 3);
        let stale = session(vec![
            refreshed(code, Some("rt1")),
            refreshed("grant_type=refresh_token&refresh_token=rt1", Some("rt2")),
            refreshed("grant_type=refresh_token&refresh_token=rt1", None),
        ]);
        assert_eq!(stale.stale_refresh_tokens(), 1);
    }

    #[test]
    fn refresh_tokens_are_found_in_urls_headers_and_bodies() {
        let mut leak = bearer(Endpoint::Mcp, "POST", "http://127.0.0.1:1/mcp", Some("a"));
        leak.request_headers
            .push(HeaderPair::new("X-Refresh-Token", "rt1"));
        let o = session(vec![
            refreshed("grant_type=authorization_code", Some("rt1")),
            bearer(Endpoint::Mcp, "POST", "http://127.0.0.1:1/mcp", Some("a")),
            leak,
            exchange(
                Endpoint::Token,
                "POST",
                "http://127.0.0.1:2/token?refresh_token=rt1",
                Some("grant_type=refresh_token&refresh_token=rt1"),
            ),
        ]);
        assert_eq!(o.refresh_tokens_sent_to(Endpoint::Mcp).len(), 1);
        assert_eq!(
            o.urls_with_refresh_token(),
            ["http://127.0.0.1:2/token?refresh_token=rt1"]
        );
    }

    #[test]
    fn identical_resends_and_double_authentication_are_counted() {
        let register = || {
            exchange(
                Endpoint::Registration,
                "POST",
                "http://127.0.0.1:2/register",
                Some(r#"{"redirect_uris":["http://127.0.0.1/cb"]}"#),
            )
        };
        let o = session(vec![register(), register(), register()]);
        assert_eq!(o.repeated_requests(Endpoint::Registration), 2);
        let mut both = exchange(
            Endpoint::Token,
            "POST",
            "http://127.0.0.1:2/token",
            Some("client_id=c&client_secret=s"),
        );
        both.request_headers = vec![HeaderPair::new("Authorization", "Basic Yzpz")];
        let mut basic_only = both.clone();
        basic_only.request_body = Some("grant_type=authorization_code".into());
        let o = session(vec![both, basic_only]);
        assert_eq!(o.several_client_auth_methods(), 1);
    }

    #[test]
    fn redirect_uris_are_compared_with_the_registered_ones() {
        let authorize = |uri: &str| {
            exchange(
                Endpoint::Authorization,
                "GET",
                &format!("http://127.0.0.1:2/authorize?redirect_uri={uri}"),
                None,
            )
        };
        let o = session(vec![
            exchange(
                Endpoint::Registration,
                "POST",
                "http://127.0.0.1:2/register",
                Some(r#"{"redirect_uris":["http://127.0.0.1:5000/cb"]}"#),
            ),
            // RFC 8252 §7.3: another port of a loopback IP literal is the same URI.
            authorize("http://127.0.0.1:6000/cb"),
            authorize("http://127.0.0.1:5000/other"),
            authorize("http://localhost:6000/cb"),
        ]);
        assert_eq!(
            o.unregistered_redirect_uris(),
            ["http://127.0.0.1:5000/other", "http://localhost:6000/cb"]
        );
        assert!(session(vec![authorize("http://x/cb")])
            .unregistered_redirect_uris()
            .is_empty());
    }
}
