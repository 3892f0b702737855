//! The typed defects ("knobs") of the reference MCP server. Every server case names one:
//! the reference server started with that defect must make the case fail, which is how the
//! suite proves each case able to fail. Names are kebab-case in case files.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! defects {
    ($(#[doc = $enum_doc:literal])* $enum:ident, $kind:literal;
     $( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        $(#[doc = $enum_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        pub enum $enum {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant, )*
        }

        impl $enum {
            pub const ALL: &'static [$enum] = &[$($enum::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $($enum::$variant => $name,)* }
            }

            /// The doc line of the defect: what the implementation does wrong.
            pub fn description(self) -> &'static str {
                match self { $($enum::$variant => concat!($($doc),*).trim_ascii(),)* }
            }
        }

        impl fmt::Display for $enum {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $enum {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $enum::ALL
                    .iter()
                    .copied()
                    .find(|d| d.name() == s)
                    .ok_or_else(|| format!(concat!("unknown ", $kind, " `{}`"), s))
            }
        }
    };
}

pub(super) use defects;

defects! {
    /// A deliberate deviation of the reference MCP server (and of the authorization
    /// server metadata it points to) from the specification.
    ServerDefect, "server defect";
    /// Serves MCP requests that carry no token (HTTP 200 with the JSON-RPC result).
    ServesUnauthenticated = "serves-unauthenticated",
    /// Answers a request without a token with 403 instead of 401.
    ForbiddenInsteadOfUnauthorized = "forbidden-instead-of-unauthorized",
    /// Puts the JSON-RPC result (tool data) into the body of the 401.
    LeaksDataIn401 = "leaks-data-in-401",
    /// Sends the 401 without any WWW-Authenticate header.
    NoWwwAuthenticate = "no-www-authenticate",
    /// Challenges with the Basic scheme only.
    BasicChallengeOnly = "basic-challenge-only",
    /// Sends a WWW-Authenticate header that does not parse (unterminated quoted-string).
    MalformedChallenge = "malformed-challenge",
    /// Omits resource_metadata from the Bearer challenge.
    NoResourceMetadata = "no-resource-metadata",
    /// Sends resource_metadata as a relative reference.
    RelativeResourceMetadata = "relative-resource-metadata",
    /// Omits scope from the Bearer challenge.
    NoScopeInChallenge = "no-scope-in-challenge",
    /// Repeats the scope attribute in the challenge.
    DuplicateScopeInChallenge = "duplicate-scope-in-challenge",
    /// Lists offline_access in the challenge scope.
    OfflineAccessInChallenge = "offline-access-in-challenge",
    /// Adds error="invalid_token" to the challenge of a request that had no token.
    ErrorWithoutToken = "error-without-token",
    /// Serves protected resource metadata at no well-known URI.
    NoPrm = "no-prm",
    /// Serves protected resource metadata only at the root well-known URI.
    PrmRootOnly = "prm-root-only",
    /// Serves protected resource metadata only at the path-inserted well-known URI.
    PrmPathOnly = "prm-path-only",
    /// Names another server in the metadata's resource.
    PrmWrongResource = "prm-wrong-resource",
    /// Names only the origin (no path) in the metadata's resource.
    PrmResourceOriginOnly = "prm-resource-origin-only",
    /// Leaves authorization_servers out of the metadata.
    PrmMissingAuthorizationServers = "prm-missing-authorization-servers",
    /// Serves HTML instead of JSON as protected resource metadata.
    PrmNotJson = "prm-not-json",
    /// Serves the metadata JSON with Content-Type text/plain.
    PrmWrongContentType = "prm-wrong-content-type",
    /// Offers the query method in bearer_methods_supported.
    PrmOffersQuery = "prm-offers-query",
    /// Leaves scopes_supported out of the metadata.
    PrmNoScopesSupported = "prm-no-scopes-supported",
    /// Lists offline_access in scopes_supported.
    PrmOfflineAccess = "prm-offline-access",
    /// Lists an authorization server by a plain-http, non-loopback URL.
    PrmInsecureAuthorizationServer = "prm-insecure-authorization-server",
    /// The authorization server serves its metadata only via OpenID Connect Discovery.
    AsMetadataOidcOnly = "as-metadata-oidc-only",
    /// The authorization server serves no metadata at all.
    AsMetadataMissing = "as-metadata-missing",
    /// The metadata's issuer differs from the issuer URL (trailing slash added).
    AsMetadataIssuerMismatch = "as-metadata-issuer-mismatch",
    /// The metadata has no code_challenge_methods_supported.
    AsMetadataNoPkce = "as-metadata-no-pkce",
    /// The metadata offers only the plain PKCE method.
    AsMetadataPlainOnly = "as-metadata-plain-only",
    /// response_types_supported lacks code.
    AsMetadataNoCodeResponseType = "as-metadata-no-code-response-type",
    /// Neither registration_endpoint nor client_id_metadata_document_supported is present.
    AsMetadataNoRegistration = "as-metadata-no-registration",
    /// The token endpoint is plain http on a non-loopback host.
    AsMetadataInsecureEndpoint = "as-metadata-insecure-endpoint",
    /// The metadata lacks the required token_endpoint.
    AsMetadataNoTokenEndpoint = "as-metadata-no-token-endpoint",
    /// The 2025-03-26 server serves neither origin metadata nor the default endpoints.
    LegacyNoMetadataNoDefaults = "legacy-no-metadata-no-defaults",
    /// Refuses every token, valid ones included.
    RejectsAllTokens = "rejects-all-tokens",
    /// Refuses tokens signed with ES256 although the issuer publishes a P-256 key.
    RejectsEs256 = "rejects-es256",
    /// Accepts a token without verifying its signature.
    SkipsSignatureCheck = "skips-signature-check",
    /// Accepts an unsecured token (alg none).
    AcceptsAlgNone = "accepts-alg-none",
    /// Verifies an HS256 token with the issuer's RSA public key as the HMAC secret.
    AcceptsHs256WithPublicKey = "accepts-hs256-with-public-key",
    /// Verifies a token with the key embedded in its own jwk header.
    TrustsEmbeddedJwk = "trusts-embedded-jwk",
    /// Accepts expired tokens.
    SkipsExpiryCheck = "skips-expiry-check",
    /// Accepts tokens before their nbf time.
    SkipsNotBeforeCheck = "skips-not-before-check",
    /// Accepts tokens from any issuer.
    SkipsIssuerCheck = "skips-issuer-check",
    /// Accepts tokens issued for any audience.
    SkipsAudienceCheck = "skips-audience-check",
    /// Accepts tokens without an aud claim.
    AcceptsMissingAudience = "accepts-missing-audience",
    /// Compares only the origin of the audience, not the whole resource URI.
    AudienceOriginOnly = "audience-origin-only",
    /// Compares the audience byte for byte, so an upper-case scheme or host does not match.
    AudienceCaseSensitive = "audience-case-sensitive",
    /// Refuses tokens whose aud is an array.
    AudienceArrayUnsupported = "audience-array-unsupported",
    /// Serves requests whatever scope the token grants.
    SkipsScopeCheck = "skips-scope-check",
    /// Answers a token with insufficient scope with 401 invalid_token instead of 403.
    InsufficientScopeAs401 = "insufficient-scope-as-401",
    /// Answers a token of another audience with 403 instead of 401.
    WrongAudienceForbidden = "wrong-audience-forbidden",
    /// Accepts the access_token query parameter.
    AcceptsQueryToken = "accepts-query-token",
    /// Accepts an Authorization header that carries the token without the Bearer scheme.
    AcceptsTokenWithoutScheme = "accepts-token-without-scheme",
    /// Treats a known Mcp-Session-Id as proof of authentication.
    SessionAuthenticates = "session-authenticates",
    /// Serves a client address without a token once it has sent one valid token.
    RemembersClientAddress = "remembers-client-address",
    /// Refuses a valid token it has already served once, as if tokens were one-time
    /// nonces: the conversation breaks on its second request.
    SingleUseTokens = "single-use-tokens",
    /// Answers a token that is not a JWT with HTTP 500.
    CrashesOnMalformedToken = "crashes-on-malformed-token",
    /// Leaves error="invalid_token" out of the challenge for a refused token.
    NoInvalidTokenError = "no-invalid-token-error",
    /// Serves requests whatever their Origin header names: no DNS-rebinding defence.
    SkipsOriginCheck = "skips-origin-check",
    /// Refuses a foreign Origin with 400 instead of the 403 of 2025-11-25 and later.
    OriginRefusedWith400 = "origin-refused-with-400",
    /// Opens the GET event stream for a known Mcp-Session-Id without a token.
    SessionOpensGetStream = "session-opens-get-stream",
    /// Serves a request whose Authorization header is the Bearer scheme with no token.
    AcceptsEmptyBearer = "accepts-empty-bearer",
    /// Lists offline_access in the scope of the 403 insufficient_scope challenge.
    OfflineAccessIn403Challenge = "offline-access-in-403-challenge",
    /// Names one scope per 403 challenge (mcp:read first, what the request needs only once a
    /// token has that), so the client's first step-up is refused again.
    OneScopePerChallenge = "one-scope-per-challenge",
    /// Hands every initialization the same session id.
    ConstantSessionId = "constant-session-id",
    /// Numbers sessions with a counter (1, 2, 3, …).
    CounterSessionIds = "counter-session-ids",
    /// Puts a space (outside visible ASCII 0x21–0x7E) into session ids.
    SessionIdWithSpace = "session-id-with-space",
    /// Serves a session to a valid token of another subject than the one that opened it.
    SessionNotBoundToUser = "session-not-bound-to-user",
    // issue 12, group G
    /// Answers a refused token with a 401 that carries no WWW-Authenticate header (the
    /// request without a token still gets the challenge).
    NoChallengeForRefusedToken = "no-challenge-for-refused-token",
    /// Answers a refused (expired, altered, …) token with 403 instead of 401.
    InvalidTokenForbidden = "invalid-token-forbidden",
    /// Reads the first of several Authorization headers and ignores the rest, instead of
    /// refusing the malformed request with 400 (as Node's http module does).
    FirstAuthorizationHeaderWins = "first-authorization-header-wins",
    /// Names in its challenge a metadata document of its own (not a well-known URI) whose
    /// resource is another path on its origin; the well-known documents stay right.
    PrmAdvertisedWrongResource = "prm-advertised-wrong-resource",
    // issue 12, fixtures (server --config)
    /// Its upstream tool calls the upstream API with the client's own access token
    /// instead of the upstream credential it holds (token passthrough).
    ForwardsClientToken = "forwards-client-token",
    /// Checks each scope literally: a broader scope of the declared hierarchy does not
    /// satisfy the narrower one it implies.
    IgnoresScopeHierarchy = "ignores-scope-hierarchy",
    /// Marks its per-user resource's result `cacheScope: "public"`.
    PerUserResultPublic = "per-user-result-public",
    /// Caches its per-user resource's first result and serves it to every user.
    SharesPrivateResults = "shares-private-results",
    // issue 12, helper C
    /// Listens on every interface (0.0.0.0) instead of loopback only, though it runs on
    /// the user's machine.
    BindsAllInterfaces = "binds-all-interfaces",
    /// OAuth proxy: forwards every authorization request to the third-party
    /// authorization server at once, without its own consent page.
    ProxySkipsConsent = "proxy-skips-consent",
    /// OAuth proxy: remembers consent as "this browser approved", not per `client_id`,
    /// so a newly registered client is forwarded without consent.
    ProxyConsentForAnyClient = "proxy-consent-for-any-client",
    /// OAuth proxy: the consent page is sent without `X-Frame-Options` or
    /// `frame-ancestors`, so another site may frame it.
    ProxyConsentPageFrameable = "proxy-consent-page-frameable",
    /// OAuth proxy: the consent page shows neither the client's name nor its redirect
    /// URI.
    ProxyConsentAnonymous = "proxy-consent-anonymous",
    /// OAuth proxy: the consent approval is accepted without its CSRF token.
    ProxyConsentWithoutCsrf = "proxy-consent-without-csrf",
    /// OAuth proxy: the consent cookie's name has no `__Host-` prefix.
    ProxyCookieWithoutHostPrefix = "proxy-cookie-without-host-prefix",
    /// OAuth proxy: the consent cookie is set without `Secure`, `HttpOnly` and
    /// `SameSite=Lax`.
    ProxyCookieAttributesMissing = "proxy-cookie-attributes-missing",
    /// OAuth proxy: the consent cookie's signature is not checked, so a cookie edited to
    /// name another `client_id` counts as that client's consent.
    ProxyCookieUnsigned = "proxy-cookie-unsigned",
    /// OAuth proxy: an authorization request's `redirect_uri` is accepted when it starts
    /// with a registered one.
    ProxyRedirectUriPrefixMatch = "proxy-redirect-uri-prefix-match",
    /// OAuth proxy: an authorization request's `redirect_uri` is accepted when it differs
    /// from a registered one in its port only.
    ProxyRedirectUriPortIgnored = "proxy-redirect-uri-port-ignored",
    /// OAuth proxy: the third-party callback is accepted whatever its `state`.
    ProxyStateNotChecked = "proxy-state-not-checked",
    /// OAuth proxy: a `state` stays valid after its callback was served.
    ProxyStateReusable = "proxy-state-reusable",
    /// OAuth proxy: every forwarded authorization request carries the same `state`.
    ProxyStateFixed = "proxy-state-fixed",
    // issue 12, fixture tools B2 (RS-STATE-01, RS-ADJ-01)
    /// The request-state tool's `requestState` is plain base64url JSON without a MAC: an
    /// altered state is acted on (2026-07-28 MRTR, "Server Requirements").
    RequestStateUnprotected = "request-state-unprotected",
    /// The request-state tool verifies its `requestState` but not whose it is: a retry
    /// with another subject's valid token completes.
    RequestStateNotBoundToUser = "request-state-not-bound-to-user",
    /// The request-state tool completes a retry that carries a valid `requestState` and
    /// no token: the state stands in for the credential.
    RequestStateAuthenticates = "request-state-authenticates",
    /// The URL-elicitation tool puts the caller's access token into the elicitation URL.
    ElicitationUrlCarriesToken = "elicitation-url-carries-token",
    /// The URL-elicitation tool puts the caller's `sub` into the elicitation URL.
    ElicitationUrlCarriesSubject = "elicitation-url-carries-subject",
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::vocab::IdpDefect;

    #[test]
    fn names_round_trip_and_are_described() {
        for d in ServerDefect::ALL {
            assert_eq!(d.name().parse::<ServerDefect>().unwrap(), *d);
            assert!(!d.description().is_empty(), "{d} has no description");
        }
        for d in crate::vocab::ClientDefect::ALL {
            assert_eq!(d.name().parse::<crate::vocab::ClientDefect>().unwrap(), *d);
            assert!(!d.description().is_empty(), "{d} has no description");
        }
        for d in IdpDefect::ALL {
            assert_eq!(d.name().parse::<IdpDefect>().unwrap(), *d);
            assert!(!d.description().is_empty(), "{d} has no description");
        }
        assert!("nope"
            .parse::<IdpDefect>()
            .unwrap_err()
            .contains("unknown IdP defect"));
    }
}
