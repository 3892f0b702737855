//! The keys of the parties whose JWTs the mock authorization server trusts in the
//! assertion grants (RFC 7523 §2.1): the enterprise identity provider of the
//! enterprise-managed authorization extension (it signs the ID token and the ID-JAG)
//! and the workload identity issuer of workload identity federation (it signs the
//! workload's JWT). Fixed test keys (`fixtures/keys/`, `openssl genpkey`) that protect
//! nothing: every flow runs on loopback against the suite's own mocks.

use std::sync::OnceLock;

use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey};

const ENTERPRISE_IDP_PEM: &str = include_str!("../../../fixtures/keys/enterprise-idp-es256.pem");
const WORKLOAD_ISSUER_PEM: &str = include_str!("../../../fixtures/keys/workload-es256.pem");

/// A party that signs JWTs with one P-256 key.
pub struct SigningParty {
    pub key: EncodingKey,
    /// The public half, as the authorization server knows it.
    pub jwk: Jwk,
}

impl SigningParty {
    fn load(pem: &str) -> SigningParty {
        let key = EncodingKey::from_ec_pem(pem.as_bytes()).expect("an embedded fixture key parses");
        let mut jwk =
            Jwk::from_encoding_key(&key, Algorithm::ES256).expect("a P-256 key has a JWK");
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        SigningParty { key, jwk }
    }

    /// Signs `claims` with ES256 and the JOSE `typ` given (RFC 8725 §3.11 explicit typing).
    pub fn sign(&self, claims: &serde_json::Value, typ: Option<&str>) -> Result<String, String> {
        let mut header = jsonwebtoken::Header::new(Algorithm::ES256);
        header.typ = typ.map(str::to_string);
        jsonwebtoken::encode(&header, claims, &self.key).map_err(|e| e.to_string())
    }
}

/// The enterprise identity provider.
pub fn enterprise_idp() -> &'static SigningParty {
    static PARTY: OnceLock<SigningParty> = OnceLock::new();
    PARTY.get_or_init(|| SigningParty::load(ENTERPRISE_IDP_PEM))
}

/// The workload identity issuer.
pub fn workload_issuer() -> &'static SigningParty {
    static PARTY: OnceLock<SigningParty> = OnceLock::new();
    PARTY.get_or_init(|| SigningParty::load(WORKLOAD_ISSUER_PEM))
}
