//! Turning a step's `send` into concrete HTTP requests for one revision.

use super::mcp_conversation::{is_initialize, SESSION_HEADER};
use crate::actors::tokens::{TokenError, TokenSupply};
use crate::logic::mcp_messages;
use crate::logic::step_request::{Body, Credential, StepRequest, To};
use crate::logic::template::{render_json, Template, TemplateError, Vars};
use crate::logic::token_recipe::Placement;
use crate::transport::HttpRequest;
use crate::vocab::{ClientAuthMethod, HeaderPair, Revision};

/// The requests of one step: one URL, or the `first_of` candidates in order.
pub struct Built {
    pub requests: Vec<HttpRequest>,
    /// An authorization request, to be sent through the consent strategy.
    pub authorization: bool,
    /// The access token the requests carry (`token:`), whatever its placement.
    pub token: Option<String>,
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
    req: &StepRequest,
    vars: &Vars,
    revision: Revision,
    tokens: &TokenSupply,
    session: Option<&str>,
) -> Result<Built, BuildError> {
    let mut urls: Vec<String> = match &req.to {
        To::Url(url) | To::Authorize { url, .. } => vec![url.render(vars)?],
        To::FirstOf(candidates) => {
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
    };
    let mut headers: Vec<HeaderPair> = Vec::new();
    let mut body: Option<Vec<u8>> = None;
    match &req.body {
        Some(Body::Mcp(message)) => {
            let message = *message;
            let name = match message.fixture_variable() {
                Some(var) => vars
                    .get(var)
                    .cloned()
                    .ok_or_else(|| TemplateError::UndefinedVariable(var.into()))?,
                None => String::new(),
            };
            let m = mcp_messages::build_named(message, revision, &name);
            headers.extend(m.headers.into_iter().map(|(n, v)| HeaderPair::new(n, v)));
            body = Some(m.body.to_string().into_bytes());
            // The session the server assigned at this case's `initialize` goes on every
            // later request (transports, "Session Management"); a new `initialize` opens a
            // new one. A case's own `Mcp-Session-Id` header replaces it.
            if let (Some(id), false) = (session, is_initialize(Some(message), revision)) {
                headers.push(HeaderPair::new(SESSION_HEADER, id));
            }
        }
        Some(Body::ToolCall(call)) => {
            let responses = match &call.input_responses {
                Some(t) => {
                    let text = t.render(vars)?;
                    Some(
                        serde_json::from_str(&text).map_err(|e| TemplateError::NotJson {
                            template: t.raw().to_string(),
                            reason: e.to_string(),
                        })?,
                    )
                }
                None => None,
            };
            let state = call
                .request_state
                .as_ref()
                .map(|t| t.render(vars))
                .transpose()?;
            let m = mcp_messages::tool_call(
                &call.name.render(vars)?,
                responses,
                state.as_deref(),
                revision,
            );
            headers.extend(m.headers.into_iter().map(|(n, v)| HeaderPair::new(n, v)));
            body = Some(m.body.to_string().into_bytes());
            if let Some(id) = session {
                headers.push(HeaderPair::new(SESSION_HEADER, id));
            }
        }
        Some(Body::Json(json)) => {
            headers.push(HeaderPair::new("Content-Type", "application/json"));
            body = Some(render_json(json, vars)?.to_string().into_bytes());
        }
        Some(Body::Text(text)) => body = Some(text.render(vars)?.into_bytes()),
        Some(Body::Form {
            fields,
            authenticate_client,
        }) => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in render_present(fields, vars)? {
                form.append_pair(&name, &value);
            }
            if *authenticate_client {
                client_authentication(vars, &mut form, &mut headers);
            }
            headers.push(HeaderPair::new(
                "Content-Type",
                "application/x-www-form-urlencoded",
            ));
            body = Some(form.finish().into_bytes());
        }
        None => {}
    }
    if let To::Authorize { params, .. } = &req.to {
        let params = render_present(params, vars)?;
        for url in &mut urls {
            if let Ok(mut u) = url::Url::parse(url) {
                u.query_pairs_mut().extend_pairs(params.iter());
                *url = u.to_string();
            }
        }
    }
    if let Some(basic) = &req.basic_auth {
        let (id, secret) = (
            basic.client_id.render(vars)?,
            basic.client_secret.render(vars)?,
        );
        headers.push(basic_authorization(&id, &secret));
    }
    if let Some(Credential::Bearer(token)) = &req.credential {
        headers.push(HeaderPair::new(
            "Authorization",
            format!("Bearer {}", token.render(vars)?),
        ));
    }
    let mut sent_token = None;
    if let Some(Credential::Token(send)) = &req.credential {
        // Valid tokens are issued for the server's resource identifier (discovered from
        // its metadata), which is the endpoint URL unless the server says otherwise.
        let resource = vars
            .get("resource")
            .or_else(|| vars.get("target"))
            .map(String::as_str)
            .unwrap_or_default();
        let token = match tokens.token(send, resource, vars) {
            Ok(t) => t,
            Err(TokenError::Template(e)) => return Err(BuildError::Template(e)),
            Err(e) => return Err(BuildError::Token(e)),
        };
        sent_token = Some(token.clone());
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
    for (name, value) in &req.added_headers {
        headers.push(HeaderPair::new(name.clone(), value.render(vars)?));
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
    Ok(Built {
        requests,
        authorization: req.is_authorization(),
        token: sent_token,
    })
}

/// Renders form fields or query parameters; one naming an unset optional capture is left
/// out.
fn render_present(
    fields: &std::collections::BTreeMap<String, Template>,
    vars: &Vars,
) -> Result<Vec<(String, String)>, TemplateError> {
    let mut out = Vec::new();
    for (name, value) in fields {
        match value.render(vars) {
            Ok(v) => out.push((name.clone(), v)),
            Err(TemplateError::UndefinedVariable(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// RFC 6749 §2.3.1 as the run's client registered: `client_secret_basic` puts the
/// form-urlencoded id and secret in HTTP Basic; `client_secret_post` puts both in the
/// form; `none` (public clients, §2.1) sends only `client_id`.
fn client_authentication(
    vars: &Vars,
    form: &mut url::form_urlencoded::Serializer<'_, String>,
    headers: &mut Vec<HeaderPair>,
) {
    let get = |n: &str| vars.get(n).cloned().unwrap_or_default();
    let (id, secret) = (get("client_id"), get("client_secret"));
    // A method the run learnt from a registration that this builder does not speak (an
    // authorization server may assign any, RFC 7591 §3.2.1) is sent as a public client's.
    match get("client_auth_method").parse::<ClientAuthMethod>() {
        Ok(ClientAuthMethod::ClientSecretBasic) => headers.push(basic_authorization(&id, &secret)),
        Ok(ClientAuthMethod::ClientSecretPost) => {
            form.append_pair("client_id", &id);
            form.append_pair("client_secret", &secret);
        }
        Ok(ClientAuthMethod::None) | Err(_) => {
            form.append_pair("client_id", &id);
        }
    }
}

/// RFC 6749 §2.3.1: the client id and secret, each form-urlencoded, as HTTP Basic.
fn basic_authorization(id: &str, secret: &str) -> HeaderPair {
    use base64::Engine;
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let credentials = format!("{}:{}", encode(id), encode(secret));
    let b64 = base64::engine::general_purpose::STANDARD.encode(credentials);
    HeaderPair::new("Authorization", format!("Basic {b64}"))
}
