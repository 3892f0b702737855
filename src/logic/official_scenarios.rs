//! The client scenarios of the official MCP conformance suite
//! (`@modelcontextprotocol/conformance` 0.2.0-alpha.12, `conformance list --client`), by
//! name. A client case hands one to the client as `MCP_CONFORMANCE_SCENARIO`: clients
//! written for the official suite dispatch on it and exit on a name they do not know, so a
//! case may only name one of these.

/// The authorization scenarios, dated and extensions.
pub const OFFICIAL_AUTH_SCENARIOS: &[&str] = &[
    "auth/metadata-default",
    "auth/metadata-var1",
    "auth/metadata-var2",
    "auth/metadata-var3",
    "auth/basic-cimd",
    "auth/scope-from-www-authenticate",
    "auth/scope-from-scopes-supported",
    "auth/scope-omitted-when-undefined",
    "auth/scope-step-up",
    "auth/scope-retry-limit",
    "auth/token-endpoint-auth-basic",
    "auth/token-endpoint-auth-post",
    "auth/token-endpoint-auth-none",
    "auth/pre-registration",
    "auth/2025-03-26-oauth-metadata-backcompat",
    "auth/2025-03-26-oauth-endpoint-fallback",
    "auth/resource-mismatch",
    "auth/offline-access-scope",
    "auth/offline-access-not-supported",
    "auth/authorization-server-migration",
    "auth/iss-supported",
    "auth/iss-not-advertised",
    "auth/iss-supported-missing",
    "auth/iss-wrong-issuer",
    "auth/iss-unexpected",
    "auth/iss-normalized",
    "auth/metadata-issuer-mismatch",
    "auth/client-credentials-jwt",
    "auth/client-credentials-basic",
    "auth/enterprise-managed-authorization",
    "auth/dpop",
    "auth/dpop-nonce",
    "auth/wif-jwt-bearer",
];

/// Of [`OFFICIAL_AUTH_SCENARIOS`], the extensions' scenarios (not core MCP authorization).
pub const OFFICIAL_EXTENSION_SCENARIOS: &[&str] = &[
    "auth/client-credentials-jwt",
    "auth/client-credentials-basic",
    "auth/enterprise-managed-authorization",
    "auth/dpop",
    "auth/dpop-nonce",
    "auth/wif-jwt-bearer",
];

/// The official suite's authorization-server scenarios (`conformance authorization-server`).
pub const OFFICIAL_AUTHORIZATION_SERVER_SCENARIOS: &[&str] = &[
    "authorization-server-metadata-endpoint",
    "authorization-code-grant",
];

/// The core client scenarios: every authorization scenario that is not an extension's.
pub fn official_core_client_scenarios() -> impl Iterator<Item = &'static str> {
    OFFICIAL_AUTH_SCENARIOS
        .iter()
        .copied()
        .filter(|s| !OFFICIAL_EXTENSION_SCENARIOS.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_scenarios_are_official_authorization_scenarios() {
        for s in OFFICIAL_EXTENSION_SCENARIOS {
            assert!(OFFICIAL_AUTH_SCENARIOS.contains(s), "{s}");
        }
        assert_eq!(
            official_core_client_scenarios().count(),
            OFFICIAL_AUTH_SCENARIOS.len() - OFFICIAL_EXTENSION_SCENARIOS.len()
        );
    }
}
