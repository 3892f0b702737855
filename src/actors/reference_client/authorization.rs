//! One authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636, and the RFC 8707
//! resource) and the checks of its response: `state` (RFC 6749 §10.12), `iss` (RFC
//! 9207 §2.4) and errors (RFC 6749 §4.1.2.1).

use url::Url;

use super::as_metadata::AsMetadata;
use super::callback::Redirect;
use super::identity::ClientIdentity;
use super::pkce::{new_state, random_text, Pkce};
use super::user_agent::obtain_response;
use super::wire::Ctx;
use crate::vocab::ClientDefect as D;

/// What the token request needs of a successful authorization.
pub(super) struct AuthorizationCode {
    pub code: String,
    /// The verifier to send: the request's own, or another one (`WrongCodeVerifier`).
    pub code_verifier: String,
}

/// Sends one authorization request with fresh PKCE and state, and returns its code.
pub(super) async fn authorize(
    ctx: &Ctx,
    redirect: &mut Redirect,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    scope: Option<&str>,
) -> Result<AuthorizationCode, String> {
    let later = ctx.count_authorization() > 0;
    let pkce = if ctx.has(D::ReusesPkcePair) {
        // The defect: one pair for the run, derived from what stays the same in it.
        Pkce::fixed(&redirect.uri)
    } else {
        Pkce::new(ctx.has(D::PlainPkce))?
    };
    let state = if ctx.has(D::NoState) {
        None
    } else {
        Some(new_state()?)
    };
    let url = request_url(
        ctx,
        metadata,
        client,
        &redirect.uri,
        &pkce,
        state.as_deref(),
        scope,
        later,
    )?;
    let response = obtain_response(ctx, redirect, &url).await?;
    if ctx.has(D::FollowsErrorUriDespiteIss) {
        show_error_page(ctx, &response).await;
    }
    let code = check_response(ctx, metadata, state.as_deref(), &response)?;
    let code_verifier = if ctx.has(D::WrongCodeVerifier) {
        // Well-formed (RFC 7636 §4.1) but not the one behind the challenge.
        random_text(48)?
    } else {
        pkce.verifier
    };
    Ok(AuthorizationCode {
        code,
        code_verifier,
    })
}

/// The authorization endpoint with the request's parameters added to any query it has
/// (RFC 6749 §3.1). `later`: an authorization after the run's first (step-up or
/// re-authorization), which some defects treat differently.
#[allow(clippy::too_many_arguments)]
fn request_url(
    ctx: &Ctx,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    redirect_uri: &str,
    pkce: &Pkce,
    state: Option<&str>,
    scope: Option<&str>,
    later: bool,
) -> Result<Url, String> {
    let mut url = Url::parse(&metadata.authorization_endpoint).map_err(|e| {
        format!(
            "the authorization endpoint {:?} is not a URL: {e}",
            metadata.authorization_endpoint
        )
    })?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code");
        if !ctx.has(D::NoClientIdInAuthorization) {
            q.append_pair("client_id", &client.client_id);
        }
        if ctx.has(D::UnregisteredRedirectUri) {
            // The defect: another path on the same listener, never registered.
            q.append_pair("redirect_uri", &format!("{redirect_uri}/other"));
        } else {
            q.append_pair("redirect_uri", redirect_uri);
        }
        if !(later && ctx.has(D::NoPkceOnReauthorization)) {
            q.append_pair("code_challenge", &pkce.challenge);
            q.append_pair("code_challenge_method", pkce.method);
        }
        if ctx.has(D::VerifierInAuthorization) {
            // The defect: RFC 7636 §4.1 keeps the verifier for the back channel.
            q.append_pair("code_verifier", &pkce.verifier);
        }
        if let Some(state) = state {
            q.append_pair("state", state);
        }
        // MCP "Resource Parameter Implementation" (2025-06-18+): the token is for this
        // MCP server and no other (RFC 8707 §2).
        if ctx.sends_resource()
            && !ctx.has(D::NoResourceInAuthorization)
            && !(later && ctx.has(D::NoResourceOnReauthorization))
        {
            q.append_pair("resource", &ctx.resource());
        }
        if let Some(scope) = scope {
            // MCP 2026-07-28 "Refresh Tokens": clients MAY add offline_access when the
            // authorization server's metadata lists it (the defect adds it regardless).
            let offline = (metadata.offline_access && !ctx.has(D::NoOfflineAccess))
                || ctx.has(D::OfflineAccessUnlisted);
            let listed = scope.split_whitespace().any(|s| s == "offline_access");
            if offline && !listed {
                q.append_pair("scope", &format!("{scope} offline_access"));
            } else {
                q.append_pair("scope", scope);
            }
        }
    }
    Ok(url)
}

/// The first value of a response parameter.
fn param<'a>(response: &'a [(String, String)], name: &str) -> Option<&'a str> {
    response
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The `FollowsErrorUriDespiteIss` defect: the error page of an error response fetched
/// before the response is checked (the answer does not matter).
async fn show_error_page(ctx: &Ctx, response: &[(String, String)]) {
    if let (Some(_), Some(page)) = (param(response, "error"), param(response, "error_uri")) {
        let _ = ctx.get(page, Vec::new()).await;
    }
}

/// The code of a response that passes the checks. `state` and `iss` are checked first,
/// for error responses too: MCP 2026-07-28 "Authorization Response Validation" ("This
/// validation applies equally to error responses - on mismatch the client MUST NOT act
/// on or display error, error_description, or error_uri"), and a forged response's
/// error is as untrustworthy as its code.
fn check_response(
    ctx: &Ctx,
    metadata: &AsMetadata,
    sent_state: Option<&str>,
    response: &[(String, String)],
) -> Result<String, String> {
    // RFC 6749 §10.12: a response whose state is not the one sent may be a forged
    // (CSRF) response carrying an attacker's code.
    if let Some(sent) = sent_state {
        let got = param(response, "state");
        let waived =
            ctx.has(D::SkipsStateCheck) || (got.is_none() && ctx.has(D::AcceptsMissingState));
        if got != Some(sent) && !waived {
            return Err(format!(
                "the authorization response's state {got:?} is not the one sent (RFC 6749 §10.12)"
            ));
        }
    }
    if ctx.revision().features().authorization_response_iss {
        check_iss(ctx, metadata, param(response, "iss"))?;
    }
    if let Some(error) = param(response, "error") {
        let description = param(response, "error_description").unwrap_or_default();
        return Err(format!(
            "the authorization server refused the request: {error} {description}"
        ));
    }
    param(response, "code")
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .ok_or_else(|| "the authorization response has no code (RFC 6749 §4.1.2)".to_string())
}

/// RFC 9207 §2.4 (MCP 2026-07-28): `iss` identifies who answered, against mix-up
/// attacks. Present: it must equal the metadata's issuer by simple string comparison
/// (RFC 3986 §6.2.1, no normalization). Absent: refused when the metadata promises it.
fn check_iss(ctx: &Ctx, metadata: &AsMetadata, iss: Option<&str>) -> Result<(), String> {
    let expected = metadata
        .document_issuer
        .as_deref()
        .unwrap_or(&metadata.issuer);
    match iss {
        Some(_) if ctx.has(D::SkipsIssCheck) => Ok(()),
        Some(_) if ctx.has(D::IgnoresUnadvertisedIss) && !metadata.iss_parameter_supported => {
            Ok(())
        }
        Some(iss) if ctx.has(D::RefusesMatchingIss) && iss == format!("{expected}/") => Ok(()),
        Some(iss) if ctx.has(D::RefusesMatchingIss) => Err(wrong_iss(iss, &format!("{expected}/"))),
        Some(iss) if ctx.has(D::IssCaseInsensitive) && iss.eq_ignore_ascii_case(expected) => Ok(()),
        Some(iss) if ctx.has(D::IssPercentDecoded) && percent_decoded(iss) == expected => Ok(()),
        Some(iss) if ctx.has(D::NormalizesIss) => {
            let trim = |s: &'_ str| s.strip_suffix('/').unwrap_or(s).to_string();
            if trim(iss) == trim(expected) {
                Ok(())
            } else {
                Err(wrong_iss(iss, expected))
            }
        }
        Some(iss) if iss == expected => Ok(()),
        Some(iss) => Err(wrong_iss(iss, expected)),
        None if metadata.iss_parameter_supported && !ctx.has(D::AcceptsMissingIss) => Err(
            "the authorization response has no iss although the metadata sets \
             authorization_response_iss_parameter_supported (RFC 9207 §2.4)"
                .into(),
        ),
        None if ctx.has(D::RequiresIss) => Err(
            "the authorization response has no iss (the requires-iss defect: refused \
             although the metadata does not advertise it)"
                .into(),
        ),
        None => Ok(()),
    }
}

fn wrong_iss(iss: &str, expected: &str) -> String {
    format!(
        "the authorization response's iss {iss:?} is not the issuer {expected:?} (RFC 9207 §2.4)"
    )
}

/// `text` with every `%XX` escape decoded (the `iss-percent-decoded` defect); a `%`
/// without two hex digits after it stays as it is.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = bytes
            .get(i + 1..i + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(byte) if bytes[i] == b'%' => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
