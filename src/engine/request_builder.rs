//! Turning a step's `send` into concrete HTTP requests for one revision.

use crate::logic::case_model::Request;
use crate::logic::mcp_messages;
use crate::logic::template::{render_json, TemplateError, Vars};
use crate::transport::HttpRequest;
use crate::vocab::{HeaderPair, Revision};

/// The requests of one step: one URL, or the `first_of` candidates in order.
pub struct Built {
    pub requests: Vec<HttpRequest>,
}

/// Builds the requests. `Err` means a value taken from the target could not be used
/// (e.g. a captured URL that is not a URL); the caller judges that as the target's fault.
pub fn build(req: &Request, vars: &Vars, revision: Revision) -> Result<Built, TemplateError> {
    let urls: Vec<String> = match (&req.url, &req.first_of) {
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
                    Err(e) => return Err(e),
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
    for (name, value) in &req.headers {
        let value = value.render(vars)?;
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
