//! Launching the server under test as a child process (`server --command`), watching it,
//! and stopping it together with everything it started.

mod detached;
mod error;
mod group;
mod launch;
#[cfg(all(test, unix))]
mod launch_tests;
mod output;
mod render;
mod run;
mod target;

pub use detached::start_detached;
pub use error::LaunchError;
pub use group::kill_group_now;
pub use launch::{free_loopback_port, launch, LaunchSpec};
pub use output::CAPTURE_LIMIT;
pub use render::{env_name, ENV_PREFIX};
pub use run::{run_to_end, run_until, RunOutcome, RunSpec};
pub use target::{TargetProcess, STOP_GRACE};
