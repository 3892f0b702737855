//! Minting access tokens: RFC 9068 JWT access tokens as the suite's IdP issues them, and
//! the deliberately broken variants a token case sends. Each variant differs from the
//! valid token in one thing only, so a server that accepts it has skipped that check.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Map, Value};

use super::keys::{KeySet, IDP_EC_KID, IDP_RSA_KID, UNTRUSTED_KID};
use crate::logic::token_recipe::{Mint, Signing};

/// The subject and client every minted token names.
pub const SUBJECT: &str = "mcp-authspec-user";
pub const CLIENT_ID: &str = "mcp-authspec-client";
/// Lifetime of a valid token, in seconds.
pub const DEFAULT_LIFETIME: i64 = 300;

/// Mints tokens for one issuer.
#[derive(Clone)]
pub struct Minter {
    pub issuer: String,
    keys: Arc<KeySet>,
}

/// Who a token is for: the resource (`aud`, RFC 8707 §2) and the scope it grants.
#[derive(Debug, Clone)]
pub struct Grant {
    pub resource: String,
    pub scope: String,
}

impl Minter {
    pub fn new(issuer: impl Into<String>, keys: Arc<KeySet>) -> Self {
        Minter {
            issuer: issuer.into(),
            keys,
        }
    }

    pub fn keys(&self) -> &Arc<KeySet> {
        &self.keys
    }

    /// The claims of a valid token (RFC 9068 §2.2).
    pub fn valid_claims(&self, grant: &Grant, now: i64) -> Map<String, Value> {
        let mut claims = Map::new();
        claims.insert("iss".into(), json!(self.issuer));
        claims.insert("sub".into(), json!(SUBJECT));
        claims.insert("aud".into(), json!(grant.resource));
        claims.insert("client_id".into(), json!(CLIENT_ID));
        if !grant.scope.is_empty() {
            claims.insert("scope".into(), json!(grant.scope));
        }
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + DEFAULT_LIFETIME));
        claims.insert("jti".into(), json!(random_id()));
        claims
    }

    /// A valid RS256 token.
    pub fn valid(&self, grant: &Grant) -> Result<String, String> {
        self.mint(&Mint::default(), grant)
    }

    /// A token following the recipe; claim values must already be rendered.
    pub fn mint(&self, recipe: &Mint, grant: &Grant) -> Result<String, String> {
        let now = unix_now();
        let mut claims = self.valid_claims(grant, now);
        if let Some(offset) = recipe.expires_in {
            claims.insert("exp".into(), json!(now + offset));
        }
        if let Some(offset) = recipe.not_before_in {
            claims.insert("nbf".into(), json!(now + offset));
        }
        for (name, value) in &recipe.claims {
            if value.is_null() {
                claims.remove(name);
            } else {
                claims.insert(name.clone(), value.clone());
            }
        }
        self.sign(&Value::Object(claims), recipe.sign)
    }

    /// Notes that `token` carries a valid signature by the published key `kid`, for a
    /// verifier in this process (see `minted`).
    fn remember(&self, token: &str, kid: &str) {
        if let Some(key) = self.keys.jwks.find(kid) {
            super::minted::remember(token, key);
        }
    }

    /// Signs claims as the recipe says.
    pub fn sign(&self, claims: &Value, signing: Signing) -> Result<String, String> {
        let header = |alg: Algorithm, kid: &str| {
            let mut h = Header::new(alg);
            // RFC 9068 §2.1: JWT access tokens are typed `at+jwt`.
            h.typ = Some("at+jwt".into());
            h.kid = Some(kid.into());
            h
        };
        let encode = |h: &Header, key: &EncodingKey| {
            jsonwebtoken::encode(h, claims, key).map_err(|e| format!("cannot sign a token: {e}"))
        };
        match signing {
            Signing::Rs256 => {
                let token = encode(&header(Algorithm::RS256, IDP_RSA_KID), &self.keys.rsa)?;
                self.remember(&token, IDP_RSA_KID);
                Ok(token)
            }
            Signing::Es256 => {
                let h = header(Algorithm::ES256, IDP_EC_KID);
                let token = es256_jws(&h, claims, &self.keys.ec_signer)?;
                self.remember(&token, IDP_EC_KID);
                Ok(token)
            }
            Signing::UnknownKey => {
                let mut h = header(Algorithm::RS256, UNTRUSTED_KID);
                h.jwk = Some(self.keys.untrusted_jwk.clone());
                encode(&h, &self.keys.untrusted)
            }
            Signing::Hs256PublicKey => {
                // The kid names the RSA key so that a server picking the key by kid and
                // the algorithm from the header falls into the confusion.
                let secret = EncodingKey::from_secret(self.keys.rsa_public_pem.as_bytes());
                encode(&header(Algorithm::HS256, IDP_RSA_KID), &secret)
            }
            Signing::AlgNone => {
                // jsonwebtoken refuses `none` by design; the unsecured JWS is built by hand
                // (RFC 7515 Appendix A.5): empty signature after the second dot.
                let h = json!({"alg": "none", "typ": "at+jwt"});
                Ok(format!(
                    "{}.{}.",
                    URL_SAFE_NO_PAD.encode(h.to_string()),
                    URL_SAFE_NO_PAD.encode(claims.to_string())
                ))
            }
        }
    }
}

/// An ES256 JWS in compact form (RFC 7515 §7.1, RFC 7518 §3.4: the signature is R ‖ S),
/// the bytes jsonwebtoken would give, signed with the key already parsed.
fn es256_jws(
    header: &Header,
    claims: &Value,
    key: &p256::ecdsa::SigningKey,
) -> Result<String, String> {
    use p256::ecdsa::signature::Signer;
    let header = serde_json::to_vec(header).map_err(|e| format!("cannot sign a token: {e}"))?;
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature: p256::ecdsa::Signature = key.sign(signing_input.as_bytes());
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    ))
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// 128 random bits, hex, for `jti`, codes and client ids.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness ids would repeat; a fixed fallback is still unique per call
    // through the counter, which is all the mocks need.
    if getrandom::fill(&mut bytes).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        bytes[..8].copy_from_slice(&COUNTER.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-built ES256 JWS is the one jsonwebtoken makes (both sign deterministically,
    /// RFC 6979), so every verifier that took the old tokens takes these.
    #[test]
    fn es256_tokens_are_the_bytes_jsonwebtoken_makes() {
        let minter = Minter::new("https://as.example", KeySet::fixture());
        let claims = json!({"iss": "https://as.example", "sub": "u", "exp": 4_000_000_000_i64});
        let ours = minter.sign(&claims, Signing::Es256).unwrap();
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("at+jwt".into());
        header.kid = Some(IDP_EC_KID.into());
        let theirs = jsonwebtoken::encode(&header, &claims, &minter.keys().ec).unwrap();
        assert_eq!(ours, theirs);
    }
}
