//! The JWT bearer authorization grant (RFC 7523 §2.1, RFC 7521 §4.1) of two extensions:
//! enterprise-managed authorization redeems an ID-JAG the enterprise identity provider
//! issued (ext-auth draft "5. Access Token Request", "5.1 Processing Rules"), workload
//! identity federation a workload's JWT from its identity issuer (SEP-1933). The mock
//! applies RFC 7521 §5.2 and RFC 7523 §3 — signature of the trusted issuer, `iss`, an
//! audience naming this server, `exp`, a `jti` used once — plus each extension's rules.

use axum::http::HeaderMap;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::authorize::{resource, scope};
use super::client::Client;
use super::client_assertion::audience_names_server;
use super::client_auth::authenticate;
use super::config::AssertionGrantConfig;
use super::grants::Issue;
use super::params::Params;
use super::refusal::Refusal;
use super::state::{lock, IdpState};
use crate::actors::tokens::{enterprise_idp, workload_issuer};
use crate::vocab::oauth_urns::JWT_BEARER_GRANT;
use crate::vocab::IdpKnob as K;

/// The ext-auth draft's "4.3": the JOSE `typ` of an ID-JAG.
pub const ID_JAG_TYP: &str = "oauth-id-jag+jwt";

/// Clock skew allowed on `exp` (RFC 7523 §3 item 4).
const LEEWAY: u64 = 30;

/// The enterprise identity provider's issuer, beside this server.
pub fn enterprise_issuer(s: &IdpState) -> String {
    issuer_at(&s.origin)
}

/// The enterprise identity provider's issuer, beside the MCP authorization server at
/// `origin`.
pub fn issuer_at(origin: &str) -> String {
    format!("{origin}/enterprise")
}

/// Its token endpoint (`token_exchange`'s route).
pub fn token_endpoint_of(issuer: &str) -> String {
    format!("{issuer}/token")
}

/// Redeems the assertion: the client it is for and what to issue.
pub(super) fn redeem_assertion(
    s: &IdpState,
    headers: &HeaderMap,
    p: &Params,
) -> Result<(Client, Issue), Refusal> {
    let invalid_grant = |why: String| Refusal::bad("invalid_grant", why);
    let Some(trust) = &s.config.assertion_grant else {
        return Err(Refusal::bad(
            "unsupported_grant_type",
            "this server takes no JWT bearer grants",
        ));
    };
    let assertion = p
        .get("assertion")
        .ok_or_else(|| Refusal::bad("invalid_request", "assertion is missing (RFC 7521 §4.1)"))?;
    let header = decode_header(assertion)
        .map_err(|e| invalid_grant(format!("the assertion is not a JWT: {e} (RFC 7523 §3)")))?;
    let (client, claims) = match trust {
        AssertionGrantConfig::Enterprise { .. } => {
            // The draft's "5. Access Token Request": the client authenticates with its
            // credentials as registered here.
            let client = authenticate(s, headers, p)?;
            // "5.1": typ is oauth-id-jag+jwt (RFC 8725 §3.11 explicit typing).
            let typ = header.typ.as_deref().unwrap_or("");
            if !typ.eq_ignore_ascii_case(ID_JAG_TYP) {
                return Err(invalid_grant(format!(
                    "the assertion's typ is {typ:?}, not {ID_JAG_TYP} (enterprise-managed \
                     authorization 5.1)"
                )));
            }
            let claims = verified(
                s,
                assertion,
                &enterprise_idp().jwk,
                &enterprise_issuer(s),
                false,
            )?;
            // "5.1": the client_id claim identifies the authenticated client.
            let named = claims
                .get("client_id")
                .and_then(Value::as_str)
                .unwrap_or("");
            if named != client.client_id {
                return Err(invalid_grant(format!(
                    "the ID-JAG's client_id {named:?} is not the authenticated client {:?} \
                     (enterprise-managed authorization 5.1)",
                    client.client_id
                )));
            }
            (client, claims)
        }
        AssertionGrantConfig::Workload { issuer, client_id } => {
            // RFC 7521 §4.1: client authentication is optional with an assertion grant;
            // a client_id, when sent, names the workload's client.
            if let Some(named) = p.get("client_id") {
                if named != client_id {
                    return Err(Refusal::client(format!("unknown client {named:?}"), false));
                }
            }
            let client = lock(&s.clients)
                .get(client_id)
                .cloned()
                .ok_or_else(|| Refusal::server_error("the workload client is not registered"))?;
            let claims = verified(s, assertion, &workload_issuer().jwk, issuer, true)?;
            (client, claims)
        }
    };
    if !client.grant_types.iter().any(|g| g == JWT_BEARER_GRANT) {
        return Err(Refusal::bad(
            "unauthorized_client",
            "the client is not allowed the JWT bearer grant (RFC 6749 §5.2)",
        ));
    }
    if s.has_knob(K::RefusesAssertionGrants) {
        return Err(invalid_grant(
            "this server refuses the assertion by policy (its policy for the run)".into(),
        ));
    }
    // RFC 7523 §3 item 7: a jti used once.
    if let Some(jti) = claims.get("jti").and_then(Value::as_str) {
        if !lock(&s.assertion_ids).insert(format!("grant\n{jti}")) {
            return Err(invalid_grant(format!(
                "the assertion's jti {jti:?} was used before (RFC 7523 §3 item 7)"
            )));
        }
    }
    let refuse = |(error, description): (&'static str, String)| Refusal::bad(error, description);
    let granted_scope = scope(s, p).map_err(refuse)?;
    // The ID-JAG names its resource ("4.3"); a request that names one too must agree.
    let requested = resource(s, p).map_err(refuse)?;
    let resource = match (claims.get("resource").and_then(Value::as_str), requested) {
        (Some(claimed), Some(asked)) if claimed != asked => {
            return Err(invalid_grant(format!(
                "resource {asked:?} is not the ID-JAG's resource {claimed:?}"
            )))
        }
        (Some(claimed), _) => Some(claimed.to_string()),
        (None, asked) => asked,
    };
    Ok((
        client,
        Issue {
            resource,
            scope: granted_scope,
            new_refresh: None,
        },
    ))
}

/// The claims of an assertion that verifies with `jwk`, was issued by `issuer` and names
/// this server as its audience: its issuer (with `/` when it has no path, RFC 3986
/// §6.2.3), or, where `token_endpoint_too`, its token endpoint (RFC 7523 §3 item 3; the
/// enterprise draft's 5.1 names the issuer only).
fn verified(
    s: &IdpState,
    assertion: &str,
    jwk: &jsonwebtoken::jwk::Jwk,
    issuer: &str,
    token_endpoint_too: bool,
) -> Result<serde_json::Map<String, Value>, Refusal> {
    let invalid_grant = |why: String| Refusal::bad("invalid_grant", why);
    let key = DecodingKey::from_jwk(jwk).map_err(|e| Refusal::server_error(e.to_string()))?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.leeway = LEEWAY;
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation.set_issuer(&[issuer]);
    let claims = decode::<serde_json::Map<String, Value>>(assertion, &key, &validation)
        .map_err(|e| {
            invalid_grant(format!(
                "the assertion does not verify, is not from {issuer} or has expired: {e} \
                 (RFC 7523 §3)"
            ))
        })?
        .claims;
    audience_names_server(s, claims.get("aud"), token_endpoint_too).map_err(|accepted| {
        invalid_grant(format!(
            "the assertion's aud {} does not name this server ({accepted}) (RFC 7523 §3 item 3)",
            claims.get("aud").map(Value::to_string).unwrap_or_default(),
        ))
    })?;
    Ok(claims)
}
