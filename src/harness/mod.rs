//! The `cargo test` entry (libtest-mimic): one trial per case. The suite's own tests use
//! it to prove every case passes against the reference implementation and fails against
//! its named defect; vendors use [`server_trials`], [`server_trials_with_command`],
//! [`client_trials`] and [`authorization_server_trials`] to run the cases against their
//! implementation from their own `tests/` file.
//!
//! A trial never passes for a case that did not run. What the harness knows cannot run
//! before any trial starts (a token the run cannot provide, a variable an
//! authorization-server run could not set) is an *ignored* trial, its reason printed once
//! to stderr. A case that turns out not to apply while it runs (`skip`, or `unsupported`:
//! the target does not implement the revision) fails its trial, unless
//! [`TrialOptions::allow_skips`] is set: then the trial is ignored with the reason.
//! `error` (the harness or environment broke) fails. SHOULD and MAY findings (`warn`,
//! `info`) pass and are printed to stderr. No report files are written on this path.

mod applicability;
mod authorization_server;
mod client;
mod exit_cleanup;
mod judge;
mod launched;
mod options;
mod runtime;
mod self_test;
mod server;
mod trials;

pub use authorization_server::authorization_server_trials;
pub use client::client_trials;
pub use launched::{server_trials_with_command, ServerLaunch};
pub use options::{ServerCommand, TrialOptions};
pub use self_test::self_test_trials;
pub use server::server_trials;
