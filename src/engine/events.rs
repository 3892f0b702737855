//! Progress events, so that an entry point can show progress without the engine knowing
//! about terminals.

use crate::vocab::{CaseReport, Revision};

pub trait RunEvents: Send + Sync {
    /// More case runs are planned: called before they start, once per session (a demo
    /// runs several sessions at once, so the total grows), and again for the runs a
    /// session settles without running them (a case its set-up blocked, one report
    /// standing for several revisions).
    fn planned(&self, _total: usize) {}
    /// A case run got its concurrency permit and really starts (a run waiting for a
    /// permit has not started). Runs that end without starting (settled at once,
    /// interrupted while waiting) are only `case_finished`.
    fn case_started(&self, _id: &str, _revision: Revision) {}
    /// A case run ended. Its evidence and reason are not redacted yet (the run's report
    /// is, as a whole): show its identity, outcome and duration, never its reason,
    /// checks or exchanges.
    fn case_finished(&self, _report: &CaseReport) {}
}

/// Ignores every event.
pub struct NoEvents;

impl RunEvents for NoEvents {}
