//! What a run covers: the revisions, the profile, how many cases at once, how long each.

use std::time::Duration;

use crate::vocab::{Profile, Revision};

#[derive(Debug, Clone)]
pub struct RunPlan {
    pub revisions: Vec<Revision>,
    pub profile: Profile,
    /// How many cases run at once.
    pub concurrency: usize,
    pub case_timeout: Duration,
}

impl Default for RunPlan {
    fn default() -> Self {
        RunPlan {
            revisions: vec![Revision::LATEST],
            profile: Profile::Strict,
            concurrency: 8,
            case_timeout: Duration::from_secs(30),
        }
    }
}
