//! The typed knobs of the reference MCP client that are *not* defects: conformant
//! choices a real client may make, which every client case must accept. The project's
//! own tests run the reference client with each of them (`tests/client_variations.rs`).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::defect::defects;

defects! {
    /// A conformant choice of the reference MCP client, off by default; with it the
    /// client must still pass every case of every revision.
    ClientKnob, "client knob";
    /// Identifies itself with a client ID metadata document (MCP 2025-11-25 "Client ID
    /// Metadata Documents") when the authorization server advertises them and no client is
    /// pre-registered: serves the document on a loopback port for the run and uses its
    /// URL as client_id.
    CimdFirst = "cimd-first",
    /// Registers with application_type web instead of native (MCP 2026-07-28 "an
    /// appropriate application_type").
    WebApplicationType = "web-application-type",
    /// Uses the redirect URI http://localhost:<port>/callback instead of 127.0.0.1
    /// (RFC 8252 §7.3 allows it, as NOT RECOMMENDED).
    LocalhostRedirect = "localhost-redirect",
    /// Implements the revisions up to 2025-11-25 only, as the TypeScript SDK 1.x does:
    /// against a 2026-07-28 server it initializes and speaks 2025-11-25, which the server
    /// serves as an earlier-era client (2026-07-28 basic/versioning, "Backward
    /// Compatibility"). Its 2026-07-28 run is one `unsupported` finding, nothing else.
    ImplementsUpTo20251125 = "implements-up-to-2025-11-25",
    /// Registers without token_endpoint_auth_method, so RFC 7591 §2's default
    /// (client_secret_basic) applies, and authenticates with the secret the server issues,
    /// as its registration response says (the official everything client does this).
    DcrDefaultAuthMethod = "dcr-default-auth-method",
    /// In the client credentials extension, names the token endpoint URL as the client
    /// assertion's aud (RFC 7523 §3 item 3 allows it) instead of the issuer.
    CcAudienceTokenEndpoint = "cc-audience-token-endpoint",
    /// Sends client_id in the body beside its client assertion (RFC 7521 §4.2 allows
    /// it; RFC 7523 §3 makes sub the client's name either way).
    CcClientIdWithAssertion = "cc-client-id-with-assertion",
    /// Writes the authorization server's issuer with a trailing `/` where the
    /// extensions name it (client assertion aud, token exchange audience), as clients on
    /// Pydantic URLs do: for an issuer without a path it is the same URI (RFC 3986
    /// §6.2.3).
    IssuerWithTrailingSlash = "issuer-with-trailing-slash",
    /// Sends no client_id with a JWT bearer grant or a token exchange, where client
    /// authentication is optional (RFC 7521 §4.1; RFC 8693 §2.1).
    AssertionGrantWithoutClientId = "assertion-grant-without-client-id",
    /// In the DPoP extension, gives every proof an exp claim 60 seconds after its iat
    /// (RFC 9449 §4.2: a proof MAY carry other claims).
    DpopProofWithExp = "dpop-proof-with-exp",
    /// In the DPoP extension, presents the token with the scheme spelled `dpop` (RFC
    /// 9110 §11.1: scheme names are case-insensitive).
    DpopLowercaseScheme = "dpop-lowercase-scheme",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_described() {
        for k in ClientKnob::ALL {
            assert_eq!(k.name().parse::<ClientKnob>().unwrap(), *k);
            assert!(!k.description().is_empty(), "{k} has no description");
        }
    }
}
