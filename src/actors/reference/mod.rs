//! The suite's reference implementations: conformant by default, with one typed defect
//! per thing a case checks.

mod authentication;
mod challenge;
mod deployment;
mod dpop_resource;
mod exposure;
mod fixture_primitives;
#[cfg(test)]
mod knob_tests;
mod mcp_methods;
mod mcp_server;
mod oauth_proxy;
mod protected_resource_metadata;
mod request_state_tool;
#[cfg(test)]
mod revision_tests;
mod scope_policy;
mod sessions;
mod start;
mod token_check;
mod url_elicitation_tool;

pub use deployment::ReferenceConfig;
pub use exposure::REFERENCE_OTHER_ADDRESS;
pub use fixture_primitives::{UPSTREAM_CREDENTIAL, UPSTREAM_TOOL, WHOAMI_RESOURCE};
pub use oauth_proxy::{ProxyUpstream, PROXY_CALLBACK_PATH};
pub use request_state_tool::REQUEST_STATE_TOOL;
pub use scope_policy::{EXTRA_SCOPE, STEP_UP_SCOPE};
pub use start::{start_reference_mcp, start_reference_server, ReferenceMcpServer, ReferenceServer};
pub use token_check::{discover, TrustedIssuer, ValidationMode};
pub use url_elicitation_tool::URL_ELICITATION_TOOL;
