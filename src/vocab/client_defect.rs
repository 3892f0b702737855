//! The typed defects ("knobs") of the reference MCP client. Every client case names one:
//! the reference client with that defect must make the case fail.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::defect::defects;

defects! {
    /// A deliberate deviation of the reference MCP client from the specification.
    ClientDefect, "client defect";
    /// Ignores resource_metadata in the challenge and probes the well-known URIs instead.
    IgnoresResourceMetadata = "ignores-resource-metadata",
    /// Probes the root protected-resource well-known URI before the path-inserted one.
    ProbesRootFirst = "probes-root-first",
    /// Gives up when the path-inserted protected-resource metadata is missing.
    NoRootFallback = "no-root-fallback",
    /// Uses protected resource metadata whose resource names another server.
    SkipsPrmResourceCheck = "skips-prm-resource-check",
    /// Looks for the authorization server at the MCP server's origin.
    UsesMcpOriginAs = "uses-mcp-origin-as",
    /// Probes OpenID Connect discovery before RFC 8414 metadata.
    ProbesOidcFirst = "probes-oidc-first",
    /// Gives up when RFC 8414 metadata is missing instead of trying OpenID Connect.
    NoOidcFallback = "no-oidc-fallback",
    /// Uses authorization server metadata whose issuer differs from the issuer.
    SkipsIssuerCheck = "skips-issuer-check",
    /// Reads only the first challenge of WWW-Authenticate, whatever its scheme.
    FirstChallengeOnly = "first-challenge-only",
    /// Splits WWW-Authenticate on commas without honouring quoted strings.
    NaiveChallengeParser = "naive-challenge-parser",
    /// Sends a code_verifier that does not match the code_challenge.
    WrongCodeVerifier = "wrong-code-verifier",
    /// Uses the plain PKCE method.
    PlainPkce = "plain-pkce",
    /// Starts authorization although the metadata lists no code_challenge_methods_supported.
    IgnoresMissingPkceMethods = "ignores-missing-pkce-methods",
    /// Leaves resource out of the authorization request.
    NoResourceInAuthorization = "no-resource-in-authorization",
    /// Leaves resource out of the code exchange.
    NoResourceInToken = "no-resource-in-token",
    /// Leaves resource out of refresh requests.
    NoResourceInRefresh = "no-resource-in-refresh",
    /// Sends the resource with a trailing slash added.
    ResourceWithTrailingSlash = "resource-with-trailing-slash",
    /// Sends no state in the authorization request.
    NoState = "no-state",
    /// Redeems a code whose state differs from the one sent.
    SkipsStateCheck = "skips-state-check",
    /// Registers and uses a plain-http, non-loopback redirect URI.
    InsecureRedirectUri = "insecure-redirect-uri",
    /// Registers a second redirect URI, plain http on a non-loopback host, beside its
    /// loopback one (which it still uses).
    ExtraInsecureRedirectUri = "extra-insecure-redirect-uri",
    /// Registers without redirect_uris.
    DcrWithoutRedirectUris = "dcr-without-redirect-uris",
    /// Registers without application_type.
    DcrWithoutApplicationType = "dcr-without-application-type",
    /// Registers dynamically even when a client_id is pre-registered.
    IgnoresPreregisteredClient = "ignores-preregistered-client",
    /// Sends the client secret in the form body although the client uses client_secret_basic.
    SecretInBodyForBasic = "secret-in-body-for-basic",
    /// Sends HTTP Basic although the client uses client_secret_post.
    BasicForPost = "basic-for-post",
    /// Authenticates a client that holds a secret with client_id alone, as if public.
    OmitsClientSecret = "omits-client-secret",
    /// Leaves client_id out of the token request of a public client.
    NoClientIdForPublic = "no-client-id-for-public",
    /// Requests the metadata's scopes_supported even when the challenge names a scope.
    ScopeFromPrmAlways = "scope-from-prm-always",
    /// Leaves scope out when the challenge names none, ignoring scopes_supported.
    NoScopeFallback = "no-scope-fallback",
    /// Requests a made-up scope when neither the challenge nor the metadata names one.
    InventsScope = "invents-scope",
    /// Gives up on 403 insufficient_scope instead of stepping up.
    NoStepUp = "no-step-up",
    /// Steps up with only the newly challenged scopes, dropping the earlier ones.
    StepUpReplacesScope = "step-up-replaces-scope",
    /// Steps up six times on a 403 that never ends, beyond any sensible limit.
    UnboundedStepUp = "unbounded-step-up",
    /// Sends the access token on its first authorized request only.
    TokenOnlyOnce = "token-only-once",
    /// Sends the access token in the URI query string as well.
    TokenInQuery = "token-in-query",
    /// Sends the access token once more in the URI query string, as `token`.
    TokenInQueryOtherName = "token-in-query-other-name",
    /// Opens the GET event stream without the access token.
    GetStreamWithoutToken = "get-stream-without-token",
    /// Follows a redirect of an authorized MCP request to another origin with the token.
    FollowsRedirectWithToken = "follows-redirect-with-token",
    /// Requests only the first scope of the metadata's scopes_supported.
    FirstScopeOnly = "first-scope-only",
    /// Sends the MCP access token to the authorization server.
    BearerToAs = "bearer-to-as",
    /// Retries a token refused with invalid_token instead of refreshing it.
    RetriesRefusedToken = "retries-refused-token",
    /// Redeems a code whose iss names another issuer.
    SkipsIssCheck = "skips-iss-check",
    /// Redeems a code without iss although the metadata advertises it.
    AcceptsMissingIss = "accepts-missing-iss",
    /// Compares iss after removing a trailing slash.
    NormalizesIss = "normalizes-iss",
    /// For 2025-03-26, uses the default endpoints without looking for metadata first.
    LegacyDefaultsFirst = "legacy-defaults-first",
    /// For 2025-03-26, gives up when the origin has no metadata instead of using the
    /// default endpoints.
    NoLegacyFallback = "no-legacy-fallback",
    // issue 12, group 1
    /// Keeps only the challenged scopes the metadata's scopes_supported lists (all of
    /// scopes_supported when none is), as if the challenge had to be a subset of it.
    DropsUnlistedChallengeScopes = "drops-unlisted-challenge-scopes",
    /// Ignores the token_endpoint_auth_method and client_secret of the registration
    /// response and authenticates with the method it asked for.
    KeepsRequestedAuthMethod = "keeps-requested-auth-method",
    /// Sends the identical registration request five more times after it was refused.
    RetriesIdenticalRegistration = "retries-identical-registration",
    /// Gives up on a refused registration without retrying with another application_type.
    NoRegistrationRetry = "no-registration-retry",
    /// Refreshes with the first refresh token it got, also after the server rotated it.
    ReusesFirstRefreshToken = "reuses-first-refresh-token",
    /// Sends a refresh request with an empty refresh_token when it holds none, before
    /// authorizing again.
    RefreshesWithoutRefreshToken = "refreshes-without-refresh-token",
    /// Sends its refresh token to the MCP server too, in an X-Refresh-Token header.
    RefreshTokenToMcp = "refresh-token-to-mcp",
    /// Puts the refresh token in the token endpoint URL's query as well.
    RefreshTokenInQuery = "refresh-token-in-query",
    /// Registers without grant_types (RFC 7591 §2: authorization_code only).
    DcrWithoutGrantTypes = "dcr-without-grant-types",
    /// Adds offline_access to the requested scope although the authorization server's
    /// metadata does not list it.
    OfflineAccessUnlisted = "offline-access-unlisted",
    /// Never adds offline_access, also when the authorization server's metadata lists it.
    NoOfflineAccess = "no-offline-access",
    /// Keeps the PKCE pair of its first authorization for every later one.
    ReusesPkcePair = "reuses-pkce-pair",
    /// Refuses an authorization response without iss even when the metadata does not
    /// advertise authorization_response_iss_parameter_supported.
    RequiresIss = "requires-iss",
    /// Compares iss only when the metadata advertises
    /// authorization_response_iss_parameter_supported, and redeems any code otherwise.
    IgnoresUnadvertisedIss = "ignores-unadvertised-iss",
    /// For an issuer with a path, tries OpenID Connect discovery only at the
    /// path-inserted URI, never the path-appended one.
    NoOidcPathAppended = "no-oidc-path-appended",
    /// Leaves redirect_uri out of the code exchange.
    NoRedirectUriInToken = "no-redirect-uri-in-token",
    /// Sends HTTP Basic and client_secret in the body, both, in every token request.
    BasicAndPost = "basic-and-post",
    /// Uses a redirect URI in the authorization request other than the one it
    /// registered (another path on the same listener).
    UnregisteredRedirectUri = "unregistered-redirect-uri",
    /// Sends resource only to authorization servers whose metadata shows RFC 8707
    /// support, which the mock's metadata does not.
    ResourceOnlyWhenAdvertised = "resource-only-when-advertised",
    // issue 12, group 2
    /// Opens the authorization endpoint whatever its scheme (javascript:, file:, …), as
    /// if the metadata could be trusted.
    OpensAnyScheme = "opens-any-scheme",
    /// Opens the authorization URL through a shell command line the URL is pasted into
    /// (`sh -c "open \"<url>\""`), so the shell expands `$(…)` in it.
    OpensUrlThroughShell = "opens-url-through-shell",
    /// Uses a client ID metadata document (as `cimd-first` does) whose URL, the client_id,
    /// ends in a fragment (`#client`), which a client_id URL must not have.
    CimdUrlWithFragment = "cimd-url-with-fragment",
    /// Uses a client ID metadata document even when the authorization server does not
    /// advertise client_id_metadata_document_supported.
    CimdWithoutFlag = "cimd-without-flag",
    /// Leaves client_id out of the authorization request.
    NoClientIdInAuthorization = "no-client-id-in-authorization",
    /// Checks state only when the authorization response carries one: a response
    /// without state is redeemed.
    AcceptsMissingState = "accepts-missing-state",
    /// When the protected resource metadata names a new authorization server, keeps the
    /// client it registered at the old one and presents that client_id there.
    ReusesClientAtNewServer = "reuses-client-at-new-server",
    /// When the protected resource metadata names a new authorization server, first
    /// tries the old server's refresh token (and client) at the new one's token endpoint.
    RefreshesAtNewServer = "refreshes-at-new-server",
    /// Uses a client ID metadata document whose client_id member is not its URL (the
    /// URL with `/other` appended).
    CimdDocumentOtherClientId = "cimd-document-other-client-id",
    /// Uses a client ID metadata document that carries a client_secret and names
    /// client_secret_basic as its token_endpoint_auth_method.
    CimdDocumentWithSecret = "cimd-document-with-secret",
    /// Uses a client ID metadata document whose redirect_uris list another loopback
    /// URI than the one it sends.
    CimdDocumentUnlistedRedirectUri = "cimd-document-unlisted-redirect-uri",
    /// For 2025-03-26, leaves MCP-Protocol-Version out of metadata discovery.
    NoProtocolVersionOnDiscovery = "no-protocol-version-on-discovery",
    /// Reads challenge parameters by matching `name="value"` literally, so whitespace
    /// around `=` hides them.
    ChallengeParamsWithoutBws = "challenge-params-without-bws",
    /// Takes only a challenge whose scheme is spelled `Bearer` exactly.
    CaseSensitiveScheme = "case-sensitive-scheme",
    /// Reads only the first WWW-Authenticate header line.
    FirstHeaderLineOnly = "first-header-line-only",
    /// For an MCP endpoint at its origin's root, first probes the path-inserted
    /// protected-resource URI with a trailing slash (`…/oauth-protected-resource/`).
    PrmTrailingSlashForRoot = "prm-trailing-slash-for-root",
    // issue 12, lead
    /// Never identifies itself with a client ID metadata document, also in the official
    /// CIMD scenario against a server that advertises them: it registers dynamically.
    IgnoresCimd = "ignores-cimd",
    /// Uses a client ID metadata document without client_name and redirect_uris.
    CimdDocumentMissingFields = "cimd-document-missing-fields",
    // issue 12, group 3
    /// Compares iss against the issuer with a trailing slash appended (what reserialising
    /// an origin issuer as a URL gives), so it refuses the correct iss.
    RefusesMatchingIss = "refuses-matching-iss",
    /// Puts the code_verifier in the authorization request too, beside the challenge.
    VerifierInAuthorization = "verifier-in-authorization",
    /// Leaves code_challenge out of every authorization request after the first.
    NoPkceOnReauthorization = "no-pkce-on-reauthorization",
    /// Leaves resource out of every authorization request after the first.
    NoResourceOnReauthorization = "no-resource-on-reauthorization",
    /// Checks code_challenge_methods_supported only in RFC 8414 metadata and starts
    /// authorization from an OpenID Connect document that lacks it.
    IgnoresMissingPkceMethodsInOidc = "ignores-missing-pkce-methods-in-oidc",
    /// Compares iss without regard to ASCII case.
    IssCaseInsensitive = "iss-case-insensitive",
    /// Compares iss after percent-decoding it.
    IssPercentDecoded = "iss-percent-decoded",
    /// Probes every authorization server metadata URI and uses the last document found.
    UsesLastMetadata = "uses-last-metadata",
    /// Never registers dynamically: without CIMD or a pre-registered client it gives up.
    NoDynamicRegistration = "no-dynamic-registration",
    /// Registers, then uses its client_name as client_id instead of the client_id the
    /// registration response returned.
    IgnoresRegisteredClientId = "ignores-registered-client-id",
    /// For 2025-03-26, reads the origin's metadata but uses the default endpoints
    /// /authorize, /token and /register anyway.
    LegacyIgnoresAdvertisedEndpoints = "legacy-ignores-advertised-endpoints",
    // issue 12, helper C
    /// Reads an authorization error response before checking its iss, and fetches the
    /// error_uri it names to show the user what went wrong.
    FollowsErrorUriDespiteIss = "follows-error-uri-despite-iss",
    /// Takes any http(s) authorization endpoint from the metadata, also plain http on a
    /// host that is not loopback, and opens it.
    OpensInsecureAuthorizationEndpoint = "opens-insecure-authorization-endpoint",
    /// Aborts when no protected resource metadata is found, also when the launch context
    /// names a pre-configured authorization server (the other choice MCP allows).
    NoPreconfiguredFallback = "no-preconfigured-fallback",
    // issue 16, the client credentials extension
    /// In a client credentials scenario, runs the authorization code flow (registering a
    /// client) instead of the client credentials grant.
    CcUsesAuthorizationCode = "cc-uses-authorization-code",
    /// In a client credentials scenario, registers a client dynamically before using the
    /// pre-registered credentials.
    CcRegisters = "cc-registers",
    /// In a client credentials scenario, skips discovery and posts the token request to
    /// /token at the MCP server's origin.
    CcSkipsDiscovery = "cc-skips-discovery",
    /// Sends the client assertion with a client_assertion_type other than jwt-bearer
    /// (the SAML one).
    CcAssertionTypeWrong = "cc-assertion-type-wrong",
    /// Names the MCP server (the resource) as the client assertion's aud, instead of the
    /// authorization server.
    CcAssertionWrongAudience = "cc-assertion-wrong-audience",
    /// Puts the client's name instead of its client_id into the assertion's iss.
    CcAssertionIssNotClientId = "cc-assertion-iss-not-client-id",
    /// Sends a client assertion that expired five minutes ago.
    CcAssertionExpired = "cc-assertion-expired",
    /// Sends a client assertion whose signature does not verify (one byte changed).
    CcAssertionBadSignature = "cc-assertion-bad-signature",
    /// Sends a client assertion without jti.
    CcAssertionWithoutJti = "cc-assertion-without-jti",
    // issue 16, enterprise-managed authorization
    /// In the enterprise-managed scenario, runs the authorization code flow at the MCP
    /// authorization server instead of the token exchange and the JWT bearer grant.
    EmaUsesAuthorizationCode = "ema-uses-authorization-code",
    /// Asks the enterprise identity provider for an access token
    /// (`…:token-type:access_token`) instead of an ID-JAG.
    EmaRequestsAccessToken = "ema-requests-access-token",
    /// Names the MCP server (the resource) as the token exchange's audience instead of
    /// the MCP authorization server's issuer.
    EmaAudienceIsResource = "ema-audience-is-resource",
    /// Skips the token exchange and sends the ID token itself as the grant's assertion.
    EmaSendsIdToken = "ema-sends-id-token",
    // issue 16, workload identity federation
    /// In the workload identity scenario, runs the authorization code flow instead of the
    /// JWT bearer grant.
    WifUsesAuthorizationCode = "wif-uses-authorization-code",
    /// Sends the context's wrong_audience_jwt instead of valid_jwt.
    WifSendsWrongAudience = "wif-sends-wrong-audience",
    /// Sends the context's expired_jwt instead of valid_jwt.
    WifSendsExpired = "wif-sends-expired",
    /// Sends a refused JWT bearer grant three more times.
    WifRetriesAfterRefusal = "wif-retries-after-refusal",
    /// After a refused JWT bearer grant, tries the client credentials grant.
    WifFallsBackToClientCredentials = "wif-falls-back-to-client-credentials",
    // The DPoP extension (RFC 9449)
    /// In a DPoP scenario, sends its token requests without a DPoP proof.
    DpopNoTokenProof = "dpop-no-token-proof",
    /// In a DPoP scenario, sends its MCP requests without a DPoP proof.
    DpopNoResourceProof = "dpop-no-resource-proof",
    /// Presents the DPoP-bound access token with the Bearer scheme (the proof beside it).
    DpopBearerScheme = "dpop-bearer-scheme",
    /// Puts the hash of another value than the access token into the proof's ath.
    DpopWrongAth = "dpop-wrong-ath",
    /// Names the MCP server's origin, not its URL, as the htu of its MCP proofs.
    DpopWrongHtu = "dpop-wrong-htu",
    /// Reuses one proof (the same jti) for every MCP request.
    DpopReusesProof = "dpop-reuses-proof",
    /// Signs its MCP proofs with a second key, not the one the token is bound to.
    DpopOtherKeyForResource = "dpop-other-key-for-resource",
    /// Gives up when the token endpoint answers use_dpop_nonce.
    DpopIgnoresAsNonce = "dpop-ignores-as-nonce",
    /// Gives up when the MCP server answers use_dpop_nonce.
    DpopIgnoresRsNonce = "dpop-ignores-rs-nonce",
}
