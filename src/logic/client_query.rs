//! Client-case queries: what part of a client's observed run (its requests to the
//! mocks, their answers, how it ended) an expectation looks at. Adding one is a variant
//! here, its description, and one arm in [`ClientQuery::evaluate`]. Only client cases
//! (`client/…`) use them; a server or authorization-server case that names one is
//! refused when the file is read.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::dpop_view::{judged, nonce_challenges, observed_faults, DpopAspect};
use super::jwt_view::decode_unverified;
use super::observation::{part, Observation, RequestPart};
use super::query::{Query, QueryValue};
use super::template::Vars;
use crate::vocab::{Endpoint, Exchange};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientQuery {
    /// How many requests the client sent to an endpoint.
    RequestCount(Endpoint),
    /// A part of the n-th request to an endpoint (1-based; negative counts from the
    /// last); without a part, its URL.
    Request(RequestQuery),
    /// That part of every request to an endpoint, as an array (`null` where a request
    /// lacks it); a `json` part keeps its JSON type, so an array member stays an array
    /// (`all: {all: …}` judges every element of every request's list).
    Requests(RequestsQuery),
    /// The URLs of the client's requests that carry the value of an access token the
    /// authorization server issued, anywhere in the URL (any parameter name, or none), as
    /// an array; empty when no URL does.
    UrlsWithIssuedToken,
    /// The URLs of the requests to an endpoint that carried a token of the MCP server
    /// under test (issued before the client's first request there, or asked for with the
    /// target as `resource`), as an array; empty when none.
    TargetTokensSentTo(Endpoint),
    /// A member of the n-th answer from an endpoint (1-based; negative counts from the
    /// last): a JSON pointer into its body, keeping the JSON type.
    Answer(AnswerQuery),
    /// The client ID metadata documents the authorization server fetched whose
    /// `client_id` is not their URL exactly, as an array of URLs.
    ClientIdDocumentsNotNamingTheirUrl,
    /// The authorization requests whose `redirect_uri` the fetched client ID metadata
    /// document of their `client_id` does not list, as an array of URLs.
    RedirectUrisNotInClientIdDocument,
    /// How many answers of an endpoint issued an access token (a 2xx JSON body with
    /// `access_token`).
    AccessTokensIssuedBy(Endpoint),
    /// The requests to an endpoint that carry a credential the case's authorization
    /// server issued (client_id or client_secret from a registration, a refresh or
    /// access token), in the query, the body or the Authorization header, as an array
    /// of `<URL> carries …`; empty when none.
    IssuedCredentialsSentTo(Endpoint),
    /// How many requests to the MCP server carried a Bearer token the MCP server had
    /// already refused with 401.
    RefusedTokensResent,
    /// The HTTP status of every answer from an endpoint, as an array of numbers (`null`
    /// where none arrived).
    ResponseStatuses(Endpoint),
    /// Whether the first code exchange repeats this parameter of the first authorization
    /// request (the same value, or absent from both).
    CodeExchangeRepeats(String),
    /// How many token requests authenticate the client in more than one way (HTTP Basic,
    /// client_secret or client_assertion in the body).
    SeveralClientAuthMethods,
    /// The redirect_uri values of authorization requests that the client's registration
    /// requests did not list (a loopback IP literal's port may differ), as an array.
    UnregisteredRedirectUris,
    /// How many token requests used this grant_type (`authorization_code`,
    /// `refresh_token`).
    GrantRequests(String),
    /// How many refresh requests presented a refresh token other than the newest one the
    /// authorization server had issued before them.
    StaleRefreshTokens,
    /// The URLs of the client's requests that carry the value of a refresh token the
    /// authorization server issued, anywhere in the URL, as an array.
    UrlsWithRefreshToken,
    /// The URLs of the requests to an endpoint that carry an issued refresh token's value
    /// anywhere (URL, header or body), as an array.
    RefreshTokensSentTo(Endpoint),
    /// How many requests to an endpoint carried the same method, URL and body as an
    /// earlier request to it: identical resends.
    RepeatedRequests(Endpoint),
    /// The client's exit code.
    ClientExit,
    /// Whether the first code exchange's `code_verifier` hashes (S256) to the first
    /// authorization request's `code_challenge` (RFC 7636 §4.6).
    PkcePair,
    /// A member of the JWT client assertion (RFC 7523 §2.2) of the n-th token request,
    /// decoded without verifying (the mock verifies the signature): a JOSE `header`
    /// member or a `claim`, keeping its JSON type; `aud` is always an array.
    ClientAssertion(AssertionQuery),
    /// The faults of one aspect of the DPoP proofs (RFC 9449) sent to the token endpoint
    /// (every request) or the MCP endpoint (the requests presenting a token), one
    /// `<endpoint> request <n>: <fault>` line each; empty when none.
    DpopFaults(DpopQuery),
    /// How many requests `dpop_faults` judges at an endpoint.
    DpopJudgedRequests(Endpoint),
    /// How many answers of an endpoint asked for a DPoP nonce (`use_dpop_nonce` with a
    /// `DPoP-Nonce` header, RFC 9449 §8, §9).
    DpopNonceChallenges(Endpoint),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DpopQuery {
    pub to: Endpoint,
    pub aspect: DpopAspect,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssertionQuery {
    /// The token request (1-based; negative counts from the last).
    #[serde(default = "first")]
    pub nth: i64,
    /// The form parameter that holds the JWT: `client_assertion` (RFC 7523 §2.2) by
    /// default, `assertion` for an authorization grant (§2.1).
    #[serde(default)]
    pub param: Option<String>,
    /// A member of the JOSE header, e.g. `alg`.
    #[serde(default)]
    pub header: Option<String>,
    /// A claim, e.g. `aud`.
    #[serde(default)]
    pub claim: Option<String>,
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
pub struct AnswerQuery {
    pub to: Endpoint,
    #[serde(default = "first")]
    pub nth: i64,
    /// A JSON pointer into the answer's body.
    pub json: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestsQuery {
    pub to: Endpoint,
    /// Only the requests sent after the first access token was issued: those that could
    /// carry it.
    #[serde(default)]
    pub after_first_token: bool,
    /// Only the requests with this HTTP method (`GET`: the event stream a client opens,
    /// MCP transports "Listening for Messages from the Server").
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub param: Option<String>,
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub json: Option<String>,
}

impl ClientQuery {
    /// The names case files give the variants (a test checks them against the enum).
    pub const NAMES: &'static [&'static str] = &[
        "request_count",
        "request",
        "requests",
        "urls_with_issued_token",
        "target_tokens_sent_to",
        "refused_tokens_resent",
        "answer",
        "client_id_documents_not_naming_their_url",
        "redirect_uris_not_in_client_id_document",
        "access_tokens_issued_by",
        "issued_credentials_sent_to",
        "response_statuses",
        "repeated_requests",
        "code_exchange_repeats",
        "several_client_auth_methods",
        "unregistered_redirect_uris",
        "grant_requests",
        "stale_refresh_tokens",
        "urls_with_refresh_token",
        "refresh_tokens_sent_to",
        "client_exit",
        "pkce_pair",
        "client_assertion",
        "dpop_faults",
        "dpop_judged_requests",
        "dpop_nonce_challenges",
    ];

    /// The query's value in the observed run.
    pub fn evaluate(&self, o: &Observation) -> QueryValue {
        match self {
            ClientQuery::RequestCount(to) => Ok(Value::from(o.to(*to).len())),
            ClientQuery::Request(q) => nth_request(o, q),
            ClientQuery::Requests(q) => {
                let which = request_part(&q.param, &q.header, &q.json);
                let requests = if q.after_first_token {
                    o.after_first_token(q.to)
                } else {
                    o.to(q.to)
                };
                Ok(Value::Array(
                    requests
                        .into_iter()
                        .filter(|e| {
                            q.method
                                .as_deref()
                                .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
                        })
                        .map(|e| match &q.json {
                            Some(pointer) => json_member(e, pointer),
                            None => part(e, &which).map(Value::String),
                        })
                        .map(|v| v.unwrap_or(Value::Null))
                        .collect(),
                ))
            }
            ClientQuery::ClientExit => o
                .exit_code
                .map(Value::from)
                .ok_or_else(|| format!("the client did not exit by itself: {}", o.ended)),
            ClientQuery::PkcePair => o.pkce_pair(),
            ClientQuery::ClientAssertion(q) => assertion_member(o, q),
            // The token presented (scheme, cnf.jkt) exists only on MCP requests.
            ClientQuery::DpopFaults(q)
                if matches!(q.aspect, DpopAspect::Scheme | DpopAspect::Key)
                    && q.to != Endpoint::Mcp =>
            {
                Err(format!(
                    "the {:?} aspect judges requests to mcp only",
                    q.aspect
                ))
            }
            ClientQuery::DpopFaults(q) => Ok(strings(observed_faults(o, q.to, q.aspect))),
            ClientQuery::DpopJudgedRequests(to) => Ok(Value::from(judged(o, *to).len())),
            ClientQuery::DpopNonceChallenges(to) => Ok(Value::from(nonce_challenges(o, *to))),
            ClientQuery::TargetTokensSentTo(to) => Ok(strings(o.target_tokens_sent_to(*to))),
            ClientQuery::ResponseStatuses(to) => Ok(Value::Array(
                o.to(*to)
                    .into_iter()
                    .map(|e| e.status.map(Value::from).unwrap_or(Value::Null))
                    .collect(),
            )),
            ClientQuery::RefusedTokensResent => Ok(Value::from(o.refused_tokens_resent())),
            ClientQuery::RepeatedRequests(to) => Ok(Value::from(o.repeated_requests(*to))),
            ClientQuery::CodeExchangeRepeats(name) => o.code_exchange_repeats(name),
            ClientQuery::SeveralClientAuthMethods => {
                Ok(Value::from(o.several_client_auth_methods()))
            }
            ClientQuery::UnregisteredRedirectUris => Ok(strings(o.unregistered_redirect_uris())),
            ClientQuery::GrantRequests(grant) => Ok(Value::from(o.grant_requests(grant))),
            ClientQuery::StaleRefreshTokens => Ok(Value::from(o.stale_refresh_tokens())),
            ClientQuery::UrlsWithRefreshToken => Ok(strings(o.urls_with_refresh_token())),
            ClientQuery::RefreshTokensSentTo(to) => Ok(strings(o.refresh_tokens_sent_to(*to))),
            ClientQuery::AccessTokensIssuedBy(to) => {
                Ok(Value::from(o.access_tokens_issued_by(*to)))
            }
            ClientQuery::Answer(q) => nth_answer(o, q),
            ClientQuery::ClientIdDocumentsNotNamingTheirUrl => {
                Ok(strings(o.client_id_documents_not_naming_their_url()))
            }
            ClientQuery::RedirectUrisNotInClientIdDocument => {
                Ok(strings(o.redirect_uris_not_in_client_id_document()))
            }
            ClientQuery::IssuedCredentialsSentTo(to) => {
                Ok(strings(o.issued_credentials_sent_to(*to)))
            }
            ClientQuery::UrlsWithIssuedToken => Ok(strings(o.urls_with_issued_token())),
        }
    }
}

impl Query for ClientQuery {
    type Subject = Observation;

    fn evaluate(&self, observation: &Observation, _vars: &Vars) -> QueryValue {
        ClientQuery::evaluate(self, observation)
    }
}

/// The `nth` exchange of `exchanges`: 1 is the first, -1 the last.
fn nth<'a>(exchanges: &[&'a Exchange], nth: i64) -> Option<&'a Exchange> {
    let index = if nth < 0 {
        exchanges.len() as i64 + nth
    } else {
        nth - 1
    };
    usize::try_from(index)
        .ok()
        .and_then(|i| exchanges.get(i).copied())
}

fn nth_request(o: &Observation, q: &RequestQuery) -> QueryValue {
    let requests = o.to(q.to);
    let e = nth(&requests, q.nth).ok_or_else(|| {
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
}

fn nth_answer(o: &Observation, q: &AnswerQuery) -> QueryValue {
    let answers = o.to(q.to);
    let e = nth(&answers, q.nth).ok_or_else(|| {
        format!(
            "answer {} from {} did not arrive ({} did)",
            q.nth,
            q.to.as_str(),
            answers.len()
        )
    })?;
    let body: Value = serde_json::from_str(e.response_body.as_deref().unwrap_or_default())
        .map_err(|_| format!("answer {} from {} is not JSON", q.nth, q.to.as_str()))?;
    body.pointer(&q.json)
        .cloned()
        .ok_or_else(|| format!("answer {} from {} has no {}", q.nth, q.to.as_str(), q.json))
}

/// The member `q` asks for of the n-th token request's `client_assertion`.
fn assertion_member(o: &Observation, q: &AssertionQuery) -> QueryValue {
    let requests = o.to(Endpoint::Token);
    let e = nth(&requests, q.nth).ok_or_else(|| {
        format!(
            "token request {} was not sent ({} were)",
            q.nth,
            requests.len()
        )
    })?;
    let param = q.param.as_deref().unwrap_or("client_assertion");
    let which = request_part(&Some(param.to_string()), &None, &None);
    let jwt = part(e, &which).ok_or_else(|| format!("token request {} has no {param}", q.nth))?;
    let (header, claims) = decode_unverified(&jwt).ok_or_else(|| {
        format!(
            "the {param} of token request {} is not a JWT (RFC 7519 §7.2)",
            q.nth
        )
    })?;
    let (object, name, what) = match (&q.header, &q.claim) {
        (Some(h), _) => (header, h, "header member"),
        (_, Some(c)) => (claims, c, "claim"),
        _ => return Err("name a `header` member or a `claim`".into()),
    };
    let value = object.get(name).cloned().ok_or_else(|| {
        format!(
            "the {param} of token request {} has no {what} `{name}`",
            q.nth
        )
    })?;
    // RFC 7519 §4.1.3: a single audience may be a string; as an array, `contains` asks
    // whether one audience is the one named.
    Ok(match value {
        Value::String(s) if q.claim.as_deref() == Some("aud") => Value::Array(vec![s.into()]),
        other => other,
    })
}

fn strings(values: Vec<String>) -> Value {
    Value::Array(values.into_iter().map(Value::String).collect())
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

/// The value at a JSON pointer into a request's JSON body, as JSON.
fn json_member(e: &Exchange, pointer: &str) -> Option<Value> {
    let doc: Value = serde_json::from_str(e.request_body.as_deref()?).ok()?;
    doc.pointer(pointer).cloned()
}

impl fmt::Display for ClientQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientQuery::RequestCount(to) => write!(f, "number of requests to {}", to.as_str()),
            ClientQuery::Request(q) => write!(
                f,
                "{} of request {} to {}",
                part_name(&q.param, &q.header, &q.json),
                q.nth,
                q.to.as_str()
            ),
            ClientQuery::Requests(q) => write!(
                f,
                "{} of every {}request to {}{}",
                part_name(&q.param, &q.header, &q.json),
                q.method
                    .as_deref()
                    .map(|m| format!("{m} "))
                    .unwrap_or_default(),
                q.to.as_str(),
                if q.after_first_token {
                    " after the first access token was issued"
                } else {
                    ""
                }
            ),
            ClientQuery::UrlsWithIssuedToken => {
                write!(f, "the request URLs that carry an issued access token")
            }
            ClientQuery::TargetTokensSentTo(to) => write!(
                f,
                "requests to {} carrying a token of the MCP server under test",
                to.as_str()
            ),
            ClientQuery::ResponseStatuses(to) => {
                write!(f, "statuses of the answers from {}", to.as_str())
            }
            ClientQuery::RefusedTokensResent => {
                write!(f, "number of requests to mcp resending a refused token")
            }
            ClientQuery::CodeExchangeRepeats(name) => write!(
                f,
                "whether the code exchange repeats the authorization request's {name}"
            ),
            ClientQuery::SeveralClientAuthMethods => write!(
                f,
                "number of token requests authenticating the client in more than one way"
            ),
            ClientQuery::UnregisteredRedirectUris => write!(
                f,
                "the authorization requests' redirect URIs that the registration did not list"
            ),
            ClientQuery::GrantRequests(grant) => {
                write!(f, "number of token requests with grant_type {grant}")
            }
            ClientQuery::StaleRefreshTokens => write!(
                f,
                "number of refresh requests presenting a refresh token older than the newest issued"
            ),
            ClientQuery::UrlsWithRefreshToken => {
                write!(f, "the request URLs that carry an issued refresh token")
            }
            ClientQuery::RefreshTokensSentTo(to) => write!(
                f,
                "requests to {} carrying an issued refresh token",
                to.as_str()
            ),
            ClientQuery::RepeatedRequests(to) => write!(
                f,
                "number of requests to {} identical to an earlier one",
                to.as_str()
            ),
            ClientQuery::AccessTokensIssuedBy(to) => {
                write!(f, "number of access tokens {} issued", to.as_str())
            }
            ClientQuery::Answer(q) => {
                write!(f, "{} of answer {} from {}", q.json, q.nth, q.to.as_str())
            }
            ClientQuery::ClientIdDocumentsNotNamingTheirUrl => write!(
                f,
                "the client ID metadata documents whose client_id is not their URL"
            ),
            ClientQuery::RedirectUrisNotInClientIdDocument => write!(
                f,
                "the authorization requests whose redirect_uri their client ID metadata \
                 document does not list"
            ),
            ClientQuery::IssuedCredentialsSentTo(to) => write!(
                f,
                "requests to {} carrying a credential the authorization server issued",
                to.as_str()
            ),
            ClientQuery::ClientExit => write!(f, "the client's exit code"),
            ClientQuery::PkcePair => write!(f, "S256(code_verifier) = code_challenge"),
            ClientQuery::ClientAssertion(q) => match (&q.header, &q.claim) {
                (Some(h), _) => write!(
                    f,
                    "header `{h}` of the client assertion of token request {}",
                    q.nth
                ),
                (_, Some(c)) => write!(
                    f,
                    "claim `{c}` of the client assertion of token request {}",
                    q.nth
                ),
                _ => write!(f, "the client assertion of token request {}", q.nth),
            },
            ClientQuery::DpopFaults(q) => write!(
                f,
                "{:?} faults of the DPoP proofs sent to {}",
                q.aspect,
                q.to.as_str()
            ),
            ClientQuery::DpopJudgedRequests(to) => {
                write!(
                    f,
                    "requests to {} whose DPoP proofs are judged",
                    to.as_str()
                )
            }
            ClientQuery::DpopNonceChallenges(to) => {
                write!(f, "use_dpop_nonce answers of {}", to.as_str())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request the mock's route for `to` answered with `status`.
    fn sent(to: Endpoint, url: &str, status: u16) -> Exchange {
        let mut e = Exchange::request("client", "GET", url, vec![], None).served_by(to);
        e.status = Some(status);
        e
    }

    /// The variant names as serde reads them: the `oneOf` of the generated schema.
    fn variant_names<T: schemars::JsonSchema>() -> Vec<String> {
        let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
        let mut names = Vec::new();
        for variant in schema["oneOf"].as_array().unwrap() {
            // A unit variant is a string constant, the others a one-key object.
            let name = variant.get("const").unwrap_or(&variant["required"][0]);
            names.push(name.as_str().unwrap().to_string());
        }
        names.sort();
        names
    }

    #[test]
    fn the_names_are_the_variants() {
        let sorted = |names: &[&str]| {
            let mut v: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            v.sort();
            v
        };
        assert_eq!(variant_names::<ClientQuery>(), sorted(ClientQuery::NAMES));
        assert_eq!(
            variant_names::<crate::logic::query::StepQuery>(),
            sorted(crate::logic::query::StepQuery::NAMES)
        );
    }

    #[test]
    fn reads_the_observed_run() {
        let o = Observation {
            exchanges: vec![
                sent(Endpoint::Mcp, "http://127.0.0.1:1/mcp", 401),
                sent(Endpoint::Token, "http://127.0.0.1:2/token?x=1", 200),
                sent(Endpoint::Mcp, "http://127.0.0.1:1/mcp", 200),
            ],
            mcp_url: "http://127.0.0.1:1/mcp".into(),
            exit_code: None,
            ended: "stopped".into(),
        };
        assert_eq!(
            ClientQuery::RequestCount(Endpoint::Mcp).evaluate(&o),
            Ok(Value::from(2))
        );
        assert_eq!(
            ClientQuery::ResponseStatuses(Endpoint::Mcp).evaluate(&o),
            Ok(serde_json::json!([401, 200]))
        );
        let nth = |nth| {
            ClientQuery::Request(RequestQuery {
                to: Endpoint::Mcp,
                nth,
                param: None,
                header: None,
                json: None,
            })
        };
        assert_eq!(
            nth(-1).evaluate(&o),
            Ok(Value::String("http://127.0.0.1:1/mcp".into()))
        );
        assert!(nth(3).evaluate(&o).unwrap_err().contains("(2 were)"));
        assert!(ClientQuery::ClientExit
            .evaluate(&o)
            .unwrap_err()
            .contains("did not exit by itself: stopped"));
    }

    #[test]
    fn requests_can_be_narrowed_to_one_method() {
        let mut post = sent(Endpoint::Mcp, "http://127.0.0.1:1/mcp?post", 200);
        post.method = "POST".into();
        let o = Observation {
            exchanges: vec![post, sent(Endpoint::Mcp, "http://127.0.0.1:1/mcp?get", 405)],
            mcp_url: "http://127.0.0.1:1/mcp".into(),
            exit_code: Some(0),
            ended: "exited".into(),
        };
        let urls = |method: Option<&str>| {
            ClientQuery::Requests(RequestsQuery {
                to: Endpoint::Mcp,
                after_first_token: false,
                method: method.map(str::to_string),
                param: None,
                header: None,
                json: None,
            })
            .evaluate(&o)
        };
        assert_eq!(
            urls(Some("get")),
            Ok(serde_json::json!(["http://127.0.0.1:1/mcp?get"]))
        );
        assert_eq!(urls(None).unwrap().as_array().map(Vec::len), Some(2));
    }
}
