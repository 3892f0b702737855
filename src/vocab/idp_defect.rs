//! The typed defects ("knobs") of the mock identity provider. The reference deployment's
//! authorization-server defects map onto them; the client and authorization-server
//! targets reuse them to make the mock misbehave in one named way.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::defect::defects;

defects! {
    /// A deliberate deviation of the mock identity provider from OAuth 2.1 and the RFCs
    /// MCP relies on.
    IdpDefect, "IdP defect";
    /// Serves no authorization server metadata at any well-known URI.
    MetadataMissing = "metadata-missing",
    /// Serves metadata only through OpenID Connect Discovery.
    MetadataOidcOnly = "metadata-oidc-only",
    /// The metadata's issuer differs from the issuer identifier (another tenant's path).
    MetadataIssuerMismatch = "metadata-issuer-mismatch",
    /// Omits code_challenge_methods_supported (clients must refuse to proceed).
    MetadataNoS256 = "metadata-no-s256",
    /// Advertises only the plain PKCE method.
    MetadataPlainPkceOnly = "metadata-plain-pkce-only",
    /// Leaves code out of response_types_supported.
    MetadataNoCodeResponseType = "metadata-no-code-response-type",
    /// Advertises neither a registration endpoint nor client ID metadata documents.
    MetadataNoRegistration = "metadata-no-registration",
    /// Advertises a plain-http token endpoint on a non-loopback host.
    MetadataInsecureTokenEndpoint = "metadata-insecure-token-endpoint",
    /// Omits the required token_endpoint.
    MetadataNoTokenEndpoint = "metadata-no-token-endpoint",
    /// Leaves none out of token_endpoint_auth_methods_supported, though it registers
    /// public clients.
    MetadataNoNoneAuthMethod = "metadata-no-none-auth-method",
    /// Sends the authorization response without iss (RFC 9207).
    NoIssInResponse = "no-iss-in-response",
    /// Sends the authorization response with the iss of another server.
    WrongIssInResponse = "wrong-iss-in-response",
    /// Issues a code for an authorization request without code_challenge.
    AcceptsMissingPkce = "accepts-missing-pkce",
    /// Accepts code_challenge_method=plain.
    AcceptsPlainPkce = "accepts-plain-pkce",
    /// Redirects to any redirect_uri that starts with a registered one.
    PrefixRedirectUri = "prefix-redirect-uri",
    /// Redeems a code without checking the PKCE code_verifier.
    SkipsPkceVerification = "skips-pkce-verification",
    /// Redeems the same code more than once.
    ReusableCodes = "reusable-codes",
    /// Redeems a code without comparing redirect_uri with the authorization request's.
    SkipsRedirectUriCheck = "skips-redirect-uri-check",
    /// Redeems a code for a client other than the one it was issued to.
    SkipsClientCheck = "skips-client-check",
    /// Keeps a public client's refresh token valid after use (no rotation).
    NoRefreshRotation = "no-refresh-rotation",
    /// Ignores the resource parameter: tokens carry the issuer as audience.
    IgnoresResource = "ignores-resource",
    /// Registers redirect URIs that are neither https nor loopback.
    AcceptsInsecureRedirectUri = "accepts-insecure-redirect-uri",
    /// Answers every introspection request with active: true.
    IntrospectionAlwaysActive = "introspection-always-active",
    /// Sends token responses (success and error) without Cache-Control: no-store.
    NoCacheControl = "no-cache-control",
    /// Answers token endpoint errors with text/plain bodies instead of JSON.
    NonJsonErrors = "non-json-errors",
    /// Leaves state out of successful authorization responses.
    DropsState = "drops-state",
    /// Appends -x to the state of successful authorization responses.
    AltersState = "alters-state",
    /// Redirects an error to a redirect_uri the client never registered.
    OpenRedirector = "open-redirector",
    /// Issues codes without code_challenge and redeems them with a code_verifier.
    AcceptsPkceDowngrade = "accepts-pkce-downgrade",
    /// Honours a refresh token presented by a client other than the one it was issued to.
    SkipsRefreshClientCheck = "skips-refresh-client-check",
    /// Sends iss in authorization responses but omits the metadata flag that says so.
    IssuesWithoutIssFlag = "iss-without-metadata-flag",
    /// Refuses every registration request with invalid_client_metadata.
    RefusesValidRegistration = "refuses-valid-registration",
    /// Answers a registration with 201 but without client_id.
    NoClientIdInRegistration = "no-client-id-in-registration",
    /// Refuses registrations with error server_error instead of the RFC 7591 codes.
    RegistrationWrongErrorCode = "registration-wrong-error-code",
    /// Issues access tokens that live 30 days.
    LongLivedAccessTokens = "long-lived-access-tokens",
    /// Accepts confidential clients with any client_secret, or none.
    SkipsBasicSecretCheck = "skips-client-secret-check",
    /// Issues its first access token already expired (exp 10 minutes ago, expires_in 0);
    /// later ones are normal, so client cases see whether the client refreshes.
    FirstTokenExpired = "first-token-expired",
    /// Sends the issuer with a trailing slash as iss in authorization responses, which
    /// RFC 9207 §2.4 clients must reject (simple string comparison).
    IssTrailingSlash = "iss-trailing-slash",
    /// Answers a token request for a resource it does not grant with 500 server_error
    /// instead of invalid_target (RFC 8707 §2), like an SDK provider that throws on it.
    InvalidTargetServerError = "invalid-target-server-error",
    /// Registers redirect URIs that carry a fragment, which a redirect URI must not have
    /// (RFC 6749 §3.1.2, OAuth 2.1 §2.3).
    AcceptsFragmentRedirectUri = "accepts-fragment-redirect-uri",
    /// Answers every token request with 500 server_error: a token endpoint that works for
    /// nobody, so refusals prove nothing.
    TokenEndpointServerError = "token-endpoint-server-error",
    // Authorization-server cases (helper A): one knob per clause they prove.
    /// Sends successful token responses as text/plain (JSON body) instead of
    /// application/json (RFC 6749 §5.1).
    TokenSuccessNotJson = "token-success-not-json",
    /// Sends the code to the registered redirect URI's origin with another path.
    CodeToOtherPath = "code-to-other-path",
    /// Takes a redirect URI that differs from a registered one by a trailing slash.
    RedirectUriTrailingSlashLenient = "redirect-uri-trailing-slash-lenient",
    /// Compares redirect URIs without regard to case.
    RedirectUriCaseInsensitive = "redirect-uri-case-insensitive",
    /// Compares redirect URIs without their query.
    RedirectUriQueryIgnored = "redirect-uri-query-ignored",
    /// Compares only the path of redirect URIs (any scheme, host and port).
    RedirectUriPathOnly = "redirect-uri-path-only",
    /// Takes localhost for 127.0.0.1 or [::1] in a redirect URI.
    RedirectUriLocalhostAlias = "redirect-uri-localhost-alias",
    /// Compares the port of a loopback redirect URI too (RFC 8252 §7.3 says any port).
    LoopbackPortExact = "loopback-port-exact",
    /// Sends iss in successful authorization responses only, not in error responses.
    NoIssInErrorResponse = "no-iss-in-error-response",
    /// Refuses code_challenge_method=S256 (supports only plain).
    RefusesS256 = "refuses-s256",
    /// Advertises a registration endpoint that is not served (404).
    RegistrationEndpointUnserved = "registration-endpoint-unserved",
    /// Advertises its optional endpoints (registration, JWKS, introspection) on a
    /// plain-http, non-loopback host.
    MetadataInsecureOptionalEndpoints = "metadata-insecure-optional-endpoints",
    /// Issues refreshed access tokens for the issuer instead of the granted resource.
    RefreshDropsAudience = "refresh-drops-audience",
    /// Refuses a resource whose scheme or host is not in lower case (invalid_target).
    ResourceCaseSensitive = "resource-case-sensitive",
    /// Issues a token for a resource the authorization request did not grant.
    TokenResourceUnchecked = "token-resource-unchecked",
    /// Refuses an authorization request for a resource it does not serve with
    /// invalid_request instead of invalid_target (RFC 8707 §2).
    AuthorizationInvalidTargetWrongError = "authorization-invalid-target-wrong-error",
    /// Takes no client ID metadata documents: a URL client_id is an unknown client, and
    /// the metadata does not advertise them.
    CimdUnsupported = "cimd-unsupported",
    /// Takes client ID metadata documents but leaves
    /// client_id_metadata_document_supported out of its metadata.
    CimdNotAdvertised = "cimd-not-advertised",
    /// Accepts a client ID metadata document whose client_id is not its URL.
    CimdSkipsClientIdCheck = "cimd-skips-client-id-check",
    /// Accepts any redirect URI for a document client, listed in its document or not.
    CimdSkipsRedirectCheck = "cimd-skips-redirect-check",
    /// Accepts a document client unverified when its document cannot be fetched, is not
    /// JSON, or lacks redirect_uris or client_name (as the official suite's mock does).
    CimdLenientDocuments = "cimd-lenient-documents",
    /// Accepts a document that declares a shared-secret auth method or a client_secret.
    CimdAcceptsSharedSecret = "cimd-accepts-shared-secret",
    // issue 12, group 2
    /// Names `javascript:alert(document.domain)//` as its authorization_endpoint, as a
    /// hostile server does (MCP Security Best Practices, "JavaScript URL Injection").
    AuthorizationEndpointJavascript = "authorization-endpoint-javascript",
    /// Names `file:///etc/passwd` as its authorization_endpoint.
    AuthorizationEndpointFile = "authorization-endpoint-file",
    /// Names its real authorization endpoint with a query that holds shell syntax,
    /// `canary=$(pwd)` (MCP Security Best Practices, "Command Injection via Shell
    /// Execution"; CVE-2025-6514): a shell that expands it changes the canary.
    AuthorizationEndpointShellSyntax = "authorization-endpoint-shell-syntax",
    // issue 12, group 3
    /// Sends the issuer with its scheme in upper case as iss (`HTTP://…`), which RFC 9207
    /// §2.4 clients must reject (simple string comparison).
    IssUpperCaseScheme = "iss-upper-case-scheme",
    /// Sends the issuer with the first letter of its path percent-encoded as iss
    /// (`/%74enant1`), which RFC 9207 §2.4 clients must reject.
    IssPercentEncoded = "iss-percent-encoded",
    // issue 12, group G
    /// Answers a failed HTTP Basic client authentication with 400 and no WWW-Authenticate
    /// header, as if it were a form-authenticated client.
    BasicAuthFailure400 = "basic-auth-failure-400",
    /// Refreshes tokens with a response that lacks token_type and Cache-Control: no-store.
    RefreshResponseIncomplete = "refresh-response-incomplete",
    /// Redirects an authorization request with an unknown client_id to the redirect_uri it
    /// names, with error=invalid_request.
    RedirectsUnknownClient = "redirects-unknown-client",
    /// Issues a client_secret at registration without client_secret_expires_at.
    NoSecretExpiry = "no-secret-expiry",
    /// Names in its metadata an issuer with a query component (RFC 8414 §2 forbids one).
    MetadataIssuerWithQuery = "metadata-issuer-with-query",
    /// Remembers a client ID metadata document URL whose fetch failed and refuses it from
    /// then on without fetching it again.
    CimdCachesErrors = "cimd-caches-errors",
    // issue 12, helper C
    /// Names its authorization endpoint on a plain-http, non-loopback host that never
    /// resolves (`http://as.mcp-authspec.invalid:<port>/authorize`, RFC 6761 §6.4).
    MetadataInsecureAuthorizationEndpoint = "metadata-insecure-authorization-endpoint",
    /// Reads client ID metadata documents of any size (up to a 64 MiB guard of its own)
    /// instead of capping them at 64 KiB.
    CimdNoSizeCap = "cimd-no-size-cap",
    // issue 16, the client credentials extension
    /// Offers private_key_jwt without token_endpoint_auth_signing_alg_values_supported,
    /// which the client credentials extension requires with JWT authentication.
    NoAssertionAlgorithms = "no-assertion-algorithms",
    /// Lists neither private_key_jwt nor client_secret_basic in
    /// token_endpoint_auth_methods_supported although it implements the client credentials
    /// extension (lists none and client_secret_post only).
    MetadataNoMachineAuthMethods = "metadata-no-machine-auth-methods",
    /// Answers the client credentials grant with unsupported_grant_type although it
    /// advertises it and registered the client for it.
    NoClientCredentialsGrant = "no-client-credentials-grant",
    /// Issues a refresh token with the client credentials grant.
    ClientCredentialsRefreshToken = "client-credentials-refresh-token",
}
