//! The authorization endpoint (RFC 6749 §4.1.1, OAuth 2.1 §4.1.1). The request is
//! checked as a real server would: PKCE with S256 (RFC 7636, OAuth 2.1 §4.1.1), scopes,
//! the RFC 8707 resource, and `iss` in every response (RFC 9207 §2). A valid request is
//! approved at once (`Consent::Immediate`) or after the login form (`login.rs`); both
//! issue the code through `issue.rs`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use url::Url;

use super::cimd;
use super::client::RedirectRule;
use super::config::{Consent, MissingPkce};
use super::issue::{issue, redirect};
use super::login::login_page;
use super::metadata::cimd_supported;
use super::params::{is_verifier_syntax, scope_tokens, Params};
use super::registration::oauth_error;
use super::state::{lock, Approval, CodeGrant, IdpState};
use crate::actors::traffic::serves;
use crate::vocab::{Endpoint, IdpDefect as D, IdpKnob};

pub fn routes(state: Arc<IdpState>) -> Router {
    let path = state.endpoint_root_path();
    Router::new()
        .route(
            &format!("{path}/authorize"),
            serves(Endpoint::Authorization, get(authorize)),
        )
        .route(
            &format!("{path}/{ERROR_PAGE_PATH}"),
            serves(Endpoint::ErrorPage, get(error_page)),
        )
        .with_state(state)
}

/// The page the `ErrorResponseWithUri` knob names as `error_uri`, below the endpoint root.
const ERROR_PAGE_PATH: &str = "error-info";

/// "A URI identifying a human-readable web page with information about the error"
/// (RFC 6749 §4.1.2.1): what a user would read. The recorder keeps who asked for it.
async fn error_page() -> Response {
    Html(
        "<!doctype html>\n<html><head><title>Temporarily unavailable</title></head><body>\n\
         <p>The authorization server is temporarily unavailable. Try again later.</p>\n\
         </body></html>\n",
    )
    .into_response()
}

/// An error code of RFC 6749 §4.1.2.1 (or RFC 8707 §2) and why.
type Refusal = (&'static str, String);

/// Why a request's redirect URI cannot be trusted with the answer.
struct Unverified {
    why: String,
    /// Where the `OpenRedirector` defect sends the error anyway.
    open_redirect: Option<Url>,
}

async fn authorize(State(s): State<Arc<IdpState>>, RawQuery(query): RawQuery) -> Response {
    let p = Params::parse(query.as_deref().unwrap_or_default().as_bytes());
    // A URL client_id names a client ID metadata document, read on every request (the
    // draft lets a server cache it; reading it again keeps a run's answer fresh).
    if let Err(why) = resolve_document_client(&s, &p).await {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", &why);
    }
    // RFC 6749 §4.1.2.1: without a known client and a registered redirect URI the error
    // goes to the user agent, never to an unverified redirect URI (open redirector,
    // RFC 9700 §4.11).
    let (client_id, redirect_uri, target) = match redirect_target(&s, &p) {
        Ok(found) => found,
        Err(Unverified {
            why,
            open_redirect: Some(target),
        }) => {
            let answer = error_answer(("invalid_request", why));
            return redirect(&s, target, &answer, p.get("state"));
        }
        Err(Unverified { why, .. }) => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &why)
        }
    };
    let state = p.get("state").map(str::to_string);
    let grant = match validate(&s, &p, client_id, redirect_uri) {
        Ok(grant) => grant,
        Err(refusal) => return redirect(&s, target, &error_answer(refusal), state.as_deref()),
    };
    if s.has_knob(IdpKnob::ErrorResponseWithUri) {
        // RFC 6749 §4.1.2.1: a server that cannot handle a valid request says so to the
        // client's redirect URI, here with a page about it.
        let mut answer = error_answer((
            "temporarily_unavailable",
            "the authorization server cannot handle the request now".into(),
        ));
        answer.push(("error_uri", s.endpoint(ERROR_PAGE_PATH)));
        return redirect(&s, target, &answer, state.as_deref());
    }
    let approval = Approval {
        grant,
        target,
        state,
    };
    match s.config.consent {
        Consent::Immediate => issue(&s, approval),
        Consent::LoginForm => login_page(&s, approval),
    }
}

/// The parameters of an error response (RFC 6749 §4.1.2.1).
fn error_answer((error, description): Refusal) -> Vec<(&'static str, String)> {
    vec![
        ("error", error.to_string()),
        ("error_description", description),
    ]
}

/// Registers the client of a client ID metadata document, when the request names one
/// this server does not know and it takes such documents (`cimd.rs`).
async fn resolve_document_client(s: &IdpState, p: &Params) -> Result<(), String> {
    let Some(client_id) = p.get("client_id").filter(|_| !p.is_repeated("client_id")) else {
        return Ok(());
    };
    let Some(url) = cimd::document_url(client_id) else {
        return Ok(());
    };
    let preregistered = s
        .config
        .preregistered
        .iter()
        .any(|c| c.client_id == client_id);
    if preregistered || !cimd_supported(s) {
        return Ok(());
    }
    let client = cimd::resolve(s, &url).await?;
    lock(&s.clients).insert(client.client_id.clone(), client);
    Ok(())
}

/// The client, the redirect URI as the request gave it, and that URI parsed.
fn redirect_target(s: &IdpState, p: &Params) -> Result<(String, String, Url), Unverified> {
    let direct = |why: String| Unverified {
        why,
        open_redirect: None,
    };
    for name in ["client_id", "redirect_uri"] {
        if p.is_repeated(name) {
            return Err(direct(format!(
                "{name} is given more than once (RFC 6749 §3.1)"
            )));
        }
    }
    let client_id = p
        .get("client_id")
        .ok_or_else(|| direct("client_id is missing".into()))?;
    let Some(client) = lock(&s.clients).get(client_id).cloned() else {
        let why = format!("client_id {client_id:?} is not registered");
        // The defect: the error goes to a redirect URI no client registered.
        let target = p.get("redirect_uri").and_then(|u| Url::parse(u).ok());
        return Err(Unverified {
            why,
            open_redirect: target.filter(|_| s.has(D::RedirectsUnknownClient)),
        });
    };
    // OAuth 2.1 §4.1.1: redirect_uri may be left out when the client registered one.
    let uri = match (p.get("redirect_uri"), client.redirect_uris.as_slice()) {
        (Some(uri), _) => uri,
        (None, [only]) => only.as_str(),
        (None, _) => return Err(direct("redirect_uri is missing".into())),
    };
    let parsed = Url::parse(uri);
    let registered = match client.redirect_rule {
        // OAuth 2.1 §2.3.2 (RFC 9700 §4.1.3): exact string comparison, no prefix or
        // pattern.
        RedirectRule::Registered => client.redirect_uris.iter().any(|r| {
            r == uri
                || (!s.has(D::LoopbackPortExact) && same_except_loopback_port(r, uri))
                || (s.has(D::PrefixRedirectUri) && uri.starts_with(r.as_str()))
                || lenient_match(s, r, uri)
        }),
        RedirectRule::AnyLoopback => parsed.as_ref().is_ok_and(is_loopback_http),
        RedirectRule::Unverified => parsed.as_ref().is_ok_and(|u| u.fragment().is_none()),
    };
    if !registered {
        let why = match client.redirect_rule {
            RedirectRule::Registered if cimd::document_url(&client.client_id).is_some() => {
                format!(
                    "redirect_uri {uri:?} is not among the redirect_uris of the client ID \
                     metadata document at {} (draft-ietf-oauth-client-id-metadata-document: \
                     the server must validate it against them)",
                    client.client_id
                )
            }
            RedirectRule::Registered => format!(
                "redirect_uri {uri:?} is not one the client registered (OAuth 2.1 §2.3.2: \
                 exact match)"
            ),
            RedirectRule::AnyLoopback => format!(
                "redirect_uri {uri:?} is not an http loopback URI (127.0.0.1, [::1] or \
                 localhost), which is what this pre-registered client may use (RFC 8252 §7.3)"
            ),
            RedirectRule::Unverified => {
                format!("redirect_uri {uri:?} is not an absolute URI without fragment")
            }
        };
        return Err(Unverified {
            why,
            open_redirect: parsed.ok().filter(|_| s.has(D::OpenRedirector)),
        });
    }
    let url = parsed.map_err(|e| direct(format!("redirect_uri {uri:?} is not a URL: {e}")))?;
    Ok((client.client_id, uri.to_string(), url))
}

/// Checks the rest of the request; the grant a code would carry.
fn validate(
    s: &IdpState,
    p: &Params,
    client_id: String,
    redirect_uri: String,
) -> Result<CodeGrant, Refusal> {
    if let Some(refusal) = p.repeat_error() {
        return Err(refusal);
    }
    match p.get("response_type") {
        Some("code") => {}
        None => return Err(("invalid_request", "response_type is missing".into())),
        Some(other) => {
            return Err((
                "unsupported_response_type",
                format!("response_type {other:?} is not supported; only code (OAuth 2.1 §4.1.1)"),
            ))
        }
    }
    let (code_challenge, code_challenge_method) = pkce(s, p)?;
    let scope = scope(s, p)?;
    let resource = resource(s, p)?;
    Ok(CodeGrant {
        client_id,
        redirect_uri_given: p.get("redirect_uri").is_some(),
        redirect_uri,
        code_challenge,
        code_challenge_method,
        resource,
        scope,
        redeemed: false,
        issued_at: 0,
    })
}

/// The code challenge and its method.
fn pkce(s: &IdpState, p: &Params) -> Result<(Option<String>, Option<String>), Refusal> {
    let Some(challenge) = p.get("code_challenge") else {
        // A code without a challenge is issued only where the token endpoint will never
        // redeem it (OAuth 2.1 §4.1.3), or through a defect.
        if s.has(D::AcceptsMissingPkce)
            || s.has(D::AcceptsPkceDowngrade)
            || s.config.missing_pkce == MissingPkce::CodeNeverRedeemable
        {
            return Ok((None, None));
        }
        return Err((
            "invalid_request",
            "code_challenge is required (OAuth 2.1 §4.1.1, RFC 7636 §4.4.1)".into(),
        ));
    };
    // RFC 7636 §4.3: an absent method means plain.
    let method = p.get("code_challenge_method").unwrap_or("plain");
    let well_formed = match method {
        "S256" if s.has(D::RefusesS256) => {
            return Err((
                "invalid_request",
                "code_challenge_method S256 is not supported".into(),
            ))
        }
        // BASE64URL of a SHA-256 digest: 43 characters without padding (RFC 7636 §4.2).
        "S256" => {
            challenge.len() == 43
                && challenge
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
        "plain" if s.has(D::AcceptsPlainPkce) => is_verifier_syntax(challenge),
        "plain" => {
            return Err((
                "invalid_request",
                "code_challenge_method must be S256; plain, or no method (RFC 7636 §4.3), \
                 is refused (OAuth 2.1 §4.1.1, MCP authorization)"
                    .into(),
            ))
        }
        other => {
            return Err((
                "invalid_request",
                format!("code_challenge_method {other:?} is not supported; only S256"),
            ))
        }
    };
    if !well_formed {
        return Err((
            "invalid_request",
            format!("code_challenge is malformed for the {method} method (RFC 7636 §4.2)"),
        ));
    }
    Ok((Some(challenge.to_string()), Some(method.to_string())))
}

/// The granted scope: the requested scopes if the IdP knows them all, else every scope
/// it supports (RFC 6749 §3.3 lets the server apply a default).
pub(super) fn scope(s: &IdpState, p: &Params) -> Result<String, Refusal> {
    let Some(requested) = p.get("scope") else {
        return Ok(s.config.scopes_supported.join(" "));
    };
    let tokens = scope_tokens(requested);
    let unknown: Vec<&str> = tokens
        .iter()
        .copied()
        .filter(|t| !s.config.scopes_supported.iter().any(|known| known == t))
        .collect();
    if !unknown.is_empty() {
        return Err((
            "invalid_scope",
            format!("unknown scope {unknown:?} (RFC 6749 §3.3)"),
        ));
    }
    Ok(tokens.join(" "))
}

/// The RFC 8707 resource: an absolute URI without fragment (§2) that this server
/// serves; any other is refused with invalid_target (§2.1).
pub(super) fn resource(s: &IdpState, p: &Params) -> Result<Option<String>, Refusal> {
    let Some(resource) = p.get("resource") else {
        return Ok(None);
    };
    if s.has(D::ResourceCaseSensitive) && has_upper_origin(resource) {
        return Err((
            "invalid_target",
            format!("resource {resource:?} is not in canonical (lower-case) form"),
        ));
    }
    let unserved = if s.has(D::AuthorizationInvalidTargetWrongError) {
        "invalid_request"
    } else {
        "invalid_target"
    };
    match Url::parse(resource) {
        Ok(url) if url.fragment().is_some() => Err((
            "invalid_target",
            format!("resource {resource:?} has a fragment (RFC 8707 §2)"),
        )),
        Ok(url) if !s.serves_resource(&url) => Err((
            unserved,
            format!(
                "resource {resource:?} is not one this server issues tokens for (RFC 8707 §2.1)"
            ),
        )),
        Ok(_) => Ok(Some(resource.to_string())),
        Err(e) => Err((
            "invalid_target",
            format!("resource {resource:?} is not an absolute URI: {e} (RFC 8707 §2)"),
        )),
    }
}

/// Whether the scheme or host of a URL is written with an upper-case letter (the
/// `ResourceCaseSensitive` defect refuses such a resource).
fn has_upper_origin(uri: &str) -> bool {
    let after_scheme = uri.split_once("://").map(|(scheme, rest)| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        (scheme, host)
    });
    after_scheme.is_some_and(|(scheme, host)| {
        scheme
            .bytes()
            .chain(host.bytes())
            .any(|b| b.is_ascii_uppercase())
    })
}

/// RFC 8252 §7.3 (and OAuth 2.1 §2.3.1): for a loopback IP redirect URI the port is
/// chosen at run time, so it is the only part allowed to differ from the registration.
fn same_except_loopback_port(registered: &str, given: &str) -> bool {
    let (Ok(mut r), Ok(mut g)) = (Url::parse(registered), Url::parse(given)) else {
        return false;
    };
    let loopback =
        |u: &Url| u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1") | Some("[::1]"));
    if !loopback(&r) || !loopback(&g) {
        return false;
    }
    let _ = r.set_port(None);
    let _ = g.set_port(None);
    r == g
}

/// The redirect URI comparisons of the defects that loosen OAuth 2.1 §2.3.2's exact
/// string comparison, one way each.
fn lenient_match(s: &IdpState, registered: &str, given: &str) -> bool {
    let without_query = |u: &str| u.split(['?', '#']).next().unwrap_or_default().to_string();
    let parsed = |u: &str| Url::parse(u).ok();
    (s.has(D::RedirectUriTrailingSlashLenient)
        && registered.trim_end_matches('/') == given.trim_end_matches('/'))
        || (s.has(D::RedirectUriCaseInsensitive) && registered.eq_ignore_ascii_case(given))
        || (s.has(D::RedirectUriQueryIgnored) && without_query(registered) == without_query(given))
        || (s.has(D::RedirectUriPathOnly)
            && parsed(registered)
                .zip(parsed(given))
                .is_some_and(|(r, g)| r.path() == g.path()))
        || (s.has(D::RedirectUriLocalhostAlias)
            && parsed(given).is_some_and(|mut g| {
                let aliased =
                    g.host_str() == Some("localhost") && g.set_host(Some("127.0.0.1")).is_ok();
                aliased
                    && (g.as_str() == registered
                        || same_except_loopback_port(registered, g.as_str()))
            }))
}

/// An http URI on a loopback host: 127.0.0.1 (any 127/8 address), [::1] or localhost
/// (RFC 8252 §7.3, §8.3), any port and path.
fn is_loopback_http(u: &Url) -> bool {
    u.scheme() == "http"
        && u.fragment().is_none()
        && match u.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
}
