//! DPoP at the token endpoint (RFC 9449 §5), in the DPoP extension's set-ups: every
//! token request carries a proof for `POST <token endpoint>`, which `check_proof`
//! verifies; with the nonce posture the first proof is answered with `use_dpop_nonce`
//! (§8) and only proofs with the nonce are accepted. The token issued is bound to the
//! proof's key (§6.1 `cnf.jkt`) and typed `DPoP` (§5).

use axum::http::HeaderMap;

use super::refusal::Refusal;
use super::state::IdpState;
use crate::actors::tokens::{check_proof, ProofContext, ProofRefusal};
use crate::logic::dpop_view::INVALID_DPOP_PROOF;

/// The thumbprint of the key the token request proves, `None` outside DPoP set-ups.
pub(super) fn proven_key(s: &IdpState, headers: &HeaderMap) -> Result<Option<String>, Refusal> {
    let Some(dpop) = s.config.dpop else {
        return Ok(None);
    };
    let url = s.endpoint("token");
    let context = ProofContext {
        method: "POST",
        url: &url,
        token: None,
        nonce: dpop.nonce.then_some(s.dpop_nonce.as_str()),
    };
    match check_proof(headers, &context, &s.dpop_jtis) {
        Ok(jkt) => Ok(Some(jkt)),
        // RFC 9449 §5: an invalid or missing proof is `invalid_dpop_proof`; the server
        // requires proofs of every client here (as with `dpop_bound_access_tokens`, §5.2).
        Err(ProofRefusal::Invalid(why)) => Err(Refusal::bad(INVALID_DPOP_PROOF, why)),
        Err(ProofRefusal::NeedsNonce) => Err(Refusal::use_dpop_nonce(&s.dpop_nonce)),
    }
}
