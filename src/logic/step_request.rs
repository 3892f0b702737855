//! What a step sends, typed: where to ([`To`]), with which body ([`Body`]) and which
//! credential ([`Credential`]). The case file writes these as optional keys of one
//! mapping ([`WrittenRequest`]); the conversion here refuses the combinations that mean
//! nothing (two targets, two bodies, two credentials), so that the request builder
//! matches on variants and never meets them.

use std::collections::BTreeMap;

use super::case_model::{BasicAuth, CookieUse, McpMessage, ToolCall, WrittenRequest};
use super::template::Template;
use super::token_recipe::TokenSend;

/// A step's request.
#[derive(Debug, Clone)]
pub struct StepRequest {
    /// As the case gives it; see [`StepRequest::effective_method`].
    pub method: Option<String>,
    pub to: To,
    pub headers: BTreeMap<String, Template>,
    /// Sent after every other header, never replacing one (a repeated field line).
    pub added_headers: BTreeMap<String, Template>,
    /// HTTP Basic client authentication with the case's own values.
    pub basic_auth: Option<BasicAuth>,
    pub body: Option<Body>,
    pub credential: Option<Credential>,
    /// The case's cookie jar, sent as it is or edited; `None`: no cookie.
    pub cookies: Option<CookieUse>,
}

/// Where a request goes.
#[derive(Debug, Clone)]
pub enum To {
    Url(Template),
    /// Discovery probing: these URLs in order, keeping the first 2xx answer (or the last
    /// answer when none is 2xx).
    FirstOf(Vec<Template>),
    /// An authorization request (RFC 6749 §4.1.1): `params` as query parameters on `url`,
    /// sent through the run's consent strategy.
    Authorize {
        url: Template,
        params: BTreeMap<String, Template>,
    },
}

/// What a request carries as its body.
#[derive(Debug, Clone)]
pub enum Body {
    /// An MCP JSON-RPC request with the headers the revision requires.
    Mcp(McpMessage),
    /// A `tools/call` (or its retry) shaped for the revision.
    ToolCall(Box<ToolCall>),
    /// A JSON body; string values are templates.
    Json(serde_json::Value),
    /// A raw text body.
    Text(Template),
    /// A form body (`application/x-www-form-urlencoded`), authenticated as the run's
    /// client when `authenticate_client` (RFC 6749 §2.3.1).
    Form {
        fields: BTreeMap<String, Template>,
        authenticate_client: bool,
    },
}

/// How a request authenticates as the resource owner's client.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Authorization: Bearer <string>`: a literal or captured string.
    Bearer(Template),
    /// An access token the harness provides (the run's valid one, or one it mints).
    Token(TokenSend),
}

/// One reason a written request means nothing, in the words of the diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeProblem {
    pub message: &'static str,
    pub hint: Option<&'static str>,
}

impl StepRequest {
    /// The method sent: the case's, else POST when there is a body, else GET.
    pub fn effective_method(&self) -> &str {
        match (&self.method, &self.body) {
            (Some(m), _) => m,
            (None, Some(_)) => "POST",
            (None, None) => "GET",
        }
    }

    /// The MCP request of the step, when it sends one.
    pub fn mcp(&self) -> Option<McpMessage> {
        match self.body {
            Some(Body::Mcp(m)) => Some(m),
            _ => None,
        }
    }

    pub fn token(&self) -> Option<&TokenSend> {
        match &self.credential {
            Some(Credential::Token(t)) => Some(t),
            _ => None,
        }
    }

    pub fn is_authorization(&self) -> bool {
        matches!(self.to, To::Authorize { .. })
    }
}

const AUTHORIZATION_ENDPOINT: &str = "{authorization_endpoint}";

impl TryFrom<WrittenRequest> for StepRequest {
    type Error = Vec<ShapeProblem>;

    /// Every problem of the request at once, in the order a reader meets the keys.
    fn try_from(w: WrittenRequest) -> Result<Self, Self::Error> {
        let mut problems = Vec::new();
        let mut problem = |message, hint| problems.push(ShapeProblem { message, hint });
        let to = match (w.url, w.first_of, w.authorize) {
            (Some(_), Some(urls), _) => {
                problem("give either `url` or `first_of`, not both", None);
                if urls.is_empty() {
                    problem("`first_of` is empty", None);
                }
                None
            }
            (None, None, None) => {
                problem(
                    "the request needs `url` or `first_of`",
                    Some("add `url: \"{target}\"` or a `first_of` list of URLs"),
                );
                None
            }
            (None, Some(urls), authorize) => {
                if urls.is_empty() {
                    problem("`first_of` is empty", None);
                }
                if authorize.is_some() {
                    problem(
                        "an `authorize` request goes to one `url`, not to `first_of` candidates",
                        Some("its `url` defaults to `{authorization_endpoint}`"),
                    );
                }
                Some(To::FirstOf(urls))
            }
            (url, None, Some(params)) => Some(To::Authorize {
                url: url.unwrap_or_else(|| Template::new(AUTHORIZATION_ENDPOINT)),
                params,
            }),
            (Some(url), None, None) => Some(To::Url(url)),
        };
        // `authorize` is counted with the bodies: its parameters go in the URL, so a body
        // beside it would be a second request description.
        let authorize = matches!(to, Some(To::Authorize { .. }));
        let mut bodies: Vec<Body> = Vec::new();
        bodies.extend(w.mcp.map(Body::Mcp));
        bodies.extend(w.call_tool.map(|c| Body::ToolCall(Box::new(c))));
        bodies.extend(w.json.map(Body::Json));
        bodies.extend(w.body.map(Body::Text));
        let has_form = w.form.is_some();
        bodies.extend(w.form.map(|fields| Body::Form {
            fields,
            authenticate_client: w.authenticate_client,
        }));
        if bodies.len() + usize::from(authorize) > 1 {
            problem(
                "give at most one of `mcp`, `json`, `body`, `form` and `authorize`",
                None,
            );
        }
        if w.authenticate_client && !has_form {
            problem(
                "`authenticate_client` needs a `form` body",
                Some("client authentication goes with a token request's form"),
            );
        }
        let credential = match (w.bearer, w.token) {
            (Some(_), Some(_)) => {
                problem(
                    "give either `bearer` or `token`, not both",
                    Some("`bearer` sends a literal string; `token` a token the harness mints"),
                );
                None
            }
            (Some(b), None) => Some(Credential::Bearer(b)),
            (None, Some(t)) => Some(Credential::Token(t)),
            (None, None) => None,
        };
        match to {
            Some(to) if problems.is_empty() => Ok(StepRequest {
                method: w.method,
                to,
                headers: w.headers,
                added_headers: w.added_headers,
                basic_auth: w.basic_auth,
                body: bodies.pop(),
                credential,
                cookies: w.cookies,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(yaml: &str) -> Result<StepRequest, Vec<&'static str>> {
        let written: WrittenRequest = serde_saphyr::from_str(yaml).expect("well-formed");
        StepRequest::try_from(written).map_err(|p| p.iter().map(|p| p.message).collect())
    }

    #[test]
    fn exclusive_keys_become_variants() {
        let r = typed("{url: \"{target}\", mcp: initialize, token: {}}").unwrap();
        assert!(matches!(r.to, To::Url(_)));
        assert_eq!(r.mcp(), Some(McpMessage::Initialize));
        assert!(r.token().is_some());
        assert_eq!(r.effective_method(), "POST");
        let a = typed("{authorize: {response_type: code}}").unwrap();
        assert!(matches!(&a.to, To::Authorize { url, .. } if url.raw() == AUTHORIZATION_ENDPOINT));
        assert_eq!(a.effective_method(), "GET");
        let f = typed("{url: x, form: {a: b}, authenticate_client: true}").unwrap();
        assert!(matches!(
            f.body,
            Some(Body::Form {
                authenticate_client: true,
                ..
            })
        ));
    }

    #[test]
    fn meaningless_combinations_are_every_one_refused() {
        assert_eq!(
            typed("{url: a, first_of: [b], json: {}, body: x, bearer: t, token: {}}").unwrap_err(),
            vec![
                "give either `url` or `first_of`, not both",
                "give at most one of `mcp`, `json`, `body`, `form` and `authorize`",
                "give either `bearer` or `token`, not both",
            ]
        );
        assert_eq!(
            typed("{authenticate_client: true}").unwrap_err(),
            vec![
                "the request needs `url` or `first_of`",
                "`authenticate_client` needs a `form` body"
            ]
        );
        assert_eq!(
            typed("{first_of: [], authorize: {}}").unwrap_err(),
            vec![
                "`first_of` is empty",
                "an `authorize` request goes to one `url`, not to `first_of` candidates"
            ]
        );
        assert!(typed("{authorize: {}, form: {}}").is_err());
    }
}
