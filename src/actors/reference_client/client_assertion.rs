//! The JWT a `private_key_jwt` client authenticates with (RFC 7523 §2.2 and §3), as the
//! OAuth client credentials extension recommends ("Client Authentication Methods"):
//! `iss` and `sub` the client_id, `aud` the authorization server's issuer (RFC 7523 §3
//! item 3; the official scenario checks the issuer), a short `exp`, a fresh `jti`,
//! signed with the key and algorithm the launch context gives (`private_key_pem`,
//! `signing_algorithm`).

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

use super::as_metadata::AsMetadata;
use super::wire::Ctx;
use crate::actors::tokens::{random_id, unix_now};
use crate::vocab::oauth_urns::{JWT_BEARER_ASSERTION, SAML_ASSERTION};
use crate::vocab::{ClientDefect as D, ClientKnob as K};

/// How long an assertion is valid: RFC 7523 §3 item 4 wants a limited window.
const LIFETIME: i64 = 60;

/// The client's name, which the `CcAssertionIssNotClientId` defect puts into `iss`.
const CLIENT_NAME: &str = "mcp-authspec reference client";

/// The `client_assertion_type` and `client_assertion` parameters for one token request.
pub(super) fn assertion_params(
    ctx: &Ctx,
    metadata: &AsMetadata,
    client_id: &str,
    private_key_pem: &str,
    algorithm: &str,
) -> Result<Vec<(&'static str, String)>, String> {
    let (alg, key) = signing_key(private_key_pem, algorithm)?;
    let now = unix_now();
    let exp = if ctx.has(D::CcAssertionExpired) {
        now - 300
    } else {
        now + LIFETIME
    };
    let audience = if ctx.has(D::CcAssertionWrongAudience) {
        ctx.server_url().to_string()
    } else if ctx.launch.has_knob(K::CcAudienceTokenEndpoint) {
        metadata.token_endpoint.clone()
    } else {
        issuer_as_written(ctx, &metadata.issuer)
    };
    let issuer = if ctx.has(D::CcAssertionIssNotClientId) {
        CLIENT_NAME
    } else {
        client_id
    };
    let mut claims = json!({
        "iss": issuer,
        "sub": client_id,
        "aud": audience,
        "iat": now.min(exp - LIFETIME),
        "exp": exp,
        "jti": random_id(),
    });
    if ctx.has(D::CcAssertionWithoutJti) {
        claims.as_object_mut().map(|c| c.remove("jti"));
    }
    let mut jwt = encode(&Header::new(alg), &claims, &key)
        .map_err(|e| format!("cannot sign the client assertion: {e}"))?;
    if ctx.has(D::CcAssertionBadSignature) {
        jwt = spoil_signature(&jwt);
    }
    let kind = if ctx.has(D::CcAssertionTypeWrong) {
        SAML_ASSERTION
    } else {
        JWT_BEARER_ASSERTION
    };
    let mut params = vec![
        ("client_assertion_type", kind.to_string()),
        ("client_assertion", jwt),
    ];
    if ctx.launch.has_knob(K::CcClientIdWithAssertion) {
        params.push(("client_id", client_id.to_string()));
    }
    Ok(params)
}

/// The issuer as the client writes it: with the `IssuerWithTrailingSlash` knob, a `/`
/// after an issuer without a path (the same URI, RFC 3986 §6.2.3).
pub(super) fn issuer_as_written(ctx: &Ctx, issuer: &str) -> String {
    let bare_origin =
        url::Url::parse(issuer).is_ok_and(|u| u.path() == "/") && !issuer.ends_with('/');
    if ctx.launch.has_knob(K::IssuerWithTrailingSlash) && bare_origin {
        format!("{issuer}/")
    } else {
        issuer.to_string()
    }
}

/// The key of the context's PEM for the algorithm it names (RFC 7518 §3.1).
fn signing_key(pem: &str, algorithm: &str) -> Result<(Algorithm, EncodingKey), String> {
    let alg: Algorithm = algorithm
        .parse()
        .map_err(|_| format!("signing_algorithm {algorithm:?} is not a JWS algorithm"))?;
    let key = match alg {
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem.as_bytes()),
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => EncodingKey::from_rsa_pem(pem.as_bytes()),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes()),
        // RFC 7523 §3 item 9 allows a MAC, but the context gives a private key.
        _ => {
            return Err(format!(
                "signing_algorithm {algorithm} is not an asymmetric algorithm"
            ))
        }
    }
    .map_err(|e| format!("private_key_pem does not hold a {algorithm} key: {e}"))?;
    Ok((alg, key))
}

/// The JWT with the first character of its signature changed: well-formed, but it no
/// longer verifies.
fn spoil_signature(jwt: &str) -> String {
    let Some((signed, signature)) = jwt.rsplit_once('.') else {
        return jwt.to_string();
    };
    let mut chars: Vec<char> = signature.chars().collect();
    if let Some(first) = chars.first_mut() {
        *first = if *first == 'A' { 'B' } else { 'A' };
    }
    format!("{signed}.{}", chars.into_iter().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spoiled_signature_is_another_of_the_same_shape() {
        let jwt = "aGVhZA.Ym9keQ.QUJD";
        let spoiled = spoil_signature(jwt);
        assert_ne!(spoiled, jwt);
        assert_eq!(spoiled.len(), jwt.len());
        assert!(spoiled.starts_with("aGVhZA.Ym9keQ."));
    }

    #[test]
    fn only_asymmetric_algorithms_sign() {
        assert!(signing_key("x", "HS256")
            .unwrap_err()
            .contains("asymmetric"));
        assert!(signing_key("x", "nope").unwrap_err().contains("not a JWS"));
        let pem = crate::actors::tokens::MACHINE_CLIENT_KEY_PEM;
        assert!(signing_key(pem, "ES256").is_ok());
    }
}
