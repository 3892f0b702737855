//! The suite's reference MCP client: a conformant OAuth client for MCP authorization,
//! with one typed defect (`ClientDefect`) per behaviour a client case checks, so that
//! every case can be shown able to fail.

mod as_metadata;
mod assertion_grants;
mod authorization;
mod callback;
mod challenge;
mod client_assertion;
mod client_credentials;
mod client_id_document;
mod dpop_key;
mod dpop_requests;
mod flow;
mod grant;
mod identity;
mod launch;
mod pkce;
mod resource_metadata;
mod session;
mod token;
mod user_agent;
mod wire;

#[cfg(test)]
mod tests;

pub use flow::run_reference_client;
pub use launch::{launch_from, launch_from_env, BrowserMode, ClientLaunch, CALLBACK_TIMEOUT};
