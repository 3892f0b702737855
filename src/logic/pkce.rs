//! PKCE on the harness's side (RFC 7636): the S256 transformation the judge checks a
//! client's pair with, and the fresh random values the harness sends as an OAuth client
//! (verifier, `state`). The one home of these facts for the judge and the drivers; the
//! reference implementations keep their own copies on purpose (see their module docs).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// RFC 7636 §4.1: the verifier's characters, `[A-Za-z0-9-._~]` (unreserved, RFC 3986 §2.3).
const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// RFC 7636 §4.2: `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `len` random unreserved characters (RFC 7636 §4.1), for a verifier (64: within §4.1's
/// 43 to 128) or a `state` (RFC 6749 §10.12).
pub fn fresh_value(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: a time-derived value still differs between runs.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (nanos as usize).wrapping_add(i * 31) as u8;
        }
    }
    bytes
        .iter()
        .map(|b| UNRESERVED[*b as usize % UNRESERVED.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_gives_the_challenge_of_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn fresh_values_are_unreserved_of_the_length_asked_and_differ() {
        let a = fresh_value(64);
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| UNRESERVED.contains(&b)), "{a}");
        assert_ne!(a, fresh_value(64));
    }
}
