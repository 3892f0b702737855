//! Queries: what part of what a case observed an expectation looks at. Two kinds, one
//! per kind of case body: [`StepQuery`] reads the target's answer to a step (server and
//! authorization-server cases), [`ClientQuery`](super::client_query::ClientQuery) the
//! observed run of a client under test. Each is its own enum, so a query of the wrong
//! role is refused when the case file is read. Adding a step query is one variant here,
//! its description, and one arm in [`StepQuery::evaluate`].

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::answer::Answer;
use super::html_form::{action_url, encoded_fields, post_form, FieldSelection, Form};
use super::template::Vars;
use super::www_authenticate::{find_challenge, parse_challenges};

/// A query of either kind, as the judging of an expectation sees it.
pub trait Query: fmt::Display {
    /// What the query reads: a step's answer, or a client's observed run.
    type Subject;

    /// The query's value, or why there is none.
    fn evaluate(&self, subject: &Self::Subject, vars: &Vars) -> QueryValue;

    /// Words shown beside the value in a report when the value alone does not explain
    /// the verdict.
    fn evidence(&self, _subject: &Self::Subject) -> Option<String> {
        None
    }

    /// Why what the query reads was not there to read at all (no valid HTTP answer, a
    /// document that does not parse), as opposed to a value missing from a well-formed
    /// answer. A missing value satisfies `absent` and `not …`; an unreadable answer
    /// satisfies no predicate (DESIGN "Fairness rules": an absence check passes only
    /// when the step was reached with a well-formed answer).
    fn unreadable(&self, _subject: &Self::Subject) -> Option<String> {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum StepQuery {
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
    /// Where the `Location` header sends the user agent: its URL resolved against the
    /// request's, without query and fragment (`scheme://host:port/path`), to compare with
    /// the redirect URI an authorization response must go to (RFC 6749 §4.1.2).
    LocationTarget,
    /// A claim of a JWT found in the JSON body, decoded without verification (RFC 7519
    /// §7.2): `{token: /access_token, claim: /aud}`; claim `""` is the whole claim set.
    JwtClaim(JwtClaimQuery),
    /// Every `Set-Cookie` header line of the answer, in order, as an array of strings
    /// (RFC 6265 §4.1); empty when it sets none.
    SetCookies,
    /// Where the page's one `<form method=post>` posts to: its `action` resolved against
    /// the page's URL. A page without such a form (none, or one its script renders) has
    /// no value.
    FormAction,
    /// The fields of that form as an `application/x-www-form-urlencoded` body, as a
    /// browser sends them for its approval button: `all`, `hidden`, `without_hidden`,
    /// or `hidden_altered` (hidden values changed).
    FormFields(FieldSelection),
    /// How the answer forbids other sites to frame it: `X-Frame-Options` DENY (or
    /// SAMEORIGIN), or a `Content-Security-Policy` `frame-ancestors` directive that does
    /// not allow every origin (CSP Level 2 §7.7.3; RFC 7034); no value when neither.
    FramingDefence,
    /// How a `tools/call` ended: `complete`, `input_required`, `tool_error`,
    /// `rpc_error`, `server_request` (a request to the client and no response yet) or
    /// `http_error` (`logic/mcp_results.rs`).
    CallOutcome,
    /// The harness's `inputResponses` to the `inputRequests` of a 2026-07-28
    /// `InputRequiredResult`, as a JSON object (`logic/input_responses.rs`).
    InputResponses,
    /// Every URL-mode elicitation URL of the answer, in any revision's form.
    ElicitationUrls,
    /// What of the request's access token or of its user the answer's elicitation URLs
    /// carry, in words (an empty array when nothing).
    ElicitationUrlSecrets,
    /// A claim of the token the request carried, by JSON pointer (`/sub`), decoded
    /// without verification; missing when the token is not a JWT (an opaque `--token`).
    SentTokenClaim(String),
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

impl StepQuery {
    /// The names case files give the variants (a test checks them against the enum).
    pub const NAMES: &'static [&'static str] = &[
        "status",
        "credential",
        "header",
        "content_type",
        "body",
        "json",
        "challenges",
        "challenge",
        "challenge_param_count",
        "var",
        "url",
        "location_param",
        "location_target",
        "jwt_claim",
        "set_cookies",
        "form_action",
        "form_fields",
        "framing_defence",
        "call_outcome",
        "input_responses",
        "elicitation_urls",
        "elicitation_url_secrets",
        "sent_token_claim",
    ];

    /// Variables the query reads (for load-time validation).
    pub fn variable(&self) -> Option<&str> {
        match self {
            StepQuery::Var(v) => Some(v),
            _ => None,
        }
    }

    /// The query's value in a step's answer; a variable is read whatever the answer.
    pub fn evaluate(&self, answer: &Answer, vars: &Vars) -> QueryValue {
        let reads_answer = !matches!(self, StepQuery::Var(_));
        if let (Some(failure), true) = (&answer.failure, reads_answer) {
            return Err(format!("no valid HTTP answer: {failure}"));
        }
        match self {
            StepQuery::Var(name) => vars
                .get(name)
                .map(|v| Value::String(v.clone()))
                .ok_or_else(|| format!("variable `{name}` is not set")),
            StepQuery::Status => answer
                .status
                .map(Value::from)
                .ok_or_else(|| "no status".to_string()),
            StepQuery::Credential => credential(answer),
            StepQuery::Header(name) => answer
                .header_values(name)
                .first()
                .map(|v| Value::String(v.to_string()))
                .ok_or_else(|| format!("no `{name}` header")),
            StepQuery::ContentType => answer
                .header_values("content-type")
                .first()
                .map(|v| {
                    let media = v.split(';').next().unwrap_or_default();
                    Value::String(media.trim().to_ascii_lowercase())
                })
                .ok_or_else(|| "no `Content-Type` header".to_string()),
            StepQuery::Body => Ok(Value::String(answer.body_text())),
            StepQuery::Json(pointer) => {
                let doc = parse_json(answer)?;
                doc.pointer(pointer)
                    .cloned()
                    .ok_or_else(|| format!("no value at JSON pointer `{pointer}`"))
            }
            StepQuery::Challenges => {
                let challenges = challenges(answer)?;
                Ok(Value::Array(
                    challenges.iter().map(|c| c.to_json()).collect(),
                ))
            }
            StepQuery::Challenge(q) => {
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
            StepQuery::ChallengeParamCount(q) => {
                let challenges = challenges(answer)?;
                let c = find_challenge(&challenges, &q.scheme)
                    .ok_or_else(|| format!("no `{}` challenge in WWW-Authenticate", q.scheme))?;
                Ok(Value::from(c.param_count(&q.param)))
            }
            StepQuery::Url => Ok(Value::String(answer.url.clone())),
            StepQuery::LocationParam(name) => location_param(answer, name),
            StepQuery::LocationTarget => location_target(answer),
            StepQuery::SetCookies => Ok(Value::Array(
                answer
                    .header_values("set-cookie")
                    .iter()
                    .map(|v| Value::String(v.to_string()))
                    .collect(),
            )),
            StepQuery::FormAction => {
                let form = post_form_of(answer)?;
                action_url(&answer.url, &form).map(Value::String)
            }
            StepQuery::FormFields(selection) => {
                let form = post_form_of(answer)?;
                Ok(Value::String(encoded_fields(&form, *selection)))
            }
            StepQuery::FramingDefence => framing_defence(answer),
            StepQuery::CallOutcome => super::mcp_results::call_outcome(answer),
            StepQuery::InputResponses => {
                let doc = parse_json(answer)?;
                let result = doc
                    .get("result")
                    .ok_or("the answer holds no JSON-RPC result")?;
                super::input_responses::input_responses(result)
            }
            StepQuery::ElicitationUrls => super::mcp_results::elicitation_urls(answer),
            StepQuery::SentTokenClaim(pointer) => {
                let token = answer
                    .sent_bearer
                    .as_deref()
                    .ok_or("the request carried no bearer token")?;
                let claims = super::jwt_view::describe("request", token)
                    .claims
                    .ok_or("the request's token is not a JWT")?;
                claims
                    .pointer(pointer)
                    .cloned()
                    .ok_or_else(|| format!("the request's token has no claim at `{pointer}`"))
            }
            StepQuery::ElicitationUrlSecrets => super::mcp_results::elicitation_url_secrets(answer),
            StepQuery::JwtClaim(q) => {
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
        }
    }
}

/// `accepted` or `refused`, with the status and challenge that decided it, as
/// [`StepQuery::Credential`] defines them.
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

/// The words that explain a [`StepQuery::Credential`] value: the status, and the challenge
/// when there is one.
fn credential_evidence(answer: &Answer) -> Option<String> {
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

/// The header that keeps other origins from framing the answer, as sent.
fn framing_defence(answer: &Answer) -> QueryValue {
    if answer.status.is_none() {
        return Err("no status".into());
    }
    for v in answer.header_values("x-frame-options") {
        let t = v.trim();
        if t.eq_ignore_ascii_case("deny") || t.eq_ignore_ascii_case("sameorigin") {
            return Ok(Value::String(format!("X-Frame-Options: {t}")));
        }
    }
    for policy in answer.header_values("content-security-policy") {
        for directive in policy.split(';') {
            let mut words = directive.split_whitespace();
            if !words
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case("frame-ancestors"))
            {
                continue;
            }
            let sources: Vec<&str> = words.collect();
            if !sources.contains(&"*") {
                return Ok(Value::String(format!(
                    "Content-Security-Policy: frame-ancestors {}",
                    sources.join(" ")
                )));
            }
        }
    }
    Err(
        "neither X-Frame-Options DENY nor a Content-Security-Policy frame-ancestors directive"
            .into(),
    )
}

/// The page's `<form method=post>`, or what the page was instead (for the report).
fn post_form_of(answer: &Answer) -> Result<Form, String> {
    let body = answer.body_text();
    post_form(&body).ok_or_else(|| {
        let status = answer.status.map(|s| s.to_string()).unwrap_or_default();
        let kind = answer
            .header_values("content-type")
            .first()
            .map(|c| format!(", {c}"))
            .unwrap_or_default();
        let scripted = if body.to_ascii_lowercase().contains("<script") {
            " (it has scripts: a form they render is out of the harness's reach)"
        } else {
            ""
        };
        format!(
            "the answer (HTTP {status}{kind}, {} bytes) has no <form method=post>{scripted}",
            body.len()
        )
    })
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

fn location_target(answer: &Answer) -> QueryValue {
    let location = answer
        .header_values("location")
        .first()
        .map(|l| l.to_string())
        .ok_or_else(|| "no `Location` header (not a redirect)".to_string())?;
    let base = url::Url::parse(&answer.url).ok();
    let mut url = url::Url::options()
        .base_url(base.as_ref())
        .parse(&location)
        .map_err(|e| format!("`Location` is not a URL: {e}"))?;
    url.set_query(None);
    url.set_fragment(None);
    Ok(Value::String(url.to_string()))
}

/// Why the answer gives a query nothing to read (see [`Query::unreadable`]): the target
/// sent no valid HTTP (garbage, a connection closed mid-answer, a head too large), or a
/// query of the JSON document finds it cut by the harness's size limit, or declared as
/// JSON (RFC 8259 §11 `application/json`, RFC 6839 `+json`, or an event stream carrying
/// JSON-RPC) but not parsing. A body that does not claim to be JSON (a refusal page, an
/// empty 401) is no document: its members are absent, as before; a case that needs a
/// document says so with a positive check.
fn unreadable_answer(query: &StepQuery, answer: &Answer) -> Option<String> {
    if matches!(query, StepQuery::Var(_)) {
        return None;
    }
    if let Some(failure) = &answer.failure {
        return Some(format!("no valid HTTP answer: {failure}"));
    }
    let reads_document = matches!(
        query,
        StepQuery::Json(_) | StepQuery::JwtClaim(_) | StepQuery::InputResponses
    );
    if !reads_document {
        return None;
    }
    if answer.truncated {
        return parse_json(answer).err();
    }
    if answer.body.iter().all(u8::is_ascii_whitespace) || !declares_json(answer) {
        return None;
    }
    parse_json(answer).err()
}

/// Whether the answer's `Content-Type` says its body is JSON (or an event stream, whose
/// events are JSON-RPC messages).
fn declares_json(answer: &Answer) -> bool {
    let Some(content_type) = answer.header_values("content-type").first().copied() else {
        return false;
    };
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    media == "application/json" || media.ends_with("+json") || media == "text/event-stream"
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

impl Query for StepQuery {
    type Subject = Answer;

    fn evaluate(&self, answer: &Answer, vars: &Vars) -> QueryValue {
        StepQuery::evaluate(self, answer, vars)
    }

    /// A credential's treatment shows the status and challenge that decided it.
    fn evidence(&self, answer: &Answer) -> Option<String> {
        match self {
            StepQuery::Credential => credential_evidence(answer),
            _ => None,
        }
    }

    fn unreadable(&self, answer: &Answer) -> Option<String> {
        unreadable_answer(self, answer)
    }
}

impl fmt::Display for StepQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepQuery::Status => write!(f, "status"),
            StepQuery::Credential => write!(
                f,
                "the token's treatment (accepted, refused or server error)"
            ),
            StepQuery::Header(h) => write!(f, "header `{h}`"),
            StepQuery::ContentType => write!(f, "content type"),
            StepQuery::Body => write!(f, "body"),
            StepQuery::Json(p) if p.is_empty() => write!(f, "JSON body"),
            StepQuery::Json(p) => write!(f, "JSON `{p}`"),
            StepQuery::Challenges => write!(f, "WWW-Authenticate challenges"),
            StepQuery::Challenge(ChallengeQuery {
                scheme,
                param: None,
            }) => {
                write!(f, "`{scheme}` challenge")
            }
            StepQuery::Challenge(ChallengeQuery {
                scheme,
                param: Some(p),
            }) => {
                write!(f, "`{scheme}` challenge parameter `{p}`")
            }
            StepQuery::ChallengeParamCount(q) => {
                write!(
                    f,
                    "occurrences of `{}` in the `{}` challenge",
                    q.param, q.scheme
                )
            }
            StepQuery::Var(v) => write!(f, "variable `{v}`"),
            StepQuery::Url => write!(f, "answering URL"),
            StepQuery::LocationParam(p) => write!(f, "redirect parameter `{p}`"),
            StepQuery::LocationTarget => {
                write!(f, "where the redirect goes (Location without query)")
            }
            StepQuery::CallOutcome => write!(f, "how the call ended"),
            StepQuery::InputResponses => write!(f, "the harness's answers to the input requests"),
            StepQuery::ElicitationUrls => write!(f, "the URL-mode elicitation URLs"),
            StepQuery::SentTokenClaim(p) => write!(f, "claim `{p}` of the request's token"),
            StepQuery::ElicitationUrlSecrets => write!(
                f,
                "what of the request's token or user the elicitation URLs carry"
            ),
            // RFC 7519 §4: a claim of the JWT Claims Set; the empty pointer is the set.
            StepQuery::JwtClaim(q) => match q.claim.strip_prefix('/') {
                None if q.claim.is_empty() => {
                    write!(f, "the claims set of the JWT at `{}`", q.token)
                }
                Some(name) if !name.contains('/') => {
                    write!(f, "the `{name}` claim of the JWT at `{}`", q.token)
                }
                _ => write!(f, "claim `{}` of the JWT at `{}`", q.claim, q.token),
            },
            StepQuery::SetCookies => write!(f, "the cookies set (Set-Cookie lines)"),
            StepQuery::FormAction => write!(f, "where the page's post form goes"),
            StepQuery::FormFields(s) => write!(f, "the post form's fields ({s:?})"),
            StepQuery::FramingDefence => write!(f, "the page's defence against framing"),
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
            failure: None,
            rpc_id: None,
            sent_bearer: None,
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
        let q = StepQuery::Challenge(ChallengeQuery {
            scheme: "bearer".into(),
            param: Some("scope".into()),
        });
        assert_eq!(
            q.evaluate(&a, &Vars::new()),
            Ok(Value::String("a b".into()))
        );
        let q = StepQuery::Challenge(ChallengeQuery {
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
            StepQuery::Json("/id".into()).evaluate(&a, &Vars::new()),
            Ok(Value::from(1))
        );
    }

    #[test]
    fn only_an_answer_that_cannot_be_read_is_unreadable() {
        let json = |body: &str| answer(&[("Content-Type", "application/json")], body);
        let member = StepQuery::Json("/result".into());
        // A member missing from a document, or a body that claims no JSON (a refusal
        // page, an empty 401), is a missing value: `absent` may hold.
        assert_eq!(member.unreadable(&json("{\"error\": {}}")), None);
        assert_eq!(member.unreadable(&json("")), None);
        assert_eq!(member.unreadable(&answer(&[], "Unauthorized")), None);
        let html = answer(&[("Content-Type", "text/html")], "<p>no");
        assert_eq!(member.unreadable(&html), None);
        // A document declared as JSON that does not parse, or one cut by the harness.
        let cut = json("{\"resource\": \"x\", \"authorization_servers\": [");
        assert!(member
            .unreadable(&cut)
            .is_some_and(|r| r.contains("the body is not JSON (EOF while parsing")));
        let problem = answer(&[("Content-Type", "application/problem+json")], "{");
        assert!(member.unreadable(&problem).is_some());
        let truncated = Answer {
            truncated: true,
            ..json("{}")
        };
        assert!(member
            .unreadable(&truncated)
            .is_some_and(|r| r.contains("size limit")));
        // Queries of the head do not read the document.
        assert_eq!(StepQuery::Status.unreadable(&cut), None);
        // No valid HTTP answer: nothing but a variable can be read.
        let broken = Answer {
            failure: Some("invalid HTTP version parsed".into()),
            ..Answer::default()
        };
        for q in [StepQuery::Status, StepQuery::Body, member] {
            assert_eq!(
                q.unreadable(&broken).as_deref(),
                Some("no valid HTTP answer: invalid HTTP version parsed")
            );
        }
        assert_eq!(StepQuery::Var("target".into()).unreadable(&broken), None);
    }

    #[test]
    fn explains_missing_values() {
        let a = answer(&[("Content-Type", "text/html; charset=utf-8")], "<html>");
        assert_eq!(
            StepQuery::ContentType.evaluate(&a, &Vars::new()),
            Ok(Value::String("text/html".into()))
        );
        assert!(StepQuery::Json("/resource".into())
            .evaluate(&a, &Vars::new())
            .unwrap_err()
            .contains("not JSON"));
        assert!(StepQuery::Challenges
            .evaluate(&a, &Vars::new())
            .unwrap_err()
            .contains("no WWW-Authenticate"));
        let broken = Answer {
            failure: Some("connection reset".into()),
            ..a
        };
        assert!(StepQuery::Status
            .evaluate(&broken, &Vars::new())
            .unwrap_err()
            .contains("connection reset"));
    }
}
