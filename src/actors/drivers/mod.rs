//! The drivers: one per target role, behind one trait ([`Driver`]), each setting its
//! target up for a run and giving the engine a way to reach it; the user agent that gets
//! authorization requests through a server's consent; the requests the harness builds
//! from a case's steps.

mod as_setup;
mod authorization_server;
mod client;
mod client_revision_probe;
mod driver;
mod exposure_probe;
mod kept_plain_runs;
mod launched_server;
mod mcp_conversation;
mod reference;
pub mod request_builder;
mod server;
mod server_discovery;
mod server_revision_probe;
mod shared_registrations;
mod user_agent;

pub use authorization_server::AuthorizationServerDriver;
pub use client::{ClientDriver, ClientUnderTest};
pub use driver::{
    keep_until_teardown, no_review, CaseTarget, ClientObserver, ClientRunSeen, Driver, Prepared,
    RequestTarget, SetupFailure, Teardown,
};
pub use exposure_probe::{EXPOSURE_VARIABLE, NOT_STARTED_HERE};
pub use launched_server::{LaunchedServer, StartFailure, StartedServer};
pub use mcp_conversation::{complete_initialization, is_initialize, rpc_id};
pub use reference::{
    offer_reference_fixtures, reference_driver, reference_driver_as, reference_fixtures,
    reference_machine_client, reference_tokens, ReferenceTarget,
};
pub use request_builder::BuildError;
pub use server::{
    check_reachable, ServerDriver, NOT_A_PROXY, REACHABILITY_TIMEOUT,
    UPSTREAM_AUTHORIZATION_ENDPOINT,
};
pub use user_agent::{open_url, through_consent, MAX_REDIRECTS};
