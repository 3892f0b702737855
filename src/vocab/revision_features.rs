//! What a revision of the MCP specification asks for, as named switches: the row of
//! [`super::Revision::features`]. Code that behaves differently per revision asks one of
//! these, never compares revision names, so that a new revision is one row of the table in
//! `revision.rs`.

/// The rules that differ between revisions, one switch each. Every field says which
/// revision's section makes it so; a row lists all of them, so a new switch is a compile
/// error until every revision states its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevisionFeatures {
    /// Requests stand alone: there is no `initialize` / `notifications/initialized`
    /// handshake, and every request carries its protocol version, client capabilities and
    /// client info in `_meta` (2026-07-28 changelog item 2; basic/versioning "Protocol
    /// Version Negotiation"). Before, a conversation opens with `initialize` (basic/lifecycle
    /// "Initialization").
    pub stateless_requests: bool,
    /// Servers MUST implement `server/discover`, which names the versions they support
    /// (2026-07-28 server/discover).
    pub server_discover: bool,
    /// The client MAY open the server's event stream with an HTTP GET on the MCP endpoint
    /// (transports "Listening for Messages from the Server"); 2026-07-28 removed the GET
    /// stream (streamable-http, "Backward Compatibility"; changelog item 4).
    pub get_event_stream: bool,
    /// The client sends `MCP-Protocol-Version` on every request after initialization
    /// (2025-06-18 transports "Protocol Version Header"). Stateless revisions send it on
    /// every request (2026-07-28 streamable-http "Protocol Version Header").
    pub protocol_version_header: bool,
    /// The MCP server is an RFC 9728 protected resource: its protected resource metadata
    /// names its authorization servers (2025-06-18 basic/authorization "Authorization
    /// Server Location").
    pub protected_resource_metadata: bool,
    /// The MCP server's origin is the authorization base URL: authorization server
    /// metadata at that origin, else the default endpoints `/authorize`, `/token`,
    /// `/register` (2025-03-26 basic/authorization "Authorization Base URL", "Fallbacks for
    /// Servers without Metadata Discovery").
    pub authorization_server_at_origin: bool,
    /// Clients send the RFC 8707 `resource` parameter in authorization and token requests
    /// (2025-06-18 basic/authorization "Resource Parameter Implementation").
    pub resource_indicators: bool,
    /// Clients try OpenID Connect Discovery 1.0 besides RFC 8414 for authorization server
    /// metadata (2025-11-25 basic/authorization "Authorization Server Metadata
    /// Discovery"); before, RFC 8414 only (2025-06-18 "Server Metadata Discovery").
    pub oidc_discovery: bool,
    /// Clients MUST refuse to proceed when the authorization server metadata lacks
    /// `code_challenge_methods_supported` (2025-11-25 basic/authorization "Authorization
    /// Code Protection").
    pub pkce_methods_required: bool,
    /// Client ID metadata documents are a registration approach, advertised by
    /// `client_id_metadata_document_supported` (2025-11-25 basic/authorization "Client ID
    /// Metadata Documents").
    pub client_id_metadata_documents: bool,
    /// Clients MUST validate the authorization response's `iss` as RFC 9207 §2.4 says
    /// before redeeming the code (2026-07-28 basic/authorization "Authorization Response
    /// Validation").
    pub authorization_response_iss: bool,
    /// Clients registering dynamically MUST specify an appropriate `application_type`
    /// (2026-07-28 basic/authorization/client-registration "Application Type and Redirect
    /// URI Constraints").
    pub dcr_application_type: bool,
}
