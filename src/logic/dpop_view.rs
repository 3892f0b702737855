//! DPoP proofs (RFC 9449) as data: what a proof JWT says and which of the RFC 9449 §4.3
//! checks it fails that need neither its key's signature nor server state. The mocks
//! (`actors::tokens::dpop_proof`) add the signature, the `iat` window, replay and the
//! nonce; client cases (`client_query`) read the recorded proofs through this module,
//! so a judgment names the rule a proof broke, not only that a mock refused it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use url::Url;

use super::jwt_view::decode_unverified;
use super::observation::Observation;
use crate::vocab::{header_values, Endpoint, Exchange};

/// The algorithms the mock authorization server advertises in
/// `dpop_signing_alg_values_supported` (RFC 9449 §5.1; SEP-1932: asymmetric only, never
/// `none`) and the mocks accept.
pub const DPOP_ALGORITHMS: &[&str] = &["ES256"];

/// The asymmetric JWS algorithms (RFC 7518 §3.1, RFC 8037): a proof signed otherwise is
/// refused (RFC 9449 §4.3 item 5, §11.6).
const ASYMMETRIC: &[&str] = &[
    "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA",
];

/// JWK members of private or symmetric keys (RFC 7518 §6.2.2, §6.3.2, §6.4.1): none may
/// be in a proof's `jwk` (RFC 9449 §4.3 item 7).
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// How far a proof's `iat` may be from the server's clock: ±5 minutes, as SEP-1932
/// requires of servers that do not track nonces (RFC 9449 §4.3 item 11 leaves it open).
pub const IAT_WINDOW: i64 = 300;

/// The error of an answer that asks for a server-provided nonce (RFC 9449 §8, §9).
pub const USE_DPOP_NONCE: &str = "use_dpop_nonce";
/// The error of a refused proof (RFC 9449 §5, §7.1).
pub const INVALID_DPOP_PROOF: &str = "invalid_dpop_proof";

/// What a client case asks about the proofs it judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DpopAspect {
    /// One `DPoP` header holding a well-formed proof: `typ` dpop+jwt, an asymmetric
    /// `alg`, a public `jwk`, `jti` and `iat` (RFC 9449 §4.2, §4.3 items 1–7).
    Proof,
    /// The access token presented with the `DPoP` scheme (RFC 9449 §7.1).
    Scheme,
    /// `htm` and `htu` name the request's method and URL (RFC 9449 §4.3 items 8, 9).
    HtmHtu,
    /// `ath` is the hash of the access token presented (RFC 9449 §4.3 item 12).
    Ath,
    /// No two proofs to the endpoint share a `jti` (RFC 9449 §4.2, §11.1).
    Jti,
    /// An MCP request's proof is signed with the key its token is bound to (RFC 9449
    /// §4.3 item 12, §6.1 `cnf.jkt`).
    Key,
    /// A `use_dpop_nonce` answer is followed by a request whose proof carries that nonce
    /// (RFC 9449 §8, §9).
    Nonce,
}

/// A proof's JOSE header and claims, decoded without verifying.
#[derive(Debug, Clone)]
pub struct ProofView {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

impl ProofView {
    pub fn decode(jwt: &str) -> Option<ProofView> {
        let (header, claims) = decode_unverified(jwt.trim())?;
        Some(ProofView { header, claims })
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// The RFC 7638 thumbprint of the proof's `jwk`.
    pub fn thumbprint(&self) -> Option<String> {
        jwk_thumbprint(self.header.get("jwk")?)
    }
}

/// The JWK SHA-256 thumbprint (RFC 7638 §3): the required members in lexicographic
/// order, no whitespace, hashed and base64url-encoded (RFC 9449 §6.1 `jkt`).
pub fn jwk_thumbprint(jwk: &Value) -> Option<String> {
    let member = |name: &str| jwk.get(name).and_then(Value::as_str);
    let required: &[&str] = match member("kty")? {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        "OKP" => &["crv", "kty", "x"],
        _ => return None,
    };
    let mut parts = Vec::new();
    for name in required {
        let value = Value::String(member(name)?.to_string());
        parts.push(format!("\"{name}\":{value}"));
    }
    let canonical = format!("{{{}}}", parts.join(","));
    Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
}

/// `ath`: base64url(SHA-256(ASCII access token)) (RFC 9449 §4.2).
pub fn ath_of(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// The `htu` of a request to `url`: the URL without query and fragment (RFC 9449 §4.2).
pub fn htu_of(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => url.to_string(),
    }
}

/// The faults of one proof that need no key and no state, by aspect: the proof sent with
/// a `method` request to `url`, presenting `token` when it is an MCP request. The URLs
/// compare after RFC 3986 §6.2.2/§6.2.3 normalization (what `url` parsing does: case of
/// scheme and host, default port), as RFC 9449 §4.3 item 9 asks.
pub fn proof_faults(
    proof: &ProofView,
    method: &str,
    url: &str,
    token: Option<&str>,
) -> Vec<(DpopAspect, String)> {
    use DpopAspect as A;
    let mut faults = Vec::new();
    let h = |name: &str| proof.header.get(name).and_then(Value::as_str);
    if h("typ") != Some("dpop+jwt") {
        faults.push((A::Proof, format!("typ is {:?}, not dpop+jwt", h("typ"))));
    }
    match h("alg") {
        Some(alg) if ASYMMETRIC.contains(&alg) => {}
        alg => faults.push((A::Proof, format!("alg {alg:?} is not asymmetric"))),
    }
    match proof.header.get("jwk") {
        Some(jwk @ Value::Object(members)) => {
            if let Some(m) = PRIVATE_MEMBERS.iter().find(|m| members.contains_key(**m)) {
                faults.push((A::Proof, format!("the jwk has the private member {m}")));
            }
            if jwk_thumbprint(jwk).is_none() {
                faults.push((A::Proof, "the jwk is not an EC, RSA or OKP key".into()));
            }
        }
        _ => faults.push((A::Proof, "no jwk header".into())),
    }
    if proof.claim_str("jti").is_none_or(str::is_empty) {
        faults.push((A::Proof, "no jti".into()));
    }
    if !proof.claims.get("iat").is_some_and(Value::is_number) {
        faults.push((A::Proof, "no numeric iat".into()));
    }
    if proof.claim_str("htm") != Some(method) {
        let htm = proof.claim_str("htm");
        faults.push((
            A::HtmHtu,
            format!("htm is {htm:?}, the request is {method}"),
        ));
    }
    match proof.claim_str("htu") {
        Some(htu) if htu.contains('?') || htu.contains('#') => {
            faults.push((A::HtmHtu, format!("htu {htu} has a query or fragment")))
        }
        Some(htu) if htu_of(htu) == htu_of(url) => {}
        htu => faults.push((
            A::HtmHtu,
            format!("htu is {htu:?}, the request went to {}", htu_of(url)),
        )),
    }
    if let Some(token) = token {
        match proof.claim_str("ath") {
            Some(ath) if ath == ath_of(token) => {}
            Some(_) => faults.push((A::Ath, "ath is not the hash of the token".into())),
            None => faults.push((A::Ath, "no ath beside an access token".into())),
        }
    }
    faults
}

/// The `cnf.jkt` of a JWT access token, read without verifying (RFC 9449 §6.1).
pub fn token_jkt(token: &str) -> Option<String> {
    let (_, claims) = decode_unverified(token)?;
    claims.get("cnf")?.get("jkt")?.as_str().map(str::to_string)
}

/// The requests to `to` whose proofs a case judges: every token request; the MCP
/// requests that present an access token (before it, a request carries no proof).
pub fn judged(o: &Observation, to: Endpoint) -> Vec<&Exchange> {
    o.to(to)
        .into_iter()
        .filter(|e| to != Endpoint::Mcp || request_header(e, "Authorization").is_some())
        .collect()
}

/// How many answers of `to` asked for a nonce: a `DPoP-Nonce` header with the
/// `use_dpop_nonce` error in the body (RFC 9449 §8) or the challenge (§9).
pub fn nonce_challenges(o: &Observation, to: Endpoint) -> usize {
    o.to(to)
        .into_iter()
        .filter(|e| asked_nonce(e).is_some())
        .count()
}

/// The nonce an answer asked for, if it was a `use_dpop_nonce` answer.
fn asked_nonce(e: &Exchange) -> Option<String> {
    let header = |name: &str| {
        e.response_headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.clone())
    };
    let nonce = header("DPoP-Nonce")?;
    let in_body = e
        .response_body
        .as_deref()
        .is_some_and(|b| b.contains(USE_DPOP_NONCE));
    let in_challenge = header("WWW-Authenticate").is_some_and(|c| c.contains(USE_DPOP_NONCE));
    (in_body || in_challenge).then_some(nonce)
}

fn request_header<'a>(e: &'a Exchange, name: &str) -> Option<&'a str> {
    e.request_headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// The token an MCP request presents, with its scheme.
fn presented(e: &Exchange) -> Option<(&str, &str)> {
    let value = request_header(e, "Authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    Some((scheme, token.trim()))
}

/// The faults of `aspect` in the judged requests to `to`, one line each, `<endpoint>
/// request <n>: <fault>` (n counts the judged requests from 1).
pub fn observed_faults(o: &Observation, to: Endpoint, aspect: DpopAspect) -> Vec<String> {
    use DpopAspect as A;
    let requests = judged(o, to);
    let mut faults = Vec::new();
    let mut jtis = std::collections::HashSet::new();
    for (i, e) in requests.iter().enumerate() {
        let mut fault =
            |text: String| faults.push(format!("{} request {}: {text}", to.as_str(), i + 1));
        let token = presented(e).map(|(_, t)| t);
        if aspect == A::Scheme {
            match presented(e) {
                Some((scheme, _)) if scheme.eq_ignore_ascii_case("DPoP") => {}
                Some((scheme, _)) => fault(format!("the token is presented with {scheme}")),
                None => fault("no Authorization scheme and token".into()),
            }
            continue;
        }
        let proofs = header_values(&e.request_headers, "DPoP");
        // RFC 9449 §4.3 item 1: exactly one DPoP header.
        let view = match proofs.as_slice() {
            [one] => ProofView::decode(one),
            [] => {
                if aspect == A::Proof {
                    fault("no DPoP header".into());
                }
                continue;
            }
            _ => {
                if aspect == A::Proof {
                    fault(format!("{} DPoP headers", proofs.len()));
                }
                continue;
            }
        };
        let Some(view) = view else {
            if aspect == A::Proof {
                fault("the DPoP header is not a JWT (RFC 9449 §4.3 item 2)".into());
            }
            continue;
        };
        match aspect {
            A::Jti => {
                if let Some(jti) = view.claim_str("jti") {
                    if !jtis.insert(jti.to_string()) {
                        fault(format!("jti {jti} was in an earlier proof"));
                    }
                }
            }
            A::Key if to == Endpoint::Mcp => match (token.and_then(token_jkt), view.thumbprint()) {
                (Some(jkt), Some(own)) if jkt == own => {}
                (None, _) => fault("the token carries no cnf.jkt".into()),
                _ => fault("the proof's key is not the one the token is bound to".into()),
            },
            A::Key => {}
            A::Nonce => {
                let Some(asked) = asked_nonce(e) else {
                    continue;
                };
                match requests.get(i + 1).and_then(|next| proof_nonce(next)) {
                    Some(sent) if sent == asked => {}
                    Some(sent) => fault(format!("the next proof's nonce is {sent}, not {asked}")),
                    None if requests.get(i + 1).is_some() => {
                        fault("the next proof carries no nonce after use_dpop_nonce".into())
                    }
                    None => fault("no request with the nonce followed use_dpop_nonce".into()),
                }
            }
            _ => {
                let token = token.filter(|_| to == Endpoint::Mcp);
                for (which, text) in proof_faults(&view, &e.method, &e.url, token) {
                    if which == aspect {
                        fault(text);
                    }
                }
            }
        }
    }
    faults
}

/// The `nonce` claim of a request's proof.
fn proof_nonce(e: &Exchange) -> Option<String> {
    let view = ProofView::decode(request_header(e, "DPoP")?)?;
    view.claim_str("nonce").map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn thumbprint_matches_rfc_7638_section_3_1() {
        let jwk = json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            jwk_thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn htu_drops_query_and_fragment_and_normalizes() {
        assert_eq!(htu_of("HTTP://Host:80/mcp?x=1#f"), "http://host/mcp");
    }

    #[test]
    fn a_wrong_method_and_a_missing_ath_are_named() {
        let proof = ProofView {
            header: json!({"typ": "dpop+jwt", "alg": "ES256",
                "jwk": {"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}})
            .as_object()
            .cloned()
            .unwrap(),
            claims: json!({"jti": "1", "iat": 1, "htm": "GET", "htu": "http://h/mcp"})
                .as_object()
                .cloned()
                .unwrap(),
        };
        let faults = proof_faults(&proof, "POST", "http://h/mcp", Some("t"));
        let aspects: Vec<DpopAspect> = faults.iter().map(|f| f.0).collect();
        assert_eq!(aspects, vec![DpopAspect::HtmHtu, DpopAspect::Ath]);
    }
}
