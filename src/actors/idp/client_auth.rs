//! Client authentication at the token endpoint (RFC 6749 §2.3, OAuth 2.1 §2.4): the
//! method the client registered (RFC 7591 §2), `none` for public clients, HTTP Basic or
//! the request body for confidential ones (either, when the server offers both:
//! `auth_methods::accepts`), a JWT assertion for `private_key_jwt` clients
//! (`client_assertion.rs`).

use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::auth_methods::{accepts, advertised};
use super::client::Client;
use super::client_assertion::{authenticate_assertion, has_assertion};
use super::params::Params;
use super::refusal::Refusal;
use super::state::{lock, IdpState};
use crate::vocab::IdpDefect as D;

/// Authenticates the client with a method acceptable for it (RFC 6749 §2.3, RFC 7591 §2).
pub(super) fn authenticate(
    s: &IdpState,
    headers: &HeaderMap,
    p: &Params,
) -> Result<Client, Refusal> {
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => Some(basic_credentials(value).ok_or_else(|| {
            Refusal::client(
                "the Authorization header is not HTTP Basic credentials with form-urlencoded \
                 client_id and secret (RFC 6749 §2.3.1)",
                true,
            )
        })?),
    };
    let used_basic = basic.is_some();
    let body_secret = p.get("client_secret");
    if has_assertion(p) {
        // RFC 6749 §2.3: one authentication method per request.
        if used_basic || body_secret.is_some() {
            return Err(Refusal::bad(
                "invalid_request",
                "the client authenticated both with a client assertion and with a secret \
                 (RFC 6749 §2.3)",
            ));
        }
        return authenticate_assertion(s, p);
    }
    // RFC 6749 §2.3: one authentication method per request.
    if used_basic && body_secret.is_some() {
        return Err(Refusal::bad(
            "invalid_request",
            "the client authenticated both with Basic and with client_secret in the body \
             (RFC 6749 §2.3)",
        ));
    }
    let client_id = match (&basic, p.get("client_id")) {
        (Some((id, _)), Some(body_id)) if id != body_id => {
            return Err(Refusal::client(
                "the client_id in the body differs from the Basic credentials",
                true,
            ))
        }
        (Some((id, _)), _) => id.clone(),
        (None, Some(body_id)) => body_id.to_string(),
        (None, None) => {
            return Err(Refusal::client(
                "no client authentication and no client_id (RFC 6749 §3.2.1)",
                false,
            ))
        }
    };
    let client = lock(&s.clients)
        .get(&client_id)
        .cloned()
        .ok_or_else(|| Refusal::client(format!("unknown client {client_id:?}"), used_basic))?;
    let (method, secret) = match (basic, body_secret) {
        (Some((_, secret)), _) => ("client_secret_basic", Some(secret)),
        (None, Some(secret)) => ("client_secret_post", Some(secret.to_string())),
        (None, None) => ("none", None),
    };
    // The defect keeps the method's shape (Basic header, or client_id in the body) but
    // takes a client_secret_post client that sends no secret at all.
    let skips_secret = s.has(D::SkipsBasicSecretCheck);
    let shape_only = skips_secret
        && method == "none"
        && client.token_endpoint_auth_method == "client_secret_post";
    if !accepts(s, &client, method) && !shape_only {
        return Err(Refusal::client(
            format!(
                "the client registered {} but authenticated with {method}, which this \
                 server does not accept for it (token_endpoint_auth_methods_supported: {})",
                client.token_endpoint_auth_method,
                advertised(s).join(", ")
            ),
            used_basic,
        ));
    }
    // RFC 6749 §2.3.1: a confidential client proves itself with its secret.
    if !skips_secret && secret.is_some() && secret != client.client_secret {
        return Err(Refusal::client("wrong client secret", used_basic));
    }
    Ok(client)
}

/// HTTP Basic credentials; RFC 6749 §2.3.1 form-urlencodes the client_id and secret
/// before they are joined with `:` and base64-encoded.
fn basic_credentials(value: &HeaderValue) -> Option<(String, String)> {
    let (scheme, encoded) = value.to_str().ok()?.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// Decodes an application/x-www-form-urlencoded value: `+` is a space, `%XX` a byte.
/// Malformed escapes and bytes that are not UTF-8 are refused, not guessed at.
fn form_decode(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut input = s.bytes();
    while let Some(b) = input.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [input.next()?, input.next()?];
                // from_str_radix alone would take a sign: `%+1`.
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            _ => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}
