//! The client credentials grant (RFC 6749 §4.4, OAuth 2.1 §4.2) of the OAuth client
//! credentials extension ("Client Credentials Flow"): a confidential machine client,
//! already authenticated, gets a token for the RFC 8707 resource it names (MCP
//! "Resource Parameter Implementation" holds for it too) and the scopes it asks for.

use super::authorize::{resource, scope};
use super::client::Client;
use super::grants::Issue;
use super::params::Params;
use super::refusal::Refusal;
use super::state::{IdpState, RefreshGrant};
use crate::vocab::IdpDefect as D;

/// The grant: the same scope and resource rules as an authorization request, and no
/// refresh token (RFC 6749 §4.4.3: one "SHOULD NOT be included"; the client can ask
/// again with its credentials).
pub(super) fn client_credentials(
    s: &IdpState,
    client: &Client,
    p: &Params,
) -> Result<Issue, Refusal> {
    if s.has(D::NoClientCredentialsGrant) {
        return Err(Refusal::bad(
            "unsupported_grant_type",
            "grant_type \"client_credentials\" is not supported",
        ));
    }
    let refuse = |(error, description): (&'static str, String)| Refusal::bad(error, description);
    let scope = scope(s, p).map_err(refuse)?;
    let resource = resource(s, p).map_err(refuse)?;
    // The defect: a refresh token RFC 6749 §4.4.3 advises against.
    let new_refresh = s
        .has(D::ClientCredentialsRefreshToken)
        .then(|| RefreshGrant {
            client_id: client.client_id.clone(),
            resource: resource.clone(),
            scope: scope.clone(),
            revoked: false,
        });
    Ok(Issue {
        resource,
        scope,
        new_refresh,
    })
}
