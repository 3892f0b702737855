//! The identity provider's signing keys. Fixed test keys (`fixtures/keys/`, generated
//! with `openssl genpkey`) keep tokens and known-answer tests reproducible; they protect
//! nothing, as every server under test runs on loopback against the suite's own IdP.

use std::sync::{Arc, OnceLock};

use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};

const IDP_RSA_PEM: &str = include_str!("../../../fixtures/keys/idp-rs256.pem");
const IDP_EC_PEM: &str = include_str!("../../../fixtures/keys/idp-es256.pem");
const UNTRUSTED_RSA_PEM: &str = include_str!("../../../fixtures/keys/untrusted-rs256.pem");

pub const IDP_RSA_KID: &str = "mcp-authspec-rs256";
pub const IDP_EC_KID: &str = "mcp-authspec-es256";
pub const UNTRUSTED_KID: &str = "mcp-authspec-untrusted";

/// The keys the IdP signs with, and one it never publishes.
pub struct KeySet {
    pub rsa: EncodingKey,
    pub ec: EncodingKey,
    /// The same P-256 key, parsed once: what [`super::mint::Minter`] signs with.
    pub ec_signer: p256::ecdsa::SigningKey,
    /// Signs "unknown key" tokens.
    pub untrusted: EncodingKey,
    /// The untrusted key's public half as a JWK, for the `jwk` header of such tokens.
    pub untrusted_jwk: Jwk,
    /// The published JWKS (RFC 7517 §5): the RSA and the P-256 public keys.
    pub jwks: JwkSet,
    /// The RSA public key as SPKI PEM: the HMAC secret of algorithm-confusion tokens.
    pub rsa_public_pem: String,
}

impl KeySet {
    /// The fixture keys, parsed once per process.
    pub fn fixture() -> Arc<KeySet> {
        static KEYS: OnceLock<Arc<KeySet>> = OnceLock::new();
        KEYS.get_or_init(|| Arc::new(KeySet::load().expect("the embedded fixture keys parse")))
            .clone()
    }

    fn load() -> Result<KeySet, String> {
        let err = |e: jsonwebtoken::errors::Error| e.to_string();
        let rsa = EncodingKey::from_rsa_pem(IDP_RSA_PEM.as_bytes()).map_err(err)?;
        let ec = EncodingKey::from_ec_pem(IDP_EC_PEM.as_bytes()).map_err(err)?;
        let ec_signer =
            <p256::ecdsa::SigningKey as p256::pkcs8::DecodePrivateKey>::from_pkcs8_pem(IDP_EC_PEM)
                .map_err(|e| e.to_string())?;
        let untrusted = EncodingKey::from_rsa_pem(UNTRUSTED_RSA_PEM.as_bytes()).map_err(err)?;
        let rsa_jwk = public_jwk(&rsa, Algorithm::RS256, IDP_RSA_KID)?;
        let ec_jwk = public_jwk(&ec, Algorithm::ES256, IDP_EC_KID)?;
        let untrusted_jwk = public_jwk(&untrusted, Algorithm::RS256, UNTRUSTED_KID)?;
        Ok(KeySet {
            rsa,
            ec,
            ec_signer,
            untrusted,
            untrusted_jwk,
            jwks: JwkSet {
                keys: vec![rsa_jwk, ec_jwk],
            },
            rsa_public_pem: rsa_public_pem(IDP_RSA_PEM)?,
        })
    }

    pub fn jwks_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.jwks).unwrap_or_default()
    }
}

fn public_jwk(key: &EncodingKey, alg: Algorithm, kid: &str) -> Result<Jwk, String> {
    let mut jwk = Jwk::from_encoding_key(key, alg).map_err(|e| e.to_string())?;
    jwk.common.key_id = Some(kid.to_string());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    Ok(jwk)
}

fn rsa_public_pem(private_pem: &str) -> Result<String, String> {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(private_pem).map_err(|e| e.to_string())?;
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| e.to_string())
}

/// The SPKI PEM of an RSA public key given by its JWK members (RFC 7518 §6.3.1):
/// what a vulnerable server would use as an HMAC secret.
pub fn rsa_pem_from_components(n: &str, e: &str) -> Option<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let n = rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(n).ok()?);
    let e = rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(e).ok()?);
    rsa::RsaPublicKey::new(n, e)
        .ok()?
        .to_public_key_pem(LineEnding::LF)
        .ok()
}
