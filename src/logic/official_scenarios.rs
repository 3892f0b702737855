//! The client scenarios of the official MCP conformance suite
//! (`@modelcontextprotocol/conformance` 0.2.0-alpha.12, `conformance list --client`), by
//! name. A client case hands one to the client as `MCP_CONFORMANCE_SCENARIO`: clients
//! written for the official suite dispatch on it and exit on a name they do not know, so a
//! case may only name one of these.

/// The core authorization scenarios (every MCP revision's, not the extensions').
pub const OFFICIAL_CORE_CLIENT_SCENARIOS: &[&str] = &[
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
];

/// The extensions' authorization scenarios.
pub const OFFICIAL_EXTENSION_SCENARIOS: &[&str] = &[
    "auth/client-credentials-jwt",
    "auth/client-credentials-basic",
    "auth/enterprise-managed-authorization",
    "auth/dpop",
    "auth/dpop-nonce",
    "auth/wif-jwt-bearer",
];

/// Every authorization scenario a client case may name: the core ones, then the
/// extensions'.
pub fn official_auth_scenarios() -> impl Iterator<Item = &'static str> {
    OFFICIAL_CORE_CLIENT_SCENARIOS
        .iter()
        .chain(OFFICIAL_EXTENSION_SCENARIOS)
        .copied()
}

/// The official suite's authorization-server scenarios (`conformance authorization-server`).
pub const OFFICIAL_AUTHORIZATION_SERVER_SCENARIOS: &[&str] = &[
    "authorization-server-metadata-endpoint",
    "authorization-code-grant",
];

/// The authorization-server cases that check what each official authorization-server
/// scenario checks (the README's parity table): `--scenario` selects them and a
/// baseline's scenario entry lists them. Client cases name their scenario in the case
/// file instead.
pub const AUTHORIZATION_SERVER_SCENARIO_CASES: &[(&str, &[&str])] = &[
    (
        "authorization-server-metadata-endpoint",
        &[
            "authorization-server/metadata/published",
            "authorization-server/metadata/published-rfc8414",
            "authorization-server/metadata/required-endpoints",
            "authorization-server/metadata/code-response-type",
            "authorization-server/metadata/s256-advertised",
            "authorization-server/metadata/issuer-identical",
            "authorization-server/metadata/cimd-advertised",
        ],
    ),
    (
        "authorization-code-grant",
        &[
            "authorization-server/authorization/code-and-state",
            "authorization-server/authorization/state-unchanged",
            "authorization-server/authorization/iss-is-issuer",
            "authorization-server/token/success-response",
        ],
    ),
];

/// The official authorization-server scenario an authorization-server case belongs to.
pub fn authorization_server_scenario_of(case_id: &str) -> Option<&'static str> {
    AUTHORIZATION_SERVER_SCENARIO_CASES
        .iter()
        .find(|(_, cases)| cases.contains(&case_id))
        .map(|(scenario, _)| *scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_is_named_once() {
        let mut all: Vec<&str> = official_auth_scenarios().collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "a scenario is listed twice");
    }

    #[test]
    fn every_authorization_server_scenario_has_cases_and_no_case_two_scenarios() {
        let mapped: Vec<&str> = AUTHORIZATION_SERVER_SCENARIO_CASES
            .iter()
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(mapped, OFFICIAL_AUTHORIZATION_SERVER_SCENARIOS);
        let mut ids: Vec<&str> = AUTHORIZATION_SERVER_SCENARIO_CASES
            .iter()
            .flat_map(|(_, c)| c.iter().copied())
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "a case belongs to two scenarios");
    }
}
