//! The typed knobs of the mock identity provider that are *not* defects: conformant
//! choices a real authorization server may make, which a client must cope with. Client
//! cases name them in `idp:` beside the IdP defects.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::defect::defects;

defects! {
    /// A conformant behaviour of the mock identity provider, off by default.
    IdpKnob, "IdP knob";
    /// Advertises none, client_secret_basic and client_secret_post even when a client is
    /// pre-registered (by default such a server advertises only the registered method),
    /// and accepts a secret-holding client with either secret method.
    SeveralAuthMethods = "several-auth-methods",
    /// Serves public clients only: advertises token_endpoint_auth_methods_supported
    /// [none] and registers every client as none, whatever it asked for (RFC 7591 §3.2.1
    /// lets the server replace requested metadata).
    PublicClientsOnly = "public-clients-only",
    // issue 12, group 1
    /// Serves confidential clients only: advertises token_endpoint_auth_methods_supported
    /// [client_secret_post] and registers every client as client_secret_post with a
    /// secret, whatever it asked for (RFC 7591 §3.2.1: the server may replace requested
    /// metadata; the response names what was registered).
    ConfidentialClientsOnly = "confidential-clients-only",
    /// Like confidential-clients-only, with client_secret_basic as the one method.
    BasicClientsOnly = "basic-clients-only",
    /// Refuses every registration with invalid_redirect_uri, like an OpenID Connect server
    /// whose redirect URI policy the client's URIs do not meet (MCP 2026-07-28 "Application
    /// Type and Redirect URI Constraints": clients must be prepared for it).
    RefusesRedirectUris = "refuses-redirect-uris",
    /// Issues no refresh tokens (MCP 2026-07-28 "Refresh Tokens": the authorization
    /// server retains discretion).
    NoRefreshTokens = "no-refresh-tokens",
    /// Lists offline_access in its metadata's scopes_supported and grants it (OpenID
    /// Connect Core §11), as in the official offline-access-scope scenario.
    OfflineAccessScope = "offline-access-scope",
    /// Serves its metadata only at the OpenID Connect path-appended URI
    /// `{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery §4, the
    /// Keycloak shape, official metadata-var3); RFC 8414 and the path-inserted OpenID
    /// Connect URI answer 404.
    OidcPathAppendedOnly = "oidc-path-appended-only",
    // issue 12, group 2
    /// Takes no client ID metadata documents: does not advertise
    /// client_id_metadata_document_supported, and a URL client_id is an unknown client
    /// (MCP 2025-11-25 makes them a SHOULD for servers; dynamic registration stays).
    NoClientIdMetadataDocuments = "no-client-id-metadata-documents",
    // issue 12, group 3
    /// Its OpenID Connect discovery documents name other endpoints than its RFC 8414
    /// metadata (`{issuer}/oidc/authorize`, …), which it does not serve: a client must
    /// use the document its probe order found first (MCP 2025-11-25 "Authorization
    /// Server Metadata Discovery").
    OidcDocumentDiffers = "oidc-document-differs",
    /// Serves its endpoints under `{issuer}/oauth/` (`/oauth/authorize`, `/oauth/token`,
    /// …) and names them so in its metadata (RFC 8414 §2 lets metadata name any URL), as
    /// the official 2025-03-26-oauth-metadata-backcompat scenario does.
    EndpointsUnderOauth = "endpoints-under-oauth",
    // issue 12, helper C
    /// Answers every authorization request it would approve with an error response
    /// (RFC 6749 §4.1.2.1): error=temporarily_unavailable, an error_description and an
    /// error_uri naming a page it serves, `{issuer}/error-info` (endpoint `error_page`).
    ErrorResponseWithUri = "error-response-with-uri",
    /// Refuses every JWT bearer grant with invalid_grant (RFC 7521 §5.2 lets the server
    /// apply its own policy): what a client does after a refusal can then be judged.
    RefusesAssertionGrants = "refuses-assertion-grants",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_described() {
        for k in IdpKnob::ALL {
            assert_eq!(k.name().parse::<IdpKnob>().unwrap(), *k);
            assert!(!k.description().is_empty(), "{k} has no description");
        }
    }
}
