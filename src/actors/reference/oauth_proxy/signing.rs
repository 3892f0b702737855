//! The consent cookie (Best Practices, "Consent Cookie Security"): the approved
//! `client_id`s of this browser, signed with HMAC-SHA256 (RFC 2104) under the proxy's
//! key, set `__Host-…; Secure; HttpOnly; SameSite=Lax; Path=/`. Defects change the name,
//! the attributes, the check of the signature, or what the cookie grants.

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

use super::state::ProxyState;
use crate::vocab::ServerDefect as D;

pub(super) const CONSENT_COOKIE: &str = "__Host-mcp_consent";
pub(super) const CONSENT_COOKIE_UNPREFIXED: &str = "mcp_consent";
pub(super) const STATE_COOKIE: &str = "__Host-mcp_state";
pub(super) const CSRF_COOKIE: &str = "__Host-mcp_csrf";

/// HMAC-SHA256 (RFC 2104), hex.
fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut k = if key.len() > BLOCK {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(BLOCK, 0);
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// A cookie of the request, by name.
pub(super) fn request_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` line of a cookie the proxy sets.
pub(super) fn set_cookie(s: &ProxyState, name: &str, value: &str) -> String {
    if s.has(D::ProxyCookieAttributesMissing) {
        format!("{name}={value}; Path=/")
    } else {
        format!("{name}={value}; Secure; HttpOnly; SameSite=Lax; Path=/")
    }
}

fn consent_cookie_name(s: &ProxyState) -> &'static str {
    if s.has(D::ProxyCookieWithoutHostPrefix) {
        CONSENT_COOKIE_UNPREFIXED
    } else {
        CONSENT_COOKIE
    }
}

/// The client ids the request's consent cookie approves: only under a valid signature
/// (unless `proxy-cookie-unsigned`).
pub(super) fn approved_clients(s: &ProxyState, headers: &HeaderMap) -> Option<Vec<String>> {
    let value = request_cookie(headers, consent_cookie_name(s))?;
    let (ids, signature) = value.rsplit_once('.')?;
    if !s.has(D::ProxyCookieUnsigned) && hmac_hex(&s.key, ids.as_bytes()) != signature {
        return None;
    }
    Some(ids.split('~').map(str::to_string).collect())
}

/// Whether the browser's consent cookie covers `client_id`.
pub(super) fn has_consent(s: &ProxyState, headers: &HeaderMap, client_id: &str) -> bool {
    match approved_clients(s, headers) {
        // The defect: any approval counts for every client.
        Some(ids) if s.has(D::ProxyConsentForAnyClient) => !ids.is_empty(),
        Some(ids) => ids.iter().any(|id| id == client_id),
        None => false,
    }
}

/// The `Set-Cookie` line recording consent for `client_id` besides the earlier ones.
pub(super) fn consent_cookie(s: &ProxyState, headers: &HeaderMap, client_id: &str) -> String {
    let mut ids = approved_clients(s, headers).unwrap_or_default();
    if !ids.iter().any(|id| id == client_id) {
        ids.push(client_id.to_string());
    }
    let ids = ids.join("~");
    let value = format!("{ids}.{}", hmac_hex(&s.key, ids.as_bytes()));
    set_cookie(s, consent_cookie_name(s), &value)
}

#[cfg(test)]
mod tests {
    use super::hmac_hex;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
