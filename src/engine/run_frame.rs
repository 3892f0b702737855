//! What every session's report has around its cases: the target, the plan's revisions
//! and profile, when the run started and how long it took.

use std::time::Instant;

use super::runner::RunPlan;
use super::time::rfc3339_utc_now;
use crate::vocab::{CaseReport, RunReport, TargetDescription};

pub(super) struct RunFrame {
    pub target: TargetDescription,
    plan: RunPlan,
    started_at: String,
    clock: Instant,
}

impl RunFrame {
    /// Starts the clock of a run against `target`.
    pub fn start(target: TargetDescription, plan: &RunPlan) -> Self {
        RunFrame {
            target,
            plan: plan.clone(),
            started_at: rfc3339_utc_now(),
            clock: Instant::now(),
        }
    }

    /// The report: the cases that ran, and the error that stopped the run, if any.
    pub fn finish(&self, error: Option<String>, cases: Vec<CaseReport>) -> RunReport {
        RunReport::assemble(
            vec![self.target.clone()],
            self.plan.revisions.clone(),
            self.plan.profile.as_str(),
            self.started_at.clone(),
            self.clock.elapsed().as_millis() as u64,
            error,
            cases,
        )
    }
}
