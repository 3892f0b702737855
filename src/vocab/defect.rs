//! The typed defects ("knobs") of the reference MCP server. Every server case names one:
//! the reference server started with that defect must make the case fail, which is how the
//! suite proves each case able to fail. Names are kebab-case in case files.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! defects {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// A deliberate deviation of the reference MCP server (and of the authorization
        /// server metadata it points to) from the specification.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        pub enum ServerDefect {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant, )*
        }

        impl ServerDefect {
            pub const ALL: &'static [ServerDefect] = &[$(ServerDefect::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(ServerDefect::$variant => $name,)* }
            }

            /// The doc line of the defect: what the reference server does wrong.
            pub fn description(self) -> &'static str {
                match self { $(ServerDefect::$variant => concat!($($doc),*).trim_ascii(),)* }
            }
        }
    };
}

defects! {
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
}

impl fmt::Display for ServerDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ServerDefect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServerDefect::ALL
            .iter()
            .copied()
            .find(|d| d.name() == s)
            .ok_or_else(|| format!("unknown server defect `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_described() {
        for d in ServerDefect::ALL {
            assert_eq!(d.name().parse::<ServerDefect>().unwrap(), *d);
            assert!(!d.description().is_empty(), "{d} has no description");
        }
    }
}
