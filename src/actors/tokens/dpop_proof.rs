//! Checking a DPoP proof (RFC 9449 §4.3), for both mocks: the token endpoint (§5) and the
//! MCP server (§7.1). The checks that need no key (`logic::dpop_view::proof_faults`),
//! then the signature with the proof's own `jwk`, the `iat` window, the key the access
//! token is bound to, replay (`jti`, §11.1) and the nonce the server provides (§8, §9).

use std::collections::HashSet;
use std::sync::Mutex;

use axum::http::HeaderMap;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use serde_json::Value;

use super::unix_now;
use crate::logic::dpop_view::{proof_faults, token_jkt, ProofView, DPOP_ALGORITHMS, IAT_WINDOW};

/// What the request must match.
pub struct ProofContext<'a> {
    /// The request's method (`htm`).
    pub method: &'a str,
    /// The URL the server serves the request at (`htu`).
    pub url: &'a str,
    /// The access token the request presents (MCP requests: `ath`, `cnf.jkt`).
    pub token: Option<&'a str>,
    /// The nonce the server requires, if it requires one.
    pub nonce: Option<&'a str>,
}

/// Why a proof is not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofRefusal {
    /// `invalid_dpop_proof` (RFC 9449 §5, §7.1), with what failed.
    Invalid(String),
    /// A valid proof without the nonce the server requires: `use_dpop_nonce` (§8, §9).
    NeedsNonce,
}

/// Checks the one `DPoP` header of `headers`; `seen` keeps the `jti` of every proof that
/// verified, so that a replay is refused. Returns the thumbprint of the proof's key.
pub fn check_proof(
    headers: &HeaderMap,
    context: &ProofContext,
    seen: &Mutex<HashSet<String>>,
) -> Result<String, ProofRefusal> {
    let invalid = |text: &str| ProofRefusal::Invalid(text.to_string());
    let values: Vec<&str> = headers
        .get_all("DPoP")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    // RFC 9449 §4.3 item 1: exactly one DPoP header field.
    let proof = match values.as_slice() {
        [one] => one.trim(),
        [] => return Err(invalid("a DPoP proof is required (RFC 9449 §4.3 item 1)")),
        _ => return Err(invalid("more than one DPoP header (RFC 9449 §4.3 item 1)")),
    };
    let view = ProofView::decode(proof).ok_or_else(|| invalid("the proof is not a JWT"))?;
    if let Some((_, fault)) = proof_faults(&view, context.method, context.url, context.token)
        .into_iter()
        .next()
    {
        return Err(ProofRefusal::Invalid(fault));
    }
    verify_signature(proof)?;
    // RFC 9449 §4.3 item 11: iat within the window the server allows.
    let iat = view.claims.get("iat").and_then(Value::as_i64).unwrap_or(0);
    if (unix_now() - iat).abs() > IAT_WINDOW {
        return Err(invalid("iat is outside the ±5 minute window"));
    }
    let thumbprint = view
        .thumbprint()
        .ok_or_else(|| invalid("the jwk has no thumbprint"))?;
    // RFC 9449 §4.3 item 12 / §7.1: the proof's key is the one the token is bound to.
    if let Some(token) = context.token {
        if token_jkt(token).as_deref() != Some(thumbprint.as_str()) {
            return Err(invalid(
                "the proof's key is not the one the access token is bound to (cnf.jkt)",
            ));
        }
    }
    let jti = view.claim_str("jti").unwrap_or_default().to_string();
    let fresh = seen.lock().unwrap_or_else(|e| e.into_inner()).insert(jti);
    if !fresh {
        return Err(invalid("the proof's jti was used before (RFC 9449 §11.1)"));
    }
    if let Some(nonce) = context.nonce {
        if view.claim_str("nonce") != Some(nonce) {
            return Err(ProofRefusal::NeedsNonce);
        }
    }
    Ok(thumbprint)
}

/// RFC 9449 §4.3 items 5 and 6: an algorithm the server supports, and a signature that
/// verifies with the public key of the proof's `jwk`.
fn verify_signature(proof: &str) -> Result<(), ProofRefusal> {
    let invalid = |text: String| ProofRefusal::Invalid(text);
    let header = decode_header(proof).map_err(|e| invalid(format!("the header: {e}")))?;
    let alg = format!("{:?}", header.alg);
    if !DPOP_ALGORITHMS.contains(&alg.as_str()) {
        return Err(invalid(format!(
            "alg {alg} is not in dpop_signing_alg_values_supported"
        )));
    }
    let jwk: Jwk = header.jwk.ok_or_else(|| invalid("no jwk header".into()))?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| invalid(format!("the jwk: {e}")))?;
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    validation.validate_aud = false;
    decode::<Value>(proof, &key, &validation)
        .map(|_| ())
        .map_err(|e| invalid(format!("the signature does not verify: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::tokens::{machine_client_jwk, random_id, MACHINE_CLIENT_KEY_PEM};
    use crate::logic::dpop_view::{ath_of, jwk_thumbprint};
    use axum::http::HeaderValue;
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    use serde_json::json;

    const URL: &str = "http://127.0.0.1:1/mcp";

    fn public_jwk() -> Value {
        let mut jwk = serde_json::to_value(machine_client_jwk()).unwrap();
        jwk.as_object_mut()
            .unwrap()
            .retain(|k, _| matches!(k.as_str(), "kty" | "crv" | "x" | "y"));
        jwk
    }

    fn proof(claims: Value) -> HeaderMap {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(serde_json::from_value(public_jwk()).unwrap());
        let key = EncodingKey::from_ec_pem(MACHINE_CLIENT_KEY_PEM.as_bytes()).unwrap();
        let jwt = encode(&header, &claims, &key).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("DPoP", HeaderValue::from_str(&jwt).unwrap());
        headers
    }

    fn claims(htm: &str, token: &str) -> Value {
        json!({"jti": random_id(), "htm": htm, "htu": URL, "iat": unix_now(),
               "ath": ath_of(token)})
    }

    /// A JWT whose payload carries `cnf.jkt` (only the claims are read here: the
    /// signature of the token is the resource server's other check).
    fn bound_token(jkt: &str) -> String {
        let payload = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            json!({"cnf": {"jkt": jkt}}).to_string(),
        );
        format!("e30.{payload}.sig")
    }

    #[test]
    fn a_proof_for_the_request_and_the_token_is_accepted_once() {
        let jkt = jwk_thumbprint(&public_jwk()).unwrap();
        let token = bound_token(&jkt);
        let context = ProofContext {
            method: "POST",
            url: URL,
            token: Some(&token),
            nonce: None,
        };
        let seen = Mutex::default();
        let headers = proof(claims("POST", &token));
        assert_eq!(check_proof(&headers, &context, &seen), Ok(jkt));
        // RFC 9449 §11.1: the same proof again is a replay.
        assert!(matches!(
            check_proof(&headers, &context, &seen),
            Err(ProofRefusal::Invalid(why)) if why.contains("jti")
        ));
    }

    #[test]
    fn wrong_method_other_key_and_missing_nonce_are_refused() {
        let token = bound_token("another-key");
        let seen = Mutex::default();
        let mut context = ProofContext {
            method: "POST",
            url: URL,
            token: Some(&token),
            nonce: None,
        };
        let refused = |r: Result<String, ProofRefusal>, what: &str| {
            assert!(
                matches!(&r, Err(ProofRefusal::Invalid(why)) if why.contains(what)),
                "{r:?}"
            );
        };
        refused(
            check_proof(&proof(claims("GET", &token)), &context, &seen),
            "htm",
        );
        refused(
            check_proof(&proof(claims("POST", &token)), &context, &seen),
            "bound",
        );
        refused(check_proof(&HeaderMap::new(), &context, &seen), "required");
        let jkt = jwk_thumbprint(&public_jwk()).unwrap();
        let token = bound_token(&jkt);
        context.token = Some(&token);
        context.nonce = Some("n-1");
        assert_eq!(
            check_proof(&proof(claims("POST", &token)), &context, &seen),
            Err(ProofRefusal::NeedsNonce)
        );
        let mut with_nonce = claims("POST", &token);
        with_nonce["nonce"] = json!("n-1");
        assert!(check_proof(&proof(with_nonce), &context, &seen).is_ok());
    }
}
