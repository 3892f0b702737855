//! Turning a step's `send` into concrete HTTP requests for one revision.

use super::token_supply::{TokenError, TokenSupply};
use crate::logic::case_model::Request;
use crate::logic::mcp_messages;
use crate::logic::template::{render_json, TemplateError, Vars};
use crate::logic::token_recipe::Placement;
use crate::transport::HttpRequest;
use crate::vocab::{HeaderPair, Revision};

/// The requests of one step: one URL, or the `first_of` candidates in order.
pub struct Built {
    pub requests: Vec<HttpRequest>,
}

/// Why a step's request could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A value taken from the target could not be used (e.g. a captured URL that is not
    /// a URL): the target's fault.
    #[error("{0}")]
    Template(#[from] TemplateError),
    /// The harness could not make the token: its own fault.
    #[error("cannot make the access token: {0}")]
    Token(TokenError),
}

/// Builds the requests of a step for one revision.
pub fn build(
    req: &Request,
    vars: &Vars,
    revision: Revision,
    tokens: &TokenSupply,
) -> Result<Built, BuildError> {
    let mut urls: Vec<String> = match (&req.url, &req.first_of) {
        (Some(url), _) => vec![url.render(vars)?],
        (None, Some(candidates)) => {
            let mut urls: Vec<String> = Vec::new();
            for c in candidates {
                match c.render(vars) {
                    Ok(u) => {
                        // Derivations can coincide (a root issuer's RFC 8414 and OIDC
                        // probe URLs); asking twice would add nothing.
                        if !urls.contains(&u) {
                            urls.push(u);
                        }
                    }
                    // An optional capture that found nothing: skip the candidate.
                    Err(TemplateError::UndefinedVariable(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            urls
        }
        (None, None) => Vec::new(),
    };
    let mut headers: Vec<HeaderPair> = Vec::new();
    let mut body: Option<Vec<u8>> = None;
    if let Some(message) = req.mcp {
        let m = mcp_messages::build(message, revision);
        headers.extend(m.headers.into_iter().map(|(n, v)| HeaderPair::new(n, v)));
        body = Some(m.body.to_string().into_bytes());
    }
    if let Some(json) = &req.json {
        headers.push(HeaderPair::new("Content-Type", "application/json"));
        body = Some(render_json(json, vars)?.to_string().into_bytes());
    }
    if let Some(text) = &req.body {
        body = Some(text.render(vars)?.into_bytes());
    }
    if let Some(token) = &req.bearer {
        headers.push(HeaderPair::new(
            "Authorization",
            format!("Bearer {}", token.render(vars)?),
        ));
    }
    if let Some(send) = &req.token {
        let resource = vars.get("target").map(String::as_str).unwrap_or_default();
        let token = match tokens.token(send, resource, vars) {
            Ok(t) => t,
            Err(TokenError::Template(e)) => return Err(BuildError::Template(e)),
            Err(e) => return Err(BuildError::Token(e)),
        };
        match send.place {
            Placement::Header => {
                headers.push(HeaderPair::new("Authorization", format!("Bearer {token}")))
            }
            Placement::HeaderWithoutScheme => headers.push(HeaderPair::new("Authorization", token)),
            // RFC 6750 §2.3: the `access_token` query parameter.
            Placement::Query => {
                for url in &mut urls {
                    if let Ok(mut u) = url::Url::parse(url) {
                        u.query_pairs_mut().append_pair("access_token", &token);
                        *url = u.to_string();
                    }
                }
            }
        }
    }
    for (name, value) in &req.headers {
        let value = match value.render(vars) {
            Ok(v) => v,
            // An optional capture that found nothing: the header is left out.
            Err(TemplateError::UndefinedVariable(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        // A case's own header replaces a default of the same name.
        headers.retain(|h| !h.name.eq_ignore_ascii_case(name));
        headers.push(HeaderPair::new(name.clone(), value));
    }
    let method = req.effective_method().to_string();
    let requests = urls
        .into_iter()
        .map(|url| HttpRequest {
            method: method.clone(),
            url,
            headers: headers.clone(),
            body: body.clone(),
        })
        .collect();
    Ok(Built { requests })
}
