//! Progress events, so that an entry point can show progress without the engine knowing
//! about terminals.

use crate::vocab::CaseReport;

pub trait RunEvents: Send + Sync {
    /// Called once, before any case starts, with the number of case runs planned.
    fn planned(&self, _total: usize) {}
    /// A case run ended. Its evidence is not redacted yet (the run's report is, as a
    /// whole): show its identity and outcome, never its checks or exchanges.
    fn case_finished(&self, _report: &CaseReport) {}
}

/// Ignores every event.
pub struct NoEvents;

impl RunEvents for NoEvents {}
