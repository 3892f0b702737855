//! Queries: what part of an answer an expectation looks at. Adding a query is one variant
//! here, its description, and one arm in [`Query::evaluate`].

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::answer::Answer;
use super::observation::{part, Endpoint, RequestPart};
use super::template::Vars;
use super::www_authenticate::{find_challenge, parse_challenges};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Query {
    /// The HTTP status code.
    Status,
    /// How the server treated the request's credential: `refused` when the answer is 401
    /// or 403 or carries a Bearer challenge (RFC 6750 §3), `server error` for a 5xx
    /// (neither served nor refused), else `accepted`. An MCP-level error after
    /// authentication (a 400 with a JSON-RPC error, a missing session) is `accepted`: it
    /// judges the request, not the token; the check's evidence shows it.
    Credential,
    /// The first value of a header (name case-insensitive).
    Header(String),
    /// The media type of `Content-Type`, lower-cased, without parameters.
    ContentType,
    /// The response body as text.
    Body,
    /// A JSON pointer (RFC 6901) into the body parsed as JSON; `""` is the whole document.
    Json(String),
    /// Every `WWW-Authenticate` challenge, parsed per RFC 9110 §11.6.1, as a list of
    /// `{scheme, params}`; a header that does not parse makes the value missing.
    Challenges,
    /// The first challenge of a scheme, or one of its parameters.
    Challenge(ChallengeQuery),
    /// How often a parameter occurs in the first challenge of a scheme (RFC 6750 §3:
    /// at most once).
    ChallengeParamCount(ChallengeParamQuery),
    /// A variable: a built-in or a capture of an earlier step.
    Var(String),
    /// The URL that answered (for `first_of`, the one that was kept).
    Url,
    /// A query parameter of the `Location` header's URL, e.g. `code` or `error` of an
    /// authorization response (RFC 6749 §4.1.2); every occurrence, as an array when the
    /// parameter is repeated (RFC 6749 §3.1 forbids that).
    LocationParam(String),
    /// A claim of a JWT found in the JSON body, decoded without verification (RFC 7519
    /// §7.2): `{token: /access_token, claim: /aud}`; claim `""` is the whole claim set.
    JwtClaim(JwtClaimQuery),
    /// Client cases: how many requests the client sent to an endpoint.
    RequestCount(Endpoint),
    /// Client cases: a part of the n-th request to an endpoint (1-based; negative counts
    /// from the last); without a part, its URL.
    Request(RequestQuery),
    /// Client cases: that part of every request to an endpoint, as an array (`null` where
    /// a request lacks it); a `json` part keeps its JSON type, so an array member stays
    /// an array (`all: {all: …}` judges every element of every request's list).
    Requests(RequestsQuery),
    /// Client cases: the URLs of the client's requests that carry the value of an
    /// access token the authorization server issued, anywhere in the URL (any parameter
    /// name, or none), as an array; empty when no URL does.
    UrlsWithIssuedToken,
    /// Client cases: the URLs of the requests to an endpoint that carried a token of the
    /// MCP server under test (issued before the client's first request there, or asked
    /// for with the target as `resource`), as an array; empty when none.
    TargetTokensSentTo(Endpoint),
    /// Client cases: how many requests to the MCP server carried a Bearer token the MCP
    /// server had already refused with 401.
    RefusedTokensResent,
    /// Client cases: the HTTP status of every answer from an endpoint, as an array of
    /// numbers (`null` where none arrived).
    ResponseStatuses(Endpoint),
    /// Client cases: the client's exit code.
    ClientExit,
    /// Client cases: whether the first code exchange's `code_verifier` hashes (S256) to
    /// the first authorization request's `code_challenge` (RFC 7636 §4.6).
    PkcePair,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestQuery {
    pub to: Endpoint,
    #[serde(default = "first")]
    pub nth: i64,
    #[serde(default)]
    pub param: Option<String>,
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub json: Option<String>,
}

fn first() -> i64 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestsQuery {
    pub to: Endpoint,
    /// Only the requests sent after the first access token was issued: those that could
    /// carry it.
    #[serde(default)]
    pub after_first_token: bool,
    #[serde(default)]
    pub param: Option<String>,
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub json: Option<String>,
}

fn request_part(
    param: &Option<String>,
    header: &Option<String>,
    json: &Option<String>,
) -> RequestPart {
    RequestPart {
        param: param.clone(),
        header: header.clone(),
        json: json.clone(),
    }
}

fn part_name(param: &Option<String>, header: &Option<String>, json: &Option<String>) -> String {
    match (param, header, json) {
        (Some(p), _, _) => format!("`{p}`"),
        (_, Some(h), _) => format!("header `{h}`"),
        (_, _, Some(j)) => format!("JSON `{j}`"),
        _ => "URL".into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwtClaimQuery {
    /// A JSON pointer to the token in the body, e.g. `/access_token`.
    pub token: String,
    /// A JSON pointer into its claims.
    pub claim: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeQuery {
    /// Auth scheme, compared case-insensitively.
    pub scheme: String,
    /// A parameter name; without it the query is the whole challenge.
    #[serde(default)]
    pub param: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeParamQuery {
    pub scheme: String,
    pub param: String,
}

/// A query's value, or why there is none (said in words for the report).
pub type QueryValue = Result<Value, String>;

impl Query {
    /// Variables the query reads (for load-time validation).
    pub fn variable(&self) -> Option<&str> {
        match self {
            Query::Var(v) => Some(v),
            _ => None,
        }
    }

    pub fn evaluate(&self, answer: &Answer, vars: &Vars) -> QueryValue {
        if let Query::Var(name) = self {
            return vars
                .get(name)
                .map(|v| Value::String(v.clone()))
                .ok_or_else(|| format!("variable `{name}` is not set"));
        }
        if let Some(value) = self.evaluate_observation(answer) {
            return value;
        }
        if let Some(failure) = &answer.failure {
            return Err(format!("no usable response: {failure}"));
        }
        match self {
            Query::Status => answer
                .status
                .map(Value::from)
                .ok_or_else(|| "no status".to_string()),
            Query::Credential => credential(answer),
            Query::Header(name) => answer
                .header_values(name)
                .first()
                .map(|v| Value::String(v.to_string()))
                .ok_or_else(|| format!("no `{name}` header")),
            Query::ContentType => answer
                .header_values("content-type")
                .first()
                .map(|v| {
                    let media = v.split(';').next().unwrap_or_default();
                    Value::String(media.trim().to_ascii_lowercase())
                })
                .ok_or_else(|| "no `Content-Type` header".to_string()),
            Query::Body => Ok(Value::String(answer.body_text())),
            Query::Json(pointer) => {
                let doc = parse_json(answer)?;
                doc.pointer(pointer)
                    .cloned()
                    .ok_or_else(|| format!("no value at JSON pointer `{pointer}`"))
            }
            Query::Challenges => {
                let challenges = challenges(answer)?;
                Ok(Value::Array(
                    challenges.iter().map(|c| c.to_json()).collect(),
                ))
            }
            Query::Challenge(q) => {
                let challenges = challenges(answer)?;
                let c = find_challenge(&challenges, &q.scheme)
                    .ok_or_else(|| format!("no `{}` challenge in WWW-Authenticate", q.scheme))?;
                match &q.param {
                    None => Ok(c.to_json()),
                    Some(p) => c
                        .param(p)
                        .map(|v| Value::String(v.to_string()))
                        .ok_or_else(|| {
                            format!("the `{}` challenge has no `{p}` parameter", c.scheme)
                        }),
                }
            }
            Query::ChallengeParamCount(q) => {
                let challenges = challenges(answer)?;
                let c = find_challenge(&challenges, &q.scheme)
                    .ok_or_else(|| format!("no `{}` challenge in WWW-Authenticate", q.scheme))?;
                Ok(Value::from(c.param_count(&q.param)))
            }
            Query::Url => Ok(Value::String(answer.url.clone())),
            Query::LocationParam(name) => location_param(answer, name),
            Query::JwtClaim(q) => {
                let doc = parse_json(answer)?;
                let token = doc
                    .pointer(&q.token)
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("no token string at JSON pointer `{}`", q.token))?;
                let claims = super::jwt_view::describe("body", token)
                    .claims
                    .ok_or_else(|| format!("`{}` is not a JWT", q.token))?;
                claims
                    .pointer(&q.claim)
                    .cloned()
                    .ok_or_else(|| format!("the JWT has no claim at `{}`", q.claim))
            }
            Query::Var(_)
            | Query::RequestCount(_)
            | Query::Request(_)
            | Query::Requests(_)
            | Query::ClientExit
            | Query::UrlsWithIssuedToken
            | Query::TargetTokensSentTo(_)
            | Query::ResponseStatuses(_)
            | Query::RefusedTokensResent
            | Query::PkcePair => unreachable!("handled above"),
        }
    }
}

impl Query {
    /// The client-case queries, read from the observation; `None` for other queries.
    fn evaluate_observation(&self, answer: &Answer) -> Option<QueryValue> {
        let observed = || {
            answer
                .observation
                .as_deref()
                .ok_or_else(|| "only client cases observe a client's traffic".to_string())
        };
        Some(match self {
            Query::RequestCount(to) => observed().map(|o| Value::from(o.to(*to).len())),
            Query::Request(q) => observed().and_then(|o| {
                let requests = o.to(q.to);
                let index = if q.nth < 0 {
                    requests.len() as i64 + q.nth
                } else {
                    q.nth - 1
                };
                let e = usize::try_from(index)
                    .ok()
                    .and_then(|i| requests.get(i))
                    .ok_or_else(|| {
                        format!(
                            "request {} to {} was not sent ({} were)",
                            q.nth,
                            q.to.as_str(),
                            requests.len()
                        )
                    })?;
                part(e, &request_part(&q.param, &q.header, &q.json))
                    .map(Value::String)
                    .ok_or_else(|| {
                        format!(
                            "request {} to {} has no {}",
                            q.nth,
                            q.to.as_str(),
                            part_name(&q.param, &q.header, &q.json)
                        )
                    })
            }),
            Query::Requests(q) => observed().map(|o| {
                let which = request_part(&q.param, &q.header, &q.json);
                let requests = if q.after_first_token {
                    o.after_first_token(q.to)
                } else {
                    o.to(q.to)
                };
                Value::Array(
                    requests
                        .into_iter()
                        .map(|e| match &q.json {
                            Some(pointer) => json_member(e, pointer),
                            None => part(e, &which).map(Value::String),
                        })
                        .map(|v| v.unwrap_or(Value::Null))
                        .collect(),
                )
            }),
            Query::ClientExit => observed().and_then(|o| {
                o.exit_code
                    .map(Value::from)
                    .ok_or_else(|| format!("the client did not exit by itself: {}", o.ended))
            }),
            Query::PkcePair => observed().and_then(|o| o.pkce_pair()),
            Query::TargetTokensSentTo(to) => observed().map(|o| {
                Value::Array(
                    o.target_tokens_sent_to(*to)
                        .into_iter()
                        .map(Value::String)
                        .collect(),
                )
            }),
            Query::ResponseStatuses(to) => observed().map(|o| {
                Value::Array(
                    o.to(*to)
                        .into_iter()
                        .map(|e| e.status.map(Value::from).unwrap_or(Value::Null))
                        .collect(),
                )
            }),
            Query::RefusedTokensResent => {
                observed().map(|o| Value::from(o.refused_tokens_resent()))
            }
            Query::UrlsWithIssuedToken => observed().map(|o| {
                Value::Array(
                    o.urls_with_issued_token()
                        .into_iter()
                        .map(Value::String)
                        .collect(),
                )
            }),
            _ => return None,
        })
    }
}

/// The value at a JSON pointer into a request's JSON body, as JSON.
fn json_member(e: &crate::vocab::Exchange, pointer: &str) -> Option<Value> {
    let doc: Value = serde_json::from_str(e.request_body.as_deref()?).ok()?;
    doc.pointer(pointer).cloned()
}

/// `accepted` or `refused`, with the status and challenge that decided it, as
/// [`Query::Credential`] defines them.
fn credential(answer: &Answer) -> QueryValue {
    let status = answer.status.ok_or_else(|| "no status".to_string())?;
    let bearer = answer
        .header_values("www-authenticate")
        .iter()
        .any(|v| v.to_ascii_lowercase().contains("bearer"));
    let verdict = if status == 401 || status == 403 || bearer {
        "refused"
    } else if status >= 500 {
        "server error"
    } else {
        "accepted"
    };
    Ok(Value::String(verdict.to_string()))
}

/// The words that explain a [`Query::Credential`] value: the status, and the challenge
/// when there is one.
pub fn credential_evidence(answer: &Answer) -> Option<String> {
    let status = answer.status?;
    let challenge = answer.header_values("www-authenticate").first().map(|c| {
        let short: String = c.chars().take(120).collect();
        format!(", WWW-Authenticate: {short}")
    });
    // An MCP-level error after authentication is shown, so that a reader sees what the
    // server objected to when it was not the token.
    let rpc_error = parse_json(answer).ok().and_then(|m| {
        let error = m.get("error")?;
        let message: String = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .chars()
            .take(160)
            .collect();
        Some(format!(
            ", JSON-RPC error {} {message:?}",
            error.get("code")?
        ))
    });
    Some(format!(
        "HTTP {status}{}{}",
        challenge.unwrap_or_default(),
        rpc_error.unwrap_or_default()
    ))
}

fn location_param(answer: &Answer, name: &str) -> QueryValue {
    let location = answer
        .header_values("location")
        .first()
        .map(|l| l.to_string())
        .ok_or_else(|| "no `Location` header (not a redirect)".to_string())?;
    let url = url::Url::parse(&location)
        .map_err(|e| format!("`Location` is not an absolute URL: {e}"))?;
    let values: Vec<Value> = url
        .query_pairs()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| Value::String(v.into_owned()))
        .collect();
    match values.len() {
        0 => Err(format!("the redirect carries no `{name}` parameter")),
        1 => Ok(values.into_iter().next().unwrap_or_default()),
        _ => Ok(Value::Array(values)),
    }
}

fn parse_json(answer: &Answer) -> Result<Value, String> {
    if answer.truncated {
        return Err("the body exceeded the harness's size limit and was cut".to_string());
    }
    // Streamable HTTP may answer a POST with an event stream (transports, "Sending
    // Messages"); the JSON-RPC message is then the response event among others.
    let is_event_stream = answer
        .header_values("content-type")
        .first()
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/event-stream"));
    if is_event_stream {
        return super::event_stream::response_in(&answer.body_text(), answer.rpc_id.as_ref());
    }
    serde_json::from_slice(&answer.body).map_err(|e| {
        let text = answer.body_text();
        let preview: String = text.chars().take(60).collect();
        format!("the body is not JSON ({e}); it starts with {preview:?}")
    })
}

fn challenges(answer: &Answer) -> Result<Vec<super::www_authenticate::Challenge>, String> {
    let values = answer.header_values("www-authenticate");
    if values.is_empty() {
        return Err("no WWW-Authenticate header".to_string());
    }
    parse_challenges(&values)
        .map_err(|e| format!("WWW-Authenticate does not parse (RFC 9110 §11.6.1): {e}"))
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Query::Status => write!(f, "status"),
            Query::Credential => write!(
                f,
                "the token's treatment (accepted, refused or server error)"
            ),
            Query::Header(h) => write!(f, "header `{h}`"),
            Query::ContentType => write!(f, "content type"),
            Query::Body => write!(f, "body"),
            Query::Json(p) if p.is_empty() => write!(f, "JSON body"),
            Query::Json(p) => write!(f, "JSON `{p}`"),
            Query::Challenges => write!(f, "WWW-Authenticate challenges"),
            Query::Challenge(ChallengeQuery {
                scheme,
                param: None,
            }) => {
                write!(f, "`{scheme}` challenge")
            }
            Query::Challenge(ChallengeQuery {
                scheme,
                param: Some(p),
            }) => {
                write!(f, "`{scheme}` challenge parameter `{p}`")
            }
            Query::ChallengeParamCount(q) => {
                write!(
                    f,
                    "occurrences of `{}` in the `{}` challenge",
                    q.param, q.scheme
                )
            }
            Query::Var(v) => write!(f, "variable `{v}`"),
            Query::Url => write!(f, "answering URL"),
            Query::LocationParam(p) => write!(f, "redirect parameter `{p}`"),
            // RFC 7519 §4: a claim of the JWT Claims Set; the empty pointer is the set.
            Query::JwtClaim(q) => match q.claim.strip_prefix('/') {
                None if q.claim.is_empty() => {
                    write!(f, "the claims set of the JWT at `{}`", q.token)
                }
                Some(name) if !name.contains('/') => {
                    write!(f, "the `{name}` claim of the JWT at `{}`", q.token)
                }
                _ => write!(f, "claim `{}` of the JWT at `{}`", q.claim, q.token),
            },
            Query::RequestCount(to) => write!(f, "number of requests to {}", to.as_str()),
            Query::Request(q) => write!(
                f,
                "{} of request {} to {}",
                part_name(&q.param, &q.header, &q.json),
                q.nth,
                q.to.as_str()
            ),
            Query::Requests(q) => write!(
                f,
                "{} of every request to {}{}",
                part_name(&q.param, &q.header, &q.json),
                q.to.as_str(),
                if q.after_first_token {
                    " after the first access token was issued"
                } else {
                    ""
                }
            ),
            Query::UrlsWithIssuedToken => {
                write!(f, "the request URLs that carry an issued access token")
            }
            Query::TargetTokensSentTo(to) => write!(
                f,
                "requests to {} carrying a token of the MCP server under test",
                to.as_str()
            ),
            Query::ResponseStatuses(to) => {
                write!(f, "statuses of the answers from {}", to.as_str())
            }
            Query::RefusedTokensResent => {
                write!(f, "number of requests to mcp resending a refused token")
            }
            Query::ClientExit => write!(f, "the client's exit code"),
            Query::PkcePair => write!(f, "S256(code_verifier) = code_challenge"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::HeaderPair;

    fn answer(headers: &[(&str, &str)], body: &str) -> Answer {
        Answer {
            url: "http://127.0.0.1:1/mcp".into(),
            status: Some(401),
            headers: headers
                .iter()
                .map(|(n, v)| HeaderPair::new(*n, *v))
                .collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
            observation: None,
            failure: None,
            rpc_id: None,
        }
    }

    #[test]
    fn reads_challenge_parameters_across_header_lines() {
        let a = answer(
            &[
                ("WWW-Authenticate", "Basic realm=\"x\""),
                (
                    "www-authenticate",
                    "Bearer resource_metadata=\"http://h/prm\", scope=\"a b\"",
                ),
            ],
            "",
        );
        let q = Query::Challenge(ChallengeQuery {
            scheme: "bearer".into(),
            param: Some("scope".into()),
        });
        assert_eq!(
            q.evaluate(&a, &Vars::new()),
            Ok(Value::String("a b".into()))
        );
        let q = Query::Challenge(ChallengeQuery {
            scheme: "Digest".into(),
            param: None,
        });
        assert!(q
            .evaluate(&a, &Vars::new())
            .unwrap_err()
            .contains("no `Digest` challenge"));
    }

    #[test]
    fn reads_json_from_an_event_stream() {
        let a = answer(
            &[("Content-Type", "text/event-stream")],
            "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\ndata: \"result\":{}}\n\n",
        );
        assert_eq!(
            Query::Json("/id".into()).evaluate(&a, &Vars::new()),
            Ok(Value::from(1))
        );
    }

    #[test]
    fn explains_missing_values() {
        let a = answer(&[("Content-Type", "text/html; charset=utf-8")], "<html>");
        assert_eq!(
            Query::ContentType.evaluate(&a, &Vars::new()),
            Ok(Value::String("text/html".into()))
        );
        assert!(Query::Json("/resource".into())
            .evaluate(&a, &Vars::new())
            .unwrap_err()
            .contains("not JSON"));
        assert!(Query::Challenges
            .evaluate(&a, &Vars::new())
            .unwrap_err()
            .contains("no WWW-Authenticate"));
        let broken = Answer {
            failure: Some("connection reset".into()),
            ..a
        };
        assert!(Query::Status
            .evaluate(&broken, &Vars::new())
            .unwrap_err()
            .contains("connection reset"));
    }
}
