//! Keys, minting and validation of JWT access tokens (RFC 9068).

mod dpop_proof;
mod federation_keys;
mod keys;
#[cfg(test)]
mod known_answers;
mod machine_client_key;
mod mint;
mod minted;
mod supply;
mod validate;
mod verifying_keys;

pub use dpop_proof::{check_proof, ProofContext, ProofRefusal};
pub use federation_keys::{enterprise_idp, workload_issuer, SigningParty};
pub use keys::{rsa_pem_from_components, KeySet, IDP_EC_KID, IDP_RSA_KID, UNTRUSTED_KID};
pub use machine_client_key::{
    machine_client_jwk, MACHINE_CLIENT_ALGORITHM, MACHINE_CLIENT_KEY_PEM,
};
pub use mint::{random_id, unix_now, Grant, Minter, CLIENT_ID, DEFAULT_LIFETIME, SUBJECT};
pub use supply::{TokenError, TokenSupply};
pub use validate::{check_claims, verify_signature, Expectations, Rejection, LEEWAY};
pub use verifying_keys::VerifyingKeys;
