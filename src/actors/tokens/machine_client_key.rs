//! The key pair of the machine client in the `auth/client-credentials-jwt` scenario
//! (RFC 7523 §2.2 `private_key_jwt`): the private half goes to the client under test in
//! the launch context, as the official scenario hands its generated key; the mock
//! authorization server knows the public half as the client's registered key. A fixed
//! test key (`fixtures/keys/client-es256.pem`, `openssl genpkey`) that protects nothing:
//! every flow runs on loopback against the suite's own mocks.

use std::sync::OnceLock;

use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey};

/// The PKCS#8 PEM of the client's P-256 private key.
pub const MACHINE_CLIENT_KEY_PEM: &str = include_str!("../../../fixtures/keys/client-es256.pem");

/// The algorithm the context names (`signing_algorithm`), as the official scenario does.
pub const MACHINE_CLIENT_ALGORITHM: &str = "ES256";

/// The public half, as the JWK the authorization server registered for the client.
pub fn machine_client_jwk() -> Jwk {
    static JWK: OnceLock<Jwk> = OnceLock::new();
    JWK.get_or_init(|| {
        let key = EncodingKey::from_ec_pem(MACHINE_CLIENT_KEY_PEM.as_bytes())
            .expect("the embedded client key parses");
        let mut jwk =
            Jwk::from_encoding_key(&key, Algorithm::ES256).expect("a P-256 key has a JWK");
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk
    })
    .clone()
}
