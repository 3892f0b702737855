//! The reference server's Bearer challenge (RFC 6750 §3, RFC 9728 §5.1): what its 401
//! (and, through the scope policy, its 403) says about the error, the metadata and the
//! scope, with the defects and knobs that change it.

use super::deployment::Deployment;
use super::protected_resource_metadata as prm;
use crate::logic::dpop_view::DPOP_ALGORITHMS;
use crate::vocab::{ServerDefect as D, ServerKnob as K};

/// A quoted realm holding an escaped quote and what looks like a parameter: a parser that
/// does not honour quoted-strings (RFC 9110 §5.6.4) reads a `resource_metadata` here that
/// points nowhere.
const ESCAPED_REALM: &str =
    r#"realm="mcp \"reference\", resource_metadata=http://127.0.0.1:9/not-the-metadata""#;

/// A challenge of another scheme that `extra-challenge-first` puts before the Bearer one
/// (RFC 9449 §7.1 defines DPoP's; RFC 9110 §11.6.1 lets one header value carry several).
const DPOP_CHALLENGE: &str = r#"DPoP algs="ES256""#;

/// The challenge `challenge-on-separate-lines` sends in a WWW-Authenticate line of its
/// own, before the Bearer one.
pub(super) fn separate_line_before(d: &Deployment) -> Option<&'static str> {
    d.config
        .has_knob(K::ChallengeOnSeparateLines)
        .then_some(DPOP_CHALLENGE)
}

/// The `WWW-Authenticate` value of a 401 (RFC 6750 §3, RFC 9728 §5.1). `error` is the
/// RFC 6750 §3.1 code, absent when the request had no credentials; `scope` is what the
/// request needs (`scope_policy`).
pub(super) fn challenge(d: &Deployment, error: Option<&str>, scope: &str) -> Option<String> {
    let has = |x| d.config.has(x);
    let metadata_url = prm::advertised_url(d);
    if has(D::NoWwwAuthenticate) {
        return None;
    }
    if has(D::BasicChallengeOnly) {
        return Some("Basic realm=\"mcp\"".into());
    }
    if has(D::MalformedChallenge) {
        return Some(format!("Bearer resource_metadata=\"{metadata_url}"));
    }
    let mut params = Vec::new();
    if d.config.has_knob(K::ChallengeWithEscapedQuote) {
        params.push(ESCAPED_REALM.to_string());
    }
    // RFC 6750 §3.1: no error code when the request carried no credentials.
    let error = error.or(has(D::ErrorWithoutToken).then_some("invalid_token"));
    if let Some(error) = error {
        params.push(format!("error=\"{error}\""));
    }
    // 2025-03-26 has no protected resource metadata, so its challenge names none.
    if !has(D::NoResourceMetadata) && !d.config.predates_resource_metadata() {
        let url = if has(D::RelativeResourceMetadata) {
            prm::advertised_path(d).to_string()
        } else {
            metadata_url
        };
        params.push(format!("resource_metadata=\"{url}\""));
    }
    if !has(D::NoScopeInChallenge) {
        let scope = if has(D::OfflineAccessInChallenge) {
            format!("{scope} offline_access")
        } else {
            scope.to_string()
        };
        params.push(format!("scope=\"{scope}\""));
        if has(D::DuplicateScopeInChallenge) {
            params.push(format!("scope=\"{scope}\""));
        }
    }
    // RFC 9449 §7.1: a server that takes DPoP-bound tokens challenges with DPoP and
    // the algorithms it accepts.
    let scheme = if d.config.idp.dpop.is_some() {
        params.insert(0, format!("algs=\"{}\"", DPOP_ALGORITHMS.join(" ")));
        "DPoP"
    } else if d.config.has_knob(K::ChallengeLowercaseScheme) {
        "bearer"
    } else {
        "Bearer"
    };
    let mut bearer = format!("{scheme} {}", params.join(", "));
    if d.config.has_knob(K::ChallengeBwsAroundEquals) {
        bearer = bearer.replace("=\"", " = \"");
    }
    if d.config.has_knob(K::ExtraChallengeFirst) {
        return Some(format!("{DPOP_CHALLENGE}, {bearer}"));
    }
    Some(bearer)
}
