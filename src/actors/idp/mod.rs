//! The mock identity provider: an OAuth 2.1 authorization server, strict like a real one,
//! that the server under test trusts and the harness mints tokens with.

mod auth_methods;
mod authorize;
mod cimd;
mod client;
mod client_assertion;
mod client_auth;
mod client_credentials;
mod config;
mod dpop;
#[cfg(test)]
mod flow_tests;
mod grants;
mod introspection;
mod issue;
mod jwt_bearer;
mod login;
mod metadata;
#[cfg(test)]
mod metadata_tests;
mod params;
mod refusal;
mod registration;
mod server;
mod state;
mod token_endpoint;
mod token_exchange;

pub use client::{Client, MachineCredential, RedirectRule};
pub use config::{
    AssertionGrantConfig, Consent, IdpConfig, MissingPkce, DEFAULT_SCOPE, REFERENCE_MACHINE_CLIENT,
};
pub use introspection::introspection_answer;
pub use jwt_bearer::{
    issuer_at as enterprise_issuer_at, token_endpoint_of as enterprise_token_endpoint,
};
pub use login::{LOGIN_PASSWORD, LOGIN_USERNAME, SESSION_COOKIE};
pub use metadata::document as metadata_document;
pub use server::{idp_state, router, start_idp, MockIdp};
pub use state::{CodeGrant, IdpState, RefreshGrant, CODE_LIFETIME};
pub use token_exchange::id_token as enterprise_id_token;
