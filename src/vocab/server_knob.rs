//! The typed knobs of the reference MCP server that are *not* defects: conformant
//! behaviours a real server may show and a client must cope with. Client cases name
//! them; names are kebab-case in case files.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::defect::defects;

defects! {
    /// A conformant behaviour of the reference MCP server, off by default, that a
    /// client case turns on to see whether the client copes with it.
    ServerKnob, "server knob";
    /// Serves protected resource metadata only at /custom/resource-metadata, which the
    /// challenge's resource_metadata names (RFC 9728 §5.1); the well-known URIs answer 404.
    PrmCustomLocation = "prm-custom-location",
    /// Puts a DPoP challenge before the Bearer one in the same WWW-Authenticate value
    /// (RFC 9110 §11.6.1 allows several challenges).
    ExtraChallengeFirst = "extra-challenge-first",
    /// Starts the Bearer challenge with a realm whose quoted-string holds an escaped quote,
    /// a comma and a fake resource_metadata (RFC 9110 §5.6.4): only a parser that honours
    /// quoted-strings finds the real one after it.
    ChallengeWithEscapedQuote = "challenge-with-escaped-quote",
    /// Lists mcp:extra beside mcp:tools in the metadata's scopes_supported.
    PrmExtraScopes = "prm-extra-scopes",
    /// Requires mcp:tools mcp:write for tools/call and answers a token without mcp:write
    /// with 403 insufficient_scope naming both (MCP 2025-11-25 "Runtime Insufficient Scope
    /// Errors").
    StepUpOnToolsCall = "step-up-on-tools-call",
    /// Like step-up-on-tools-call, but the 403 challenge names only the scopes the token
    /// lacks; the client must request the union itself.
    StepUpOnlyNewScope = "step-up-only-new-scope",
    /// Answers every request with an otherwise valid token with 403 insufficient_scope
    /// naming mcp:tools mcp:write, whatever the token grants.
    AlwaysForbidden = "always-forbidden",
    /// The 2025-03-26 profile's authorization server at the MCP origin serves no metadata,
    /// only the default endpoints /authorize, /token and /register.
    LegacyMetadataMissing = "legacy-metadata-missing",
    /// The root protected-resource well-known URI serves metadata naming an authorization
    /// server that does not exist; the path-inserted one is correct.
    PrmTrapAtRoot = "prm-trap-at-root",
    /// Answers every POST with an event stream: a priming event (an event id and empty
    /// data, MCP 2025-11-25 transports "Sending Messages" item 6), a log notification,
    /// then the response.
    SsePriming = "sse-priming",
    /// Refuses a 2026-07-28 request that lacks a required per-request field (400 with
    /// -32602, basic/index "Per-request protocol fields") or whose `Mcp-Method` header
    /// does not match the body (400 with -32020, Streamable HTTP "Server Validation"),
    /// after authenticating it, as real SDKs do.
    EnforcesRequestFields = "enforces-request-fields",
    /// Offers no tools: no `tools` capability, and `tools/list` is an unknown method
    /// (-32601; 404 from 2026-07-28, Streamable HTTP).
    NoTools = "no-tools",
    /// Its resource identifier is its origin (MCP 2025-11-25 "Canonical Server URI" lists
    /// it as valid): metadata only at the root well-known URI, named in the challenge,
    /// and tokens must be issued for the origin.
    ResourceIsOrigin = "resource-is-origin",
    /// Its MCP endpoint is its origin's root: the server URL has no path (MCP "Canonical
    /// Server URI" lists `https://mcp.example.com` as valid), so the resource is the
    /// origin, and the metadata is at the root well-known URI (RFC 9728 §3.1).
    McpAtOriginRoot = "mcp-at-origin-root",
    /// Lists three scopes in the metadata's scopes_supported (mcp:tools mcp:read
    /// mcp:write, as the official scope-from-scopes-supported scenario lists three).
    PrmSeveralScopes = "prm-several-scopes",
    /// Answers an authorized tools/call with 307 Temporary Redirect to another MCP
    /// server, on another origin, with its own metadata and resource (RFC 9110 §15.4.8
    /// allows a redirect; the token of this server is not for that one).
    RedirectsToOtherServer = "redirects-to-other-server",
    /// Implements the revisions up to 2025-11-25 only, like an SDK of that era: offered
    /// a newer version at `initialize` it answers 2025-11-25, and a 2026-07-28 request
    /// (no session) gets 400 "No valid session ID provided" (-32000).
    ImplementsUpTo2025_11_25 = "implements-up-to-2025-11-25",
    // issue 12, group 1
    /// Every request needs mcp:private, which the challenge names but the metadata's
    /// scopes_supported (mcp:tools) does not list: an "alternative collection" MCP
    /// 2025-11-25 "Protected Resource Metadata Discovery Requirements" allows.
    ChallengeScopeUnlisted = "challenge-scope-unlisted",
    /// Every request needs mcp:tools mcp:admin, which the challenge names; the metadata's
    /// scopes_supported lists only mcp:tools (the challenge is a superset of it).
    ChallengeScopeBeyondListed = "challenge-scope-beyond-listed",
    /// Refuses the token of the first tools/call with 401 invalid_token, as if it had just
    /// been revoked (RFC 6750 §3.1), and that token for good: a client with a refresh
    /// token renews it there.
    RevokesTokenAtToolsCall = "revokes-token-at-tools-call",
    // issue 12, group 2
    /// Moves to a second authorization server (another issuer, on another origin, with
    /// its own clients): after the first authorized request it accepts, its metadata
    /// names the new one, and tokens of the first are refused with 401 invalid_token (as
    /// the official authorization-server-migration scenario does; MCP 2026-07-28
    /// client-registration "Authorization Server Binding").
    MigratesAuthorizationServer = "migrates-authorization-server",
    /// Writes the Bearer challenge's parameters with whitespace around `=`
    /// (`resource_metadata = "…"`: RFC 9110 §11.2 auth-param allows BWS there).
    ChallengeBwsAroundEquals = "challenge-bws-around-equals",
    /// Writes the scheme in lower case, `bearer` (RFC 9110 §11.1: case-insensitive).
    ChallengeLowercaseScheme = "challenge-lowercase-scheme",
    /// Sends a DPoP challenge and the Bearer challenge in two separate WWW-Authenticate
    /// header lines, DPoP first (RFC 9110 §11.6.1, §5.3: a field may be sent as several
    /// lines).
    ChallengeOnSeparateLines = "challenge-on-separate-lines",
    // issue 12, group 3
    /// The 2025-03-26 profile's authorization server at the MCP origin serves its
    /// endpoints under /oauth/ (/oauth/authorize, /oauth/token, /oauth/register) and names
    /// them in its metadata; the default paths answer 404 (the official
    /// 2025-03-26-oauth-metadata-backcompat shape).
    LegacyEndpointsUnderOauth = "legacy-endpoints-under-oauth",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_described() {
        for k in ServerKnob::ALL {
            assert_eq!(k.name().parse::<ServerKnob>().unwrap(), *k);
            assert!(!k.description().is_empty(), "{k} has no description");
        }
        assert!("nope"
            .parse::<ServerKnob>()
            .unwrap_err()
            .contains("unknown server knob"));
    }
}
