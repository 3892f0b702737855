//! Layer 4: running cases against a target, concurrently and within time limits.

mod as_session;
mod as_setup;
mod case_run;
mod client_revision_probe;
mod client_session;
mod client_verdict;
mod consent;
mod events;
mod launched_session;
mod mcp_conversation;
mod request_builder;
mod revision_probe;
mod run_frame;
mod runner;
mod server_discovery;
mod server_session;
mod shared_registrations;
mod time;
mod token_supply;

pub use as_session::AuthorizationServerSession;
pub use case_run::{run_case, CaseContext};
pub use client_session::{run_client_case, ClientSession, ClientUnderTest};
pub use consent::{open_url, MAX_REDIRECTS};
pub use events::{NoEvents, RunEvents};
pub use launched_session::{LaunchedServer, StartFailure, StartedServer};
pub use runner::{run_cases, RunPlan, Target};
pub use server_session::{check_reachable, ServerSession};
pub use time::rfc3339_utc_now;
pub use token_supply::{TokenError, TokenSupply};
