//! A trusted key set that remembers which tokens it has verified. A client sends the same
//! access token on every MCP request and the harness reuses minted tokens, so a resource
//! server that checked a JWS signature (RFC 7515 §5.2) once need not redo the arithmetic:
//! the result is a pure function of the token, the keys and the validator's lapses. Only
//! the signature is remembered; the claims (lifetime, issuer, audience, scope) are the
//! caller's to check on every request.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use jsonwebtoken::jwk::JwkSet;
use serde_json::{Map, Value};

use super::validate::{verify_signature, Rejection};
use crate::vocab::ServerDefect as D;

/// How many verified tokens are remembered; past it the memo starts afresh. A run of
/// every case holds a few hundred distinct tokens at most, so the bound only caps memory.
const REMEMBERED: usize = 512;

/// A verified token's entry: the lapses it was verified under, and its claims.
type Verified = (BTreeSet<D>, Map<String, Value>);

/// The keys an issuer published, and the tokens they verified.
pub struct VerifyingKeys {
    pub keys: JwkSet,
    /// Token → (lapses it was verified under, its claims). Refusals are not remembered:
    /// they are rare, and a refused token must be refused for the same reason again.
    verified: Mutex<HashMap<String, Verified>>,
}

impl VerifyingKeys {
    pub fn new(keys: JwkSet) -> Self {
        VerifyingKeys {
            keys,
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// [`verify_signature`] with these keys, remembered per token.
    pub fn verify(
        &self,
        token: &str,
        lapses: &BTreeSet<D>,
    ) -> Result<Map<String, Value>, Rejection> {
        // A poisoned memo only loses reuse, never a verdict.
        let lock = || self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((under, claims)) = lock().get(token) {
            if under == lapses {
                return Ok(claims.clone());
            }
        }
        let claims = verify_signature(token, &self.keys, lapses)?;
        let mut verified = lock();
        if verified.len() >= REMEMBERED {
            verified.clear();
        }
        verified.insert(token.to_string(), (lapses.clone(), claims.clone()));
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::tokens::{Grant, KeySet, Minter};
    use crate::logic::token_recipe::{alter_signature, Mint, Signing};

    fn minter() -> Minter {
        Minter::new("http://127.0.0.1:1", KeySet::fixture())
    }

    fn grant() -> Grant {
        Grant {
            resource: "http://127.0.0.1:2/mcp".into(),
            scope: "mcp:tools".into(),
        }
    }

    #[test]
    fn remembers_a_verified_token_and_refuses_a_damaged_copy_every_time() {
        let m = minter();
        let keys = VerifyingKeys::new(m.keys().jwks.clone());
        let none = BTreeSet::new();
        for sign in [Signing::Rs256, Signing::Es256] {
            let recipe = Mint {
                sign,
                ..Mint::default()
            };
            let token = m.mint(&recipe, &grant()).unwrap();
            let first = keys.verify(&token, &none).unwrap();
            assert_eq!(keys.verify(&token, &none).unwrap(), first);
            let damaged = alter_signature(&token);
            for _ in 0..2 {
                assert!(matches!(
                    keys.verify(&damaged, &none),
                    Err(Rejection::Invalid(_))
                ));
            }
        }
    }

    #[test]
    fn a_token_accepted_under_a_lapse_is_checked_again_without_it() {
        let m = minter();
        let keys = VerifyingKeys::new(m.keys().jwks.clone());
        let recipe = Mint {
            sign: Signing::UnknownKey,
            ..Mint::default()
        };
        let token = m.mint(&recipe, &grant()).unwrap();
        let trusting = BTreeSet::from([D::TrustsEmbeddedJwk]);
        assert!(keys.verify(&token, &trusting).is_ok());
        assert!(keys.verify(&token, &BTreeSet::new()).is_err());
        assert!(keys.verify(&token, &trusting).is_ok());
    }

    #[test]
    fn stays_bounded() {
        let m = minter();
        let keys = VerifyingKeys::new(m.keys().jwks.clone());
        // Unsigned tokens under the lapse that takes them: no arithmetic, only the memo.
        let recipe = Mint {
            sign: Signing::AlgNone,
            ..Mint::default()
        };
        let lapses = BTreeSet::from([D::AcceptsAlgNone]);
        for _ in 0..REMEMBERED + 3 {
            let token = m.mint(&recipe, &grant()).unwrap();
            keys.verify(&token, &lapses).unwrap();
        }
        assert!(keys.verified.lock().unwrap().len() <= REMEMBERED);
    }
}
