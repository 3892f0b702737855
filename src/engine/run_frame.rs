//! What every session's report has around its cases: the target, the plan's revisions
//! and profile, when the run started and how long it took; and the one place where the
//! finished report's secrets are redacted, so that no writer can show them, and its
//! evidence fitted to the report's size bound.

use std::time::Instant;

use super::time::rfc3339_utc_now;
use crate::logic::redaction::{redact_report, SecretValues};
use crate::logic::report_budget::fit_cases;
use crate::logic::run_plan::RunPlan;
use crate::vocab::{CaseReport, RunReport, TargetDescription};

pub(super) struct RunFrame {
    pub target: TargetDescription,
    plan: RunPlan,
    started_at: String,
    clock: Instant,
    /// Secrets the run handed out, which need not show up in any exchange.
    secrets: SecretValues,
}

impl RunFrame {
    /// Starts the clock of a run against `target`.
    pub fn start(target: TargetDescription, plan: &RunPlan) -> Self {
        RunFrame {
            target,
            plan: plan.clone(),
            started_at: rfc3339_utc_now(),
            clock: Instant::now(),
            secrets: SecretValues::default(),
        }
    }

    /// Adds secrets the run gives the target (a pre-registered client secret, a
    /// configured one) to those redacted by value.
    pub fn with_secrets(mut self, secrets: &SecretValues) -> Self {
        self.secrets.extend(secrets);
        self
    }

    /// The report: the cases that ran, and the error that stopped the run, if any.
    /// The cases' exchanges come as recorded; here they and everything else are
    /// redacted.
    pub fn finish(&self, error: Option<String>, cases: Vec<CaseReport>) -> RunReport {
        let report = RunReport::assemble(
            vec![self.target.clone()],
            self.plan.revisions.clone(),
            self.plan.profile,
            self.started_at.clone(),
            self.clock.elapsed().as_millis() as u64,
            error,
            cases,
        );
        let mut report = redact_report(report, &self.secrets);
        // Redacted first: a cut must not leave part of a secret that no rule recognises.
        fit_cases(&mut report.cases);
        report
    }
}
