//! The grants the token endpoint honours: the authorization code grant with PKCE
//! (RFC 6749 §4.1.3, RFC 7636 §4.6) and the refresh token grant with rotation for public
//! clients (RFC 6749 §6, OAuth 2.1 §4.3.1).
//!
//! The S256 check here is the mock's own, apart from the harness's `logic::pkce` on
//! purpose: the mock is the second opinion on a client's PKCE pair, and one that shared
//! the judge's code could not catch the judge's bug.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::client::Client;
use super::params::{is_verifier_syntax, scope_tokens, Params};
use super::refusal::Refusal;
use super::state::{lock, CodeGrant, IdpState, RefreshGrant, CODE_LIFETIME};
use crate::actors::tokens::unix_now;
use crate::vocab::{IdpDefect as D, IdpKnob as K};

/// What a successful grant yields.
pub(super) struct Issue {
    pub(super) resource: Option<String>,
    pub(super) scope: String,
    /// Issue a new refresh token for this grant.
    pub(super) new_refresh: Option<RefreshGrant>,
}

fn required<'a>(p: &'a Params, name: &str) -> Result<&'a str, Refusal> {
    p.get(name)
        .ok_or_else(|| Refusal::bad("invalid_request", format!("{name} is missing")))
}

/// The authorization code grant (RFC 6749 §4.1.3, OAuth 2.1 §4.1.3).
pub(super) fn redeem_code(s: &IdpState, client: &Client, p: &Params) -> Result<Issue, Refusal> {
    let code = required(p, "code")?;
    let invalid_grant = |why: &str| Refusal::bad("invalid_grant", why);
    // One lock from lookup to marking the code redeemed: two concurrent redemptions
    // cannot both succeed.
    let mut codes = lock(&s.codes);
    let grant = codes
        .get_mut(code)
        .ok_or_else(|| invalid_grant("the code was not issued by this server"))?;
    // RFC 6749 §4.1.2: a code is used once.
    if grant.redeemed && !s.has(D::ReusableCodes) {
        return Err(invalid_grant("the code was already redeemed"));
    }
    // RFC 6749 §4.1.2: codes are short-lived; this server gives them CODE_LIFETIME.
    if unix_now() - grant.issued_at >= CODE_LIFETIME {
        return Err(invalid_grant(
            "the code has expired (RFC 6749 §4.1.2: at most 10 minutes)",
        ));
    }
    // RFC 6749 §4.1.3: the code must have been issued to the authenticated client.
    if grant.client_id != client.client_id && !s.has(D::SkipsClientCheck) {
        return Err(invalid_grant("the code was issued to another client"));
    }
    // RFC 6749 §4.1.3: redirect_uri identical to the authorization request's.
    let repeated = match p.get("redirect_uri") {
        Some(uri) => uri == grant.redirect_uri,
        None => !grant.redirect_uri_given,
    };
    if !s.has(D::SkipsRedirectUriCheck) && !repeated {
        return Err(invalid_grant(
            "redirect_uri differs from the authorization request's (RFC 6749 §4.1.3)",
        ));
    }
    if !s.has(D::SkipsPkceVerification) {
        verify_pkce(s, grant, p.get("code_verifier"))?;
    }
    same_resource(s, grant.resource.as_deref(), p)?;
    grant.redeemed = true;
    let mut grant = grant.clone();
    if s.has(D::TokenResourceUnchecked) {
        // The defect: a token for whatever resource the token request names.
        if let Some(requested) = p.get("resource") {
            grant.resource = Some(requested.to_string());
        }
    }
    drop(codes);
    let new_refresh = (client.grant_types.iter().any(|g| g == "refresh_token")
        && !s.has_knob(K::NoRefreshTokens))
    .then(|| RefreshGrant {
        client_id: client.client_id.clone(),
        resource: grant.resource.clone(),
        scope: grant.scope.clone(),
        revoked: false,
    });
    Ok(Issue {
        resource: grant.resource,
        scope: grant.scope,
        new_refresh,
    })
}

/// RFC 8707 §2.2: a token request may name the granted resource again, not another one
/// (this server's policy limits it to the resources originally granted).
fn same_resource(s: &IdpState, granted: Option<&str>, p: &Params) -> Result<(), Refusal> {
    match p.get("resource") {
        Some(_) if s.has(D::TokenResourceUnchecked) => Ok(()),
        Some(resource) if granted != Some(resource) => {
            if s.has(D::InvalidTargetServerError) {
                return Err(Refusal::server_error("unexpected resource"));
            }
            Err(Refusal::bad(
                "invalid_target",
                format!("resource {resource:?} is not the one granted (RFC 8707 §2.2)"),
            ))
        }
        _ => Ok(()),
    }
}

/// RFC 7636 §4.6: the verifier must transform into the challenge.
fn verify_pkce(s: &IdpState, grant: &CodeGrant, verifier: Option<&str>) -> Result<(), Refusal> {
    // OAuth 2.1 §4.1.3: a code issued without code_challenge is never redeemed. With a
    // code_verifier the challenge was stripped from the authorization request (PKCE
    // downgrade, RFC 9700 §4.8.2); without one, PKCE was skipped. Each defect lets one
    // of them through.
    let Some(challenge) = &grant.code_challenge else {
        return match verifier {
            Some(_) if !s.has(D::AcceptsPkceDowngrade) => Err(Refusal::bad(
                "invalid_grant",
                "code_verifier given for a code issued without code_challenge \
                 (RFC 9700 §4.8.2)",
            )),
            None if !s.has(D::AcceptsMissingPkce) => Err(Refusal::bad(
                "invalid_grant",
                "the code was issued without code_challenge and cannot be redeemed \
                 (OAuth 2.1 §4.1.3)",
            )),
            _ => Ok(()),
        };
    };
    let verifier = verifier.ok_or_else(|| {
        Refusal::bad(
            "invalid_request",
            "code_verifier is missing (RFC 7636 §4.5)",
        )
    })?;
    if !is_verifier_syntax(verifier) {
        return Err(Refusal::bad(
            "invalid_request",
            "code_verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)",
        ));
    }
    let transformed = match grant.code_challenge_method.as_deref() {
        Some("S256") => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        _ => verifier.to_string(),
    };
    if transformed != *challenge {
        return Err(Refusal::bad(
            "invalid_grant",
            "code_verifier does not match the code_challenge (RFC 7636 §4.6)",
        ));
    }
    Ok(())
}

/// The refresh token grant (RFC 6749 §6, OAuth 2.1 §4.3).
pub(super) fn refresh(s: &IdpState, client: &Client, p: &Params) -> Result<Issue, Refusal> {
    let token = required(p, "refresh_token")?;
    let invalid_grant = |why: &str| Refusal::bad("invalid_grant", why);
    let mut tokens = lock(&s.refresh_tokens);
    let grant = tokens
        .get_mut(token)
        .ok_or_else(|| invalid_grant("the refresh token was not issued by this server"))?;
    if grant.revoked {
        return Err(invalid_grant(
            "the refresh token was rotated and is revoked (OAuth 2.1 §4.3.1)",
        ));
    }
    // RFC 6749 §6: the refresh token is bound to the client it was issued to.
    if grant.client_id != client.client_id && !s.has(D::SkipsRefreshClientCheck) {
        return Err(invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    // RFC 6749 §6: the scope may shrink, never grow.
    let scope = match p.get("scope") {
        None => grant.scope.clone(),
        Some(requested) => {
            let granted = scope_tokens(&grant.scope);
            let requested = scope_tokens(requested);
            if let Some(extra) = requested.iter().find(|t| !granted.contains(t)) {
                return Err(Refusal::bad(
                    "invalid_scope",
                    format!("scope {extra:?} was not granted originally (RFC 6749 §6)"),
                ));
            }
            requested.join(" ")
        }
    };
    same_resource(s, grant.resource.as_deref(), p)?;
    // OAuth 2.1 §4.3.1: a public client's refresh token is sender-unconstrained, so it
    // is rotated: the used one is revoked and a new one issued, with the original scope
    // (RFC 6749 §6). Confidential clients keep theirs.
    let rotate = client.token_endpoint_auth_method == "none" && !s.has(D::NoRefreshRotation);
    let new_refresh = rotate.then(|| {
        grant.revoked = true;
        RefreshGrant {
            revoked: false,
            ..grant.clone()
        }
    });
    // The RefreshDropsAudience defect: the refreshed token is the issuer's, not the
    // resource's (RFC 8707 §2 wants it for the resource the grant was for).
    let resource = grant
        .resource
        .clone()
        .filter(|_| !s.has(D::RefreshDropsAudience));
    Ok(Issue {
        resource,
        scope,
        new_refresh,
    })
}
