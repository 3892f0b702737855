//! PKCE (RFC 7636) and the `state` value (RFC 6749 §10.12): fresh random values for
//! every authorization request.
//!
//! The reference client's own copy, apart from the harness's `logic::pkce` on purpose:
//! the judge checks a client's PKCE pair with that one, and a reference that shared the
//! judge's code could not catch the judge's bug.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// 48 random bytes make a 64-character base64url verifier: within RFC 7636 §4.1's 43 to
/// 128 unreserved characters, with 384 bits of entropy (§7.1 asks for at least 256).
const VERIFIER_BYTES: usize = 48;
/// 128 bits: enough that an attacker cannot guess the state (RFC 6749 §10.10).
const STATE_BYTES: usize = 16;

/// base64url (no padding) of `n` random bytes from the operating system.
pub(super) fn random_text(n: usize) -> Result<String, String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A fresh `state`.
pub(super) fn new_state() -> Result<String, String> {
    random_text(STATE_BYTES)
}

/// The S256 transformation: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2).
pub(super) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The PKCE values of one authorization request.
#[derive(Debug, Clone)]
pub(super) struct Pkce {
    /// Sent with the code (RFC 7636 §4.5).
    pub verifier: String,
    /// Sent with the authorization request (§4.3).
    pub challenge: String,
    /// `S256`, or `plain` with the `PlainPkce` defect.
    pub method: &'static str,
}

impl Pkce {
    /// A fresh verifier; OAuth 2.1 §4.1.1 and MCP require S256, `plain` makes the
    /// challenge the verifier itself (RFC 7636 §4.2).
    pub(super) fn new(plain: bool) -> Result<Self, String> {
        let verifier = random_text(VERIFIER_BYTES)?;
        let (challenge, method) = if plain {
            (verifier.clone(), "plain")
        } else {
            (s256(&verifier), "S256")
        };
        Ok(Pkce {
            verifier,
            challenge,
            method,
        })
    }

    /// The `ReusesPkcePair` defect's pair: the same for every request with this `seed`.
    /// Its verifier (a SHA-256 digest, base64url: 43 characters) is well-formed, so only
    /// its reuse is wrong (RFC 7636 §4.1: a new one for each authorization request).
    pub(super) fn fixed(seed: &str) -> Self {
        let verifier = s256(seed);
        Pkce {
            challenge: s256(&verifier),
            verifier,
            method: "S256",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_fresh_and_64_unreserved_characters() {
        let a = Pkce::new(false).unwrap();
        let b = Pkce::new(false).unwrap();
        assert_ne!(a.verifier, b.verifier);
        assert_eq!(a.verifier.len(), 64);
        assert!(a
            .verifier
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(a.method, "S256");
        let plain = Pkce::new(true).unwrap();
        assert_eq!(
            (plain.challenge.as_str(), plain.method),
            (plain.verifier.as_str(), "plain")
        );
    }
}
