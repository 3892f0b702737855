//! The mock identity provider: an OAuth 2.1 authorization server, strict like a real one,
//! that the server under test trusts and the harness mints tokens with.

mod authorize;
mod config;
#[cfg(test)]
mod flow_tests;
mod introspection;
mod metadata;
#[cfg(test)]
mod metadata_tests;
mod registration;
mod server;
mod state;
mod token_endpoint;

pub use config::{IdpConfig, DEFAULT_SCOPE};
pub use introspection::introspection_answer;
pub use metadata::document as metadata_document;
pub use server::{router, start_idp, MockIdp};
pub use state::{Client, CodeGrant, IdpState, RefreshGrant};
