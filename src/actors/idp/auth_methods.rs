//! Which client authentication methods the token endpoint offers (RFC 8414 §2
//! `token_endpoint_auth_methods_supported`), which one a registration is given (RFC 7591
//! §3.2.1), and which ones a request may use (RFC 6749 §2.3).
//!
//! A server with a pre-registered client offers exactly that client's method, as the
//! official suite's token-endpoint-auth and pre-registration scenarios do, so a client
//! that reads only `client_id` and `client_secret` can tell which one to use; the
//! `several-auth-methods` knob offers all three instead.

use super::client::Client;
use super::state::IdpState;
use crate::vocab::{IdpDefect as D, IdpKnob as K};

/// The methods this server implements, in its order of preference.
pub const ALL_METHODS: [&str; 3] = ["none", "client_secret_basic", "client_secret_post"];

/// Client assertions (RFC 7523 §2.2), for the pre-registered machine clients of the
/// client credentials extension only: registration does not take client keys.
pub const PRIVATE_KEY_JWT: &str = "private_key_jwt";

/// The two methods of a client that holds a secret (RFC 6749 §2.3.1).
const SECRET_METHODS: [&str; 2] = ["client_secret_basic", "client_secret_post"];

/// What the server really offers (registrations get one of these, requests may use them).
pub fn offered(s: &IdpState) -> Vec<&'static str> {
    if s.has_knob(K::SeveralAuthMethods) {
        return ALL_METHODS.to_vec();
    }
    if s.has_knob(K::PublicClientsOnly) {
        return vec!["none"];
    }
    if s.has_knob(K::ConfidentialClientsOnly) {
        return vec!["client_secret_post"];
    }
    if s.has_knob(K::BasicClientsOnly) {
        return vec!["client_secret_basic"];
    }
    let registered: Vec<&'static str> = ALL_METHODS
        .into_iter()
        .chain([PRIVATE_KEY_JWT])
        .filter(|m| {
            s.config
                .preregistered
                .iter()
                .any(|c| c.token_endpoint_auth_method == *m)
        })
        .collect();
    if registered.is_empty() {
        ALL_METHODS.to_vec()
    } else {
        registered
    }
}

/// What the metadata lists: the offered methods (and private_key_jwt where the server
/// implements the client credentials extension), less `none` under the defect that
/// hides it (the server still registers public clients).
pub fn advertised(s: &IdpState) -> Vec<&'static str> {
    let mut methods = offered(s);
    if s.config.client_credentials && !methods.contains(&PRIVATE_KEY_JWT) {
        methods.push(PRIVATE_KEY_JWT);
    }
    if s.has(D::MetadataNoMachineAuthMethods) {
        methods.retain(|m| !matches!(*m, "client_secret_basic" | PRIVATE_KEY_JWT));
    }
    if s.has(D::MetadataNoNoneAuthMethod) {
        methods.retain(|m| *m != "none");
        if methods.is_empty() {
            methods = SECRET_METHODS.to_vec();
        }
    }
    methods
}

/// The method a registration gets: the requested one (RFC 7591 §2: absent means
/// `client_secret_basic`) when offered, else the server's first offered method (RFC
/// 7591 §3.2.1 lets the server replace a requested value; the response names the one
/// registered), with a note saying so. `Err` for a method this server does not know.
pub fn assigned(s: &IdpState, requested: Option<&str>) -> Result<&'static str, String> {
    let wanted = requested.unwrap_or("client_secret_basic");
    let Some(known) = ALL_METHODS.into_iter().find(|m| *m == wanted) else {
        return Err(format!(
            "token_endpoint_auth_method {wanted:?} is not one of {ALL_METHODS:?}"
        ));
    };
    // Registration gives no client a key: private_key_jwt is for pre-registered clients.
    let mut offered: Vec<&'static str> = offered(s)
        .into_iter()
        .filter(|m| ALL_METHODS.contains(m))
        .collect();
    if offered.is_empty() {
        offered = vec!["none"];
    }
    if offered.contains(&known) {
        return Ok(known);
    }
    let given = offered[0];
    let asked = match requested {
        Some(m) => format!("asked for token_endpoint_auth_method {m}"),
        None => {
            "asked for no token_endpoint_auth_method (RFC 7591 §2: client_secret_basic)".to_string()
        }
    };
    s.note(format!(
        "registration: the client {asked}; this authorization server offers only {}, so it \
         registered the client with {given} and said so in the registration response \
         (RFC 7591 §3.2.1)",
        offered.join(", ")
    ));
    Ok(given)
}

/// Whether a token request authenticated with `used` is acceptable for `client`: its
/// registered method, or, for a client holding a secret, the other secret method when
/// the server offers it (RFC 6749 §2.3.1: a server MUST support HTTP Basic for clients
/// issued a password; one that advertises both takes either).
///
/// A machine client of the client credentials extension may use either secret method
/// whatever is advertised: the extension's text sends the secret "in the request
/// content" (OAuth 2.1 §2.4.1) while its metadata rule and the official scenario name
/// client_secret_basic (the catalog's Appendix A-10: accept both; a case warns).
pub fn accepts(s: &IdpState, client: &Client, used: &str) -> bool {
    let machine = client.grant_types.iter().any(|g| g == "client_credentials");
    used == client.token_endpoint_auth_method
        || (client.client_secret.is_some()
            && SECRET_METHODS.contains(&used)
            && (machine || offered(s).contains(&used)))
}
