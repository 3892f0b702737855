//! Validating an access token as a resource server must (MCP "Token Handling"; OAuth 2.1
//! §5.2; RFC 9068 §4): signature by a key the issuer published, an algorithm the server
//! expects, issuer, audience, lifetime and scope. Used by the reference server, which
//! can skip any single check through its defect knobs, and by the IdP's introspection.

use std::collections::BTreeSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::keys::rsa_pem_from_components;
use crate::vocab::ServerDefect as D;

/// Clock skew tolerated on `exp` and `nbf`, in seconds (RFC 7519 §4.1.4 "small leeway").
pub const LEEWAY: i64 = 60;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// RFC 6750 §3.1 `invalid_token`: 401.
    Invalid(String),
    /// Also `invalid_token`, kept apart because some servers answer it with 403
    /// (requirements Appendix A-17).
    Audience(String),
    /// RFC 6750 §3.1 `insufficient_scope`: 403, naming the scope needed. `granted` is
    /// the token's own scope, for a server that names only what is missing.
    InsufficientScope { needed: String, granted: String },
}

/// What a valid token must say.
#[derive(Debug, Clone)]
pub struct Expectations {
    pub issuer: String,
    /// The resource server's canonical URI; `None` skips the audience (introspection
    /// leaves that to the resource server).
    pub resource: Option<String>,
    /// Space-separated scopes the request needs.
    pub required_scope: String,
}

/// Checks the JWS signature and returns the claims (RFC 7515 §5.2). `lapses` are the
/// reference server's defects; an empty set is a correct validator.
pub fn verify_signature(
    token: &str,
    keys: &JwkSet,
    lapses: &BTreeSet<D>,
) -> Result<Map<String, Value>, Rejection> {
    let invalid = |why: &str| Rejection::Invalid(why.to_string());
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(invalid("the token is not a JWS compact serialization"));
    }
    let header = json_object(parts[0]).ok_or_else(|| invalid("the JOSE header is not JSON"))?;
    let claims = json_object(parts[1]).ok_or_else(|| invalid("the claims are not JSON"))?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kid = header.get("kid").and_then(Value::as_str);
    if lapses.contains(&D::SkipsSignatureCheck) {
        return Ok(claims);
    }
    let (algorithm, key) = match alg {
        // RFC 8725 §3.1: a server must only accept the algorithms it expects.
        "none" if lapses.contains(&D::AcceptsAlgNone) => return Ok(claims),
        "HS256" if lapses.contains(&D::AcceptsHs256WithPublicKey) => {
            let pem = rsa_key(keys, kid)
                .and_then(|jwk| match &jwk.algorithm {
                    AlgorithmParameters::RSA(p) => rsa_pem_from_components(&p.n, &p.e),
                    _ => None,
                })
                .ok_or_else(|| invalid("no RSA key to confuse"))?;
            (Algorithm::HS256, DecodingKey::from_secret(pem.as_bytes()))
        }
        "RS256" | "ES256" => {
            let algorithm = if alg == "RS256" {
                Algorithm::RS256
            } else {
                Algorithm::ES256
            };
            if algorithm == Algorithm::ES256 && lapses.contains(&D::RejectsEs256) {
                return Err(invalid("ES256 is not supported"));
            }
            let embedded = header
                .get("jwk")
                .filter(|_| lapses.contains(&D::TrustsEmbeddedJwk))
                .and_then(|j| serde_json::from_value::<Jwk>(j.clone()).ok());
            let jwk = match embedded {
                Some(j) => j,
                None => published_key(keys, kid, algorithm)
                    .cloned()
                    .ok_or_else(|| invalid("signed by a key the issuer did not publish"))?,
            };
            // A token this process signed with this very key verifies with it; the
            // header's algorithm is the key's, as `decode` below would require.
            if super::minted::signed_here_with(token, &jwk) {
                return Ok(claims);
            }
            let key = DecodingKey::from_jwk(&jwk).map_err(|e| invalid(&e.to_string()))?;
            (algorithm, key)
        }
        other => {
            return Err(Rejection::Invalid(format!(
                "algorithm `{other}` is not accepted"
            )))
        }
    };
    let mut validation = Validation::new(algorithm);
    // Claims are checked in `check_claims`, one knob per check.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims = Default::default();
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map_err(|e| Rejection::Invalid(format!("signature does not verify: {e}")))?;
    Ok(claims)
}

/// Checks lifetime, issuer, audience and scope (RFC 9068 §4; RFC 8707 §2).
pub fn check_claims(
    claims: &Map<String, Value>,
    expect: &Expectations,
    lapses: &BTreeSet<D>,
    now: i64,
) -> Result<(), Rejection> {
    let lapse = |d| lapses.contains(&d);
    let invalid = |why: String| Err(Rejection::Invalid(why));
    let number = |name: &str| claims.get(name).and_then(Value::as_i64);
    if !lapse(D::SkipsExpiryCheck) {
        match number("exp") {
            None => return invalid("no exp claim".into()),
            Some(exp) if exp + LEEWAY < now => return invalid(format!("expired at {exp}")),
            Some(_) => {}
        }
    }
    if !lapse(D::SkipsNotBeforeCheck) {
        if let Some(nbf) = number("nbf").filter(|nbf| *nbf > now + LEEWAY) {
            return invalid(format!("not valid before {nbf}"));
        }
    }
    if !lapse(D::SkipsIssuerCheck) {
        let iss = claims.get("iss").and_then(Value::as_str);
        if iss != Some(expect.issuer.as_str()) {
            return invalid(format!("issuer {iss:?} is not trusted"));
        }
    }
    if let Some(resource) = expect.resource.as_deref() {
        if !lapse(D::SkipsAudienceCheck) {
            check_audience(claims.get("aud"), resource, lapses)?;
        }
    }
    if !lapse(D::SkipsScopeCheck) {
        let scope = claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let granted: BTreeSet<&str> = scope.split_ascii_whitespace().collect();
        if !expect
            .required_scope
            .split_ascii_whitespace()
            .all(|s| granted.contains(s))
        {
            return Err(Rejection::InsufficientScope {
                needed: expect.required_scope.clone(),
                granted: scope.to_string(),
            });
        }
    }
    Ok(())
}

/// RFC 7519 §4.1.3: `aud` is a string or an array of strings, one of which must
/// identify this server.
fn check_audience(
    aud: Option<&Value>,
    resource: &str,
    lapses: &BTreeSet<D>,
) -> Result<(), Rejection> {
    let lapse = |d| lapses.contains(&d);
    let audiences: Vec<&str> = match aud {
        None if lapse(D::AcceptsMissingAudience) => return Ok(()),
        None => return Err(Rejection::Audience("no aud claim".into())),
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) if !lapse(D::AudienceArrayUnsupported) => {
            items.iter().filter_map(Value::as_str).collect()
        }
        Some(other) => return Err(Rejection::Audience(format!("unusable aud {other}"))),
    };
    let matches = |a: &str| {
        if lapse(D::AudienceOriginOnly) {
            return same_origin(a, resource);
        }
        if lapse(D::AudienceCaseSensitive) {
            return a == resource;
        }
        same_resource(a, resource)
    };
    if audiences.iter().any(|a| matches(a)) {
        Ok(())
    } else {
        Err(Rejection::Audience(format!(
            "audience {audiences:?} does not include {resource}"
        )))
    }
}

/// MCP "Canonical Server URI": scheme and host compare case-insensitively (RFC 3986
/// §6.2.2.1), which URL parsing normalises; the rest compares exactly.
fn same_resource(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(x), Ok(y)) => x.origin() == y.origin(),
        _ => false,
    }
}

fn json_object(segment: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(segment).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn published_key<'a>(keys: &'a JwkSet, kid: Option<&str>, alg: Algorithm) -> Option<&'a Jwk> {
    keys.keys.iter().find(|k| {
        let family_fits = matches!(
            (&k.algorithm, alg),
            (AlgorithmParameters::RSA(_), Algorithm::RS256)
                | (AlgorithmParameters::EllipticCurve(_), Algorithm::ES256)
        );
        family_fits && (kid.is_none() || k.common.key_id.as_deref() == kid)
    })
}

fn rsa_key<'a>(keys: &'a JwkSet, kid: Option<&str>) -> Option<&'a Jwk> {
    published_key(keys, kid, Algorithm::RS256)
}
