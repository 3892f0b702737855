//! The reference client's DPoP steps (RFC 9449), only in the DPoP extension's official
//! scenarios (`auth/dpop`, `auth/dpop-nonce`), on which clients of the official suite
//! dispatch: its everything client registers its DPoP flow for those two names, and the
//! other scenarios' MCP servers take Bearer tokens only. In them: a proof on every token
//! request (§5) and every MCP request (§7.1), the token under the `DPoP` scheme with
//! `ath`, and one retry with the nonce a `use_dpop_nonce` answer provides, at the
//! authorization server (§8) and at the MCP server (§9).

use super::dpop_key::{lock, ProofFor};
use super::wire::{header, json_object, string_member, Ctx};
use crate::logic::dpop_view::USE_DPOP_NONCE;
use crate::transport::{HttpRequest, HttpResponse};
use crate::vocab::{ClientDefect as D, ClientKnob as K, HeaderPair};

/// Whether an answer is a `use_dpop_nonce` one, with its nonce (§8: 400 and the error in
/// the body; §9: 401 and the error in the DPoP challenge).
fn asked_nonce(response: &HttpResponse) -> Option<String> {
    let nonce = header(response, "DPoP-Nonce")?.trim().to_string();
    let in_body =
        json_object(response).is_some_and(|b| string_member(&b, "error") == Some(USE_DPOP_NONCE));
    let in_challenge = super::wire::headers(response, "WWW-Authenticate")
        .iter()
        .any(|c| c.contains(USE_DPOP_NONCE));
    (in_body || in_challenge).then_some(nonce)
}

/// A token request (RFC 6749 §3.2) with a proof for `POST <token endpoint>` (§5), sent
/// again once with the nonce if the answer asks for one (§8).
pub(super) async fn post_token_form(
    ctx: &Ctx,
    endpoint: &str,
    form: &[(&str, String)],
    headers: Vec<HeaderPair>,
) -> Result<HttpResponse, String> {
    let Some(dpop) = &ctx.dpop else {
        return ctx.post_form(endpoint, form, headers).await;
    };
    let mut retried = false;
    loop {
        let mut with_proof = headers.clone();
        if !ctx.has(D::DpopNoTokenProof) {
            let nonce = lock(&dpop.as_nonce).clone();
            let proof = dpop.key.proof(&ProofFor {
                method: "POST",
                url: endpoint,
                ath_of: None,
                nonce: nonce.as_deref(),
                exp: ctx.launch.has_knob(K::DpopProofWithExp),
            })?;
            with_proof.push(HeaderPair::new("DPoP", proof));
        }
        let response = ctx.post_form(endpoint, form, with_proof).await?;
        match asked_nonce(&response) {
            Some(nonce)
                if response.status == 400 && !retried && !ctx.has(D::DpopIgnoresAsNonce) =>
            {
                *lock(&dpop.as_nonce) = Some(nonce);
                retried = true;
            }
            _ => return Ok(response),
        }
    }
}

/// Turns an MCP request that presents `token` into a DPoP one: `Authorization: DPoP`
/// (§7.1) and a proof for its method and URL with `ath` (§4.2) and the server's nonce.
pub(super) fn prove_mcp_request(
    ctx: &Ctx,
    request: &mut HttpRequest,
    token: Option<&str>,
) -> Result<(), String> {
    let (Some(dpop), Some(token)) = (&ctx.dpop, token) else {
        return Ok(());
    };
    let scheme = if ctx.has(D::DpopBearerScheme) {
        "Bearer"
    } else if ctx.launch.has_knob(K::DpopLowercaseScheme) {
        "dpop"
    } else {
        "DPoP"
    };
    for h in request.headers.iter_mut() {
        if h.name.eq_ignore_ascii_case("Authorization") {
            h.value = format!("{scheme} {token}");
        }
    }
    if ctx.has(D::DpopNoResourceProof) {
        return Ok(());
    }
    if ctx.has(D::DpopReusesProof) {
        if let Some(proof) = lock(&dpop.reused).clone() {
            request.headers.push(HeaderPair::new("DPoP", proof));
            return Ok(());
        }
    }
    let url = if ctx.has(D::DpopWrongHtu) {
        let origin = url::Url::parse(&request.url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        format!("{origin}/")
    } else {
        request.url.clone()
    };
    let wrong_ath = format!("{token}.other");
    let nonce = lock(&dpop.rs_nonce).clone();
    let key = dpop.resource_key.as_ref().unwrap_or(&dpop.key);
    let proof = key.proof(&ProofFor {
        method: &request.method,
        url: &url,
        ath_of: Some(if ctx.has(D::DpopWrongAth) {
            &wrong_ath
        } else {
            token
        }),
        nonce: nonce.as_deref(),
        exp: ctx.launch.has_knob(K::DpopProofWithExp),
    })?;
    if ctx.has(D::DpopReusesProof) {
        *lock(&dpop.reused) = Some(proof.clone());
    }
    request.headers.push(HeaderPair::new("DPoP", proof));
    Ok(())
}

/// Whether a 401 of the MCP server asks for a nonce the client will send (§9): the nonce
/// is kept for the next proofs.
pub(super) fn takes_rs_nonce(ctx: &Ctx, response: &HttpResponse) -> bool {
    let Some(dpop) = &ctx.dpop else {
        return false;
    };
    match asked_nonce(response) {
        Some(nonce) if response.status == 401 && !ctx.has(D::DpopIgnoresRsNonce) => {
            *lock(&dpop.rs_nonce) = Some(nonce);
            true
        }
        _ => false,
    }
}
