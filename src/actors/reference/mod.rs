//! The suite's reference implementations: conformant by default, with one typed defect
//! per thing a case checks.

mod as_metadata;
mod deployment;
mod mcp_server;
mod protected_resource_metadata;

pub use deployment::{start_reference_server, ReferenceConfig, ReferenceServer};
