//! The tokens this process signed with the IdP's own keys, remembered so that checking
//! one of them again skips the signature arithmetic (about half a millisecond for ES256,
//! more for RS256), which is most of what the mock MCP server spends on a client run.
//! A signature this process made with a key verifies with that key's public half by
//! construction (RFC 7515 §5.2): the shortcut is taken only where the verifier has picked
//! exactly that public key for the token, so it gives the verdict the arithmetic would.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use jsonwebtoken::jwk::Jwk;

/// How many tokens are remembered; past it the memo starts afresh (it only saves time).
const REMEMBERED: usize = 1024;

fn memo() -> &'static Mutex<HashMap<String, Jwk>> {
    static MEMO: OnceLock<Mutex<HashMap<String, Jwk>>> = OnceLock::new();
    MEMO.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Remembers that `token` was signed here with the private half of `key`.
pub fn remember(token: &str, key: &Jwk) {
    // A poisoned memo only loses reuse, never a verdict.
    let mut memo = memo().lock().unwrap_or_else(|e| e.into_inner());
    if memo.len() >= REMEMBERED {
        memo.clear();
    }
    memo.insert(token.to_string(), key.clone());
}

/// Whether `token`, byte for byte, was signed here with the private half of `key`.
pub fn signed_here_with(token: &str, key: &Jwk) -> bool {
    let memo = memo().lock().unwrap_or_else(|e| e.into_inner());
    memo.get(token).is_some_and(|signer| signer == key)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use jsonwebtoken::jwk::JwkSet;

    use crate::actors::tokens::{
        machine_client_jwk, verify_signature, Grant, KeySet, Minter, IDP_EC_KID, IDP_RSA_KID,
    };
    use crate::logic::token_recipe::{alter_signature, Mint, Signing};

    fn token(sign: Signing) -> String {
        let minter = Minter::new("http://127.0.0.1:1", KeySet::fixture());
        let recipe = Mint {
            sign,
            ..Mint::default()
        };
        let grant = Grant {
            resource: "http://127.0.0.1:2/mcp".into(),
            scope: String::new(),
        };
        minter.mint(&recipe, &grant).unwrap()
    }

    #[test]
    fn a_token_signed_here_is_taken_only_with_the_key_that_signed_it() {
        let keys = KeySet::fixture();
        let none = BTreeSet::new();
        for sign in [Signing::Rs256, Signing::Es256] {
            let minted = token(sign);
            assert!(verify_signature(&minted, &keys.jwks, &none).is_ok());
            // A server trusting another key of the same kind under the same id refuses
            // it, as the arithmetic says.
            let (mut other, kid) = match sign {
                Signing::Rs256 => (keys.untrusted_jwk.clone(), IDP_RSA_KID),
                _ => (machine_client_jwk(), IDP_EC_KID),
            };
            other.common.key_id = Some(kid.to_string());
            let impostor = JwkSet { keys: vec![other] };
            assert!(verify_signature(&minted, &impostor, &none).is_err());
            assert!(verify_signature(&minted, &JwkSet { keys: vec![] }, &none).is_err());
            // A copy with its signature altered was never signed here.
            assert!(verify_signature(&alter_signature(&minted), &keys.jwks, &none).is_err());
        }
    }
}
