//! The endpoints of a case's mocks, by what they serve. A mock tags each exchange it
//! records with the endpoint that answered it (`actors::traffic`), and client-case
//! queries select requests by that tag: the judge never guesses an endpoint from a URL.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a request was sent to. As a tag on an exchange it names the endpoint that
/// served it; in a query (`to: …`) it selects requests, and two values only select:
/// `authorization_server` and `any` are never a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// The MCP endpoint.
    Mcp,
    /// Protected resource metadata, at any URL (RFC 9728).
    Prm,
    /// Authorization server metadata: RFC 8414 or OpenID Connect discovery, any origin.
    AsMetadata,
    /// The authorization endpoint (RFC 6749 §3.1).
    Authorization,
    /// The token endpoint (RFC 6749 §3.2).
    Token,
    /// Dynamic client registration (RFC 7591 §3).
    Registration,
    /// Token introspection (RFC 7662).
    Introspection,
    /// The authorization server's keys (RFC 8414 `jwks_uri`, RFC 7517 §5).
    Jwks,
    /// The mock authorization server's login form (`form` consent): a user agent's step,
    /// not an OAuth endpoint.
    Login,
    /// What the client asked the user's browser to open: the harness's headless browser
    /// (the `xdg-open`/`BROWSER` shim, or the reference client's Fetch mode) reports each
    /// URL here, as its `url` query parameter, before it opens it. Not a request of the
    /// client's own, so `authorization_server` does not select it.
    Browser,
    /// The client's client ID metadata document, as the mock authorization server fetched
    /// it (its request and the client's answer): served by the client, not sent by it,
    /// so `authorization_server` does not select it.
    ClientIdDocument,
    /// Any endpoint of the second authorization server a migrating MCP server
    /// (`migrates-authorization-server`) moves to: every request there is tagged so.
    NewAuthorizationServer,
    /// The page an authorization error response of the mock authorization server names as
    /// its `error_uri` (RFC 6749 §4.1.2.1, knob `error-response-with-uri`): a client that
    /// fetches the page, or has a browser open it, is seen here.
    ErrorPage,
    /// The token endpoint of the enterprise identity provider of the enterprise-managed
    /// authorization extension, where the client exchanges its ID token for an ID-JAG
    /// (RFC 8693). Another party than the MCP authorization server.
    IdentityProvider,
    /// Selects anything but the MCP endpoints and their metadata: the authorization
    /// server's side, including requests no route served.
    AuthorizationServer,
    /// The MCP endpoint of another MCP server of the case (one the target redirects to).
    OtherMcpServer,
    /// Selects every request.
    Any,
}

impl Endpoint {
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Mcp => "mcp",
            Endpoint::Prm => "prm",
            Endpoint::AsMetadata => "as_metadata",
            Endpoint::Authorization => "authorization",
            Endpoint::Token => "token",
            Endpoint::Registration => "registration",
            Endpoint::Introspection => "introspection",
            Endpoint::Jwks => "jwks",
            Endpoint::Login => "login",
            Endpoint::Browser => "browser",
            Endpoint::ClientIdDocument => "client_id_document",
            Endpoint::NewAuthorizationServer => "new_authorization_server",
            Endpoint::ErrorPage => "error_page",
            Endpoint::IdentityProvider => "identity_provider",
            Endpoint::AuthorizationServer => "authorization_server",
            Endpoint::OtherMcpServer => "other_mcp_server",
            Endpoint::Any => "any",
        }
    }

    /// Whether a request whose exchange is tagged `served` (`None`: no endpoint of the
    /// mocks answered it) is one this selection picks.
    pub fn selects(self, served: Option<Endpoint>) -> bool {
        match self {
            Endpoint::Any => true,
            Endpoint::AuthorizationServer => !matches!(
                served,
                Some(
                    Endpoint::Mcp
                        | Endpoint::Prm
                        | Endpoint::OtherMcpServer
                        | Endpoint::Browser
                        | Endpoint::ClientIdDocument
                )
            ),
            endpoint => served == Some(endpoint),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Endpoint as E;

    #[test]
    fn the_authorization_server_side_is_all_but_the_mcp_servers_and_their_metadata() {
        for served in [
            E::Mcp,
            E::Prm,
            E::OtherMcpServer,
            E::Browser,
            E::ClientIdDocument,
        ] {
            assert!(!E::AuthorizationServer.selects(Some(served)));
        }
        for served in [
            E::AsMetadata,
            E::Token,
            E::Jwks,
            E::Login,
            E::NewAuthorizationServer,
        ] {
            assert!(E::AuthorizationServer.selects(Some(served)));
        }
        assert!(E::AuthorizationServer.selects(None));
        assert!(E::Any.selects(None));
        assert!(E::Token.selects(Some(E::Token)));
        assert!(!E::Token.selects(None));
        assert!(!E::Mcp.selects(Some(E::OtherMcpServer)));
    }
}
