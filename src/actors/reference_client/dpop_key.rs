//! The reference client's DPoP key and proofs (RFC 9449 §4.2): a P-256 key pair made for
//! the run (§2: the client proves possession of a key of its own, nothing pre-registers
//! it), and for each request a proof JWT: `typ` dpop+jwt, `alg` ES256 (the one value the
//! mock advertises in `dpop_signing_alg_values_supported`, §5.1), the public `jwk`, a
//! fresh `jti`, `htm`, `htu` without query and fragment, `iat`, and `ath` and `nonce`
//! when they apply.

use std::sync::Mutex;

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use super::launch::ClientLaunch;
use crate::actors::tokens::{random_id, unix_now};
use crate::logic::dpop_view::{ath_of, htu_of};
use crate::vocab::{ClientDefect as D, Extension};

/// The PKCS#8 (RFC 5208) DER of a P-256 private key (RFC 5915 ECPrivateKey, version 1,
/// no public key) up to its 32 bytes: ecPublicKey with the prime256v1 curve.
const P256_PKCS8_PREFIX: [u8; 35] = [
    0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25, 0x02, 0x01,
    0x01, 0x04, 0x20,
];

/// How long after `iat` the `exp` of the `DpopProofWithExp` knob lies.
const EXP_AFTER: i64 = 60;

/// One key pair and its public JWK.
pub(super) struct DpopKey {
    key: EncodingKey,
    jwk: Jwk,
}

/// What one proof is for.
pub(super) struct ProofFor<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// The access token the request presents: its hash goes into `ath` (§4.2).
    pub ath_of: Option<&'a str>,
    /// The nonce the server provided (§8, §9).
    pub nonce: Option<&'a str>,
    /// An `exp` claim too (§4.2 allows other claims).
    pub exp: bool,
}

impl DpopKey {
    /// A fresh P-256 key: 32 random bytes are a valid private scalar but with
    /// probability 2^-32, in which case the next draw is taken.
    pub fn generate() -> Result<DpopKey, String> {
        for _ in 0..4 {
            let mut scalar = [0u8; 32];
            getrandom::fill(&mut scalar).map_err(|e| format!("no randomness available: {e}"))?;
            let mut der = P256_PKCS8_PREFIX.to_vec();
            der.extend_from_slice(&scalar);
            let key = EncodingKey::from_ec_der(&der);
            if let Ok(jwk) = Jwk::from_encoding_key(&key, Algorithm::ES256) {
                return Ok(DpopKey { key, jwk });
            }
        }
        Err("could not make a P-256 key".into())
    }

    /// The proof JWT for one request.
    pub fn proof(&self, what: &ProofFor) -> Result<String, String> {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(self.public_jwk());
        let iat = unix_now();
        let mut claims = json!({
            "jti": random_id(),
            "htm": what.method,
            "htu": htu_of(what.url),
            "iat": iat,
        });
        if let Some(token) = what.ath_of {
            claims["ath"] = json!(ath_of(token));
        }
        if let Some(nonce) = what.nonce {
            claims["nonce"] = json!(nonce);
        }
        if what.exp {
            claims["exp"] = json!(iat + EXP_AFTER);
        }
        encode(&header, &claims, &self.key).map_err(|e| format!("signing a DPoP proof: {e}"))
    }

    /// The JWK without the members a proof does not need (`alg`, `use`, `kid`): the
    /// public key only (§4.2 `jwk`: "MUST NOT contain a private key").
    fn public_jwk(&self) -> Jwk {
        let mut value: Value = serde_json::to_value(&self.jwk).unwrap_or_default();
        if let Some(members) = value.as_object_mut() {
            members.retain(|name, _| matches!(name.as_str(), "kty" | "crv" | "x" | "y"));
        }
        serde_json::from_value(value).unwrap_or_else(|_| self.jwk.clone())
    }
}

/// The run's DPoP state.
pub(super) struct DpopClient {
    pub key: DpopKey,
    /// The `DpopOtherKeyForResource` defect's second key, for MCP requests.
    pub resource_key: Option<DpopKey>,
    /// The newest nonce each server provided (§8.2: a nonce is used until replaced).
    pub as_nonce: Mutex<Option<String>>,
    pub rs_nonce: Mutex<Option<String>>,
    /// The `DpopReusesProof` defect's one MCP proof.
    pub reused: Mutex<Option<String>>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl DpopClient {
    /// The DPoP state of a run of a DPoP scenario (the launch context's `name`).
    pub fn for_launch(launch: &ClientLaunch) -> Result<Option<DpopClient>, String> {
        let scenario = launch.context_str("name").unwrap_or_default();
        if Extension::of_scenario(scenario) != Some(Extension::Dpop) {
            return Ok(None);
        }
        let resource_key = if launch.has(D::DpopOtherKeyForResource) {
            Some(DpopKey::generate()?)
        } else {
            None
        };
        Ok(Some(DpopClient {
            key: DpopKey::generate()?,
            resource_key,
            as_nonce: Mutex::new(None),
            rs_nonce: Mutex::new(None),
            reused: Mutex::new(None),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::dpop_view::{proof_faults, ProofView};

    #[test]
    fn a_generated_key_signs_proofs_without_faults() {
        let key = DpopKey::generate().unwrap();
        let proof = key
            .proof(&ProofFor {
                method: "POST",
                url: "http://127.0.0.1:1/mcp?q=1",
                ath_of: Some("token"),
                nonce: None,
                exp: false,
            })
            .unwrap();
        let view = ProofView::decode(&proof).unwrap();
        assert!(view.header["jwk"].get("d").is_none());
        let faults = proof_faults(&view, "POST", "http://127.0.0.1:1/mcp", Some("token"));
        assert!(faults.is_empty(), "{faults:?}");
    }
}
