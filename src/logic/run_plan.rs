//! What a run covers: the revisions, the profile, how many cases at once, how long each,
//! whether client cases share runs.

use std::time::Duration;

use crate::vocab::{Profile, Revision};

#[derive(Debug, Clone)]
pub struct RunPlan {
    pub revisions: Vec<Revision>,
    pub profile: Profile,
    /// How many cases run at once.
    pub concurrency: usize,
    pub case_timeout: Duration,
    /// Client cases with equal set-ups (`ClientSetUp`) share one run of the client, each
    /// judging the same observation; `false` (`--no-share`) runs every case alone.
    pub share_client_runs: bool,
}

impl Default for RunPlan {
    fn default() -> Self {
        RunPlan {
            revisions: vec![Revision::LATEST],
            profile: Profile::Strict,
            concurrency: 8,
            case_timeout: Duration::from_secs(30),
            share_client_runs: true,
        }
    }
}
