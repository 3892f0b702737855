//! Client authentication by JWT assertion (`private_key_jwt`; RFC 7523 §2.2 and §3, RFC
//! 7521 §4.2), as the OAuth client credentials extension recommends it ("Client
//! Authentication Methods"). The mock checks what a real authorization server must:
//! the assertion type, the signature with the client's registered key, `iss` and `sub`
//! naming the client, an audience that identifies this server, `exp`, and that a `jti`
//! is not used twice.

use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::client::Client;
use super::params::Params;
use super::refusal::Refusal;
use super::state::{lock, IdpState};
use crate::logic::jwt_view::decode_unverified;
use crate::vocab::oauth_urns::JWT_BEARER_ASSERTION;

/// The signature algorithms a client assertion may use (RFC 8414 §2
/// `token_endpoint_auth_signing_alg_values_supported`): the official scenario's ES256.
pub const ASSERTION_ALGORITHMS: [&str; 1] = ["ES256"];

/// Clock skew allowed on `exp` (RFC 7523 §3 item 4 allows "some small leeway").
const LEEWAY: u64 = 30;

/// Whether the request authenticates with a client assertion (RFC 7521 §4.2).
pub(super) fn has_assertion(p: &Params) -> bool {
    p.get("client_assertion").is_some() || p.get("client_assertion_type").is_some()
}

/// The client a valid assertion authenticates; `invalid_client` (401) names what is wrong.
pub(super) fn authenticate_assertion(s: &IdpState, p: &Params) -> Result<Client, Refusal> {
    let refuse = |why: String| Refusal::client(why, false);
    let kind = p.get("client_assertion_type").unwrap_or_default();
    if kind != JWT_BEARER_ASSERTION {
        return Err(refuse(format!(
            "client_assertion_type is {kind:?}, not {JWT_BEARER_ASSERTION} (RFC 7523 §2.2)"
        )));
    }
    let assertion = p
        .get("client_assertion")
        .ok_or_else(|| refuse("client_assertion is missing (RFC 7521 §4.2)".into()))?;
    let header = decode_header(assertion)
        .map_err(|e| refuse(format!("client_assertion is not a JWT: {e} (RFC 7523 §3)")))?;
    if header.alg != Algorithm::ES256 {
        return Err(refuse(format!(
            "client_assertion is signed with {:?}; this server accepts {} \
             (token_endpoint_auth_signing_alg_values_supported)",
            header.alg,
            ASSERTION_ALGORITHMS.join(", ")
        )));
    }
    // RFC 7523 §3 items 1 and 2: iss and sub are the client_id. The unverified claims
    // only find the client whose key then verifies them.
    let (_, unverified) = decode_unverified(assertion)
        .ok_or_else(|| refuse("client_assertion's claims are not a JSON object".into()))?;
    let sub = unverified.get("sub").and_then(Value::as_str).unwrap_or("");
    let client = lock(&s.clients)
        .get(sub)
        .cloned()
        .filter(|c| c.assertion_key.is_some())
        .ok_or_else(|| {
            refuse(format!(
                "client_assertion's sub {sub:?} is no client registered for private_key_jwt \
                 (RFC 7523 §3 item 2: sub is the client_id)"
            ))
        })?;
    if let Some(body_id) = p.get("client_id") {
        if body_id != client.client_id {
            return Err(refuse(format!(
                "client_id {body_id:?} differs from the assertion's sub (RFC 7521 §4.2)"
            )));
        }
    }
    let jwk = client.assertion_key.as_ref().expect("filtered above");
    let key = DecodingKey::from_jwk(jwk).map_err(|e| Refusal::server_error(e.to_string()))?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.leeway = LEEWAY;
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp"]);
    let claims = decode::<Value>(assertion, &key, &validation)
        .map_err(|e| {
            refuse(format!(
                "client_assertion does not verify with the client's registered key or has \
                 expired: {e} (RFC 7523 §3 items 4 and 9)"
            ))
        })?
        .claims;
    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
    if iss != client.client_id {
        return Err(refuse(format!(
            "client_assertion's iss {iss:?} is not the client_id {:?} (RFC 7523 §3 item 1)",
            client.client_id
        )));
    }
    if let Err(accepted) = audience_names_server(s, claims.get("aud"), true) {
        return Err(refuse(format!(
            "client_assertion's aud {} names neither this server's issuer nor its token \
             endpoint ({accepted}; RFC 7523 §3 item 3)",
            claims
                .get("aud")
                .map(Value::to_string)
                .unwrap_or("(none)".into()),
        )));
    }
    // RFC 7523 §3 item 7: the server may keep the jti values it has seen and refuse a
    // replay; a jti is optional there.
    match claims.get("jti").and_then(Value::as_str) {
        Some(jti) => {
            let fresh = lock(&s.assertion_ids).insert(format!("{}\n{jti}", client.client_id));
            if !fresh {
                return Err(refuse(format!(
                    "client_assertion's jti {jti:?} was used before; an assertion is used \
                     once (RFC 7523 §3 item 7)"
                )));
            }
        }
        None => s.note(
            "token endpoint: the client assertion carries no jti, so a replay could not \
             be told apart (RFC 7523 §3 item 7 makes it optional)",
        ),
    }
    Ok(client)
}

/// RFC 7523 §3 item 3: an `aud` (a string or an array) that identifies this server: its
/// issuer (the RFC 7523 update and the official scenarios), the same URL with `/` when
/// the issuer has no path (one URI, RFC 3986 §6.2.3), or, where `token_endpoint_too`,
/// its token endpoint URL. `Err` lists what would have been accepted.
pub(super) fn audience_names_server(
    s: &IdpState,
    aud: Option<&Value>,
    token_endpoint_too: bool,
) -> Result<(), String> {
    let mut accepted = vec![s.issuer.clone()];
    if url::Url::parse(&s.issuer).is_ok_and(|u| u.path() == "/" && !s.issuer.ends_with('/')) {
        accepted.push(format!("{}/", s.issuer));
    }
    if token_endpoint_too {
        accepted.push(s.endpoint("token"));
    }
    let named = |v: &Value| v.as_str().is_some_and(|a| accepted.iter().any(|x| x == a));
    let ok = match aud {
        Some(Value::Array(values)) => values.iter().any(named),
        Some(v) => named(v),
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(accepted.join(" or "))
    }
}
