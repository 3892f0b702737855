//! The launch protocol of the official MCP conformance suite, which `client --command`
//! speaks so that SDKs' conformance clients run unchanged: the server URL is the last
//! argument and these environment variables are set. The driver that launches a client
//! and the reference client that is launched read the names from here: a name that
//! differed would break the contract silently on one side.

/// The scenario's name (`auth/metadata-default`, …): clients written for the official
/// suite dispatch on it.
pub const SCENARIO_VAR: &str = "MCP_CONFORMANCE_SCENARIO";
/// The revision the client speaks (`2025-06-18`, …).
pub const PROTOCOL_VERSION_VAR: &str = "MCP_CONFORMANCE_PROTOCOL_VERSION";
/// A JSON object of the official context schema: `name` (the scenario) and, for a
/// pre-registered client, `client_id` and `client_secret`.
pub const CONTEXT_VAR: &str = "MCP_CONFORMANCE_CONTEXT";
