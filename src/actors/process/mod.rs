//! Launching the server under test as a child process (`server --command`), watching it,
//! and stopping it together with everything it started, also what left its process group
//! (`marks`), also when the run is interrupted (`stop`).

mod detached;
mod error;
mod group;
mod launch;
#[cfg(all(test, unix))]
mod launch_tests;
mod marks;
mod output;
mod render;
mod run;
mod shell;
mod stop;
mod target;

pub use detached::start_detached;
pub use error::LaunchError;
pub use group::kill_group_now;
pub use launch::{free_loopback_port, launch, LaunchSpec};
pub use marks::{kill_all_left_behind, kill_all_left_behind_now, LAUNCH_MARK_VAR};
pub use output::CAPTURE_LIMIT;
pub use render::{env_name, ENV_PREFIX};
pub use run::{run_to_end, run_until, RunOutcome, RunSpec};
pub use stop::{process_stop, StopState, StopSwitch};
pub use target::{TargetProcess, STOP_GRACE};
