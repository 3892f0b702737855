//! A finished case's evidence, bounded as soon as the case ends: a hostile target decides
//! how much it sends, and a run holds every case's report until it writes them, so a case
//! over the caps (`logic::report_budget`) is cut at once. It is redacted first, on its
//! own, so that no cut leaves part of a secret behind; the values that redaction removed
//! are kept for the run's final redaction of the whole report.

use std::sync::Mutex;

use crate::logic::evidence_cut::{cut_case, exceeds};
use crate::logic::redaction::{redact_case_alone, SecretValues};
use crate::logic::report_budget::CASE_CAPS;
use crate::vocab::CaseReport;

pub(super) struct EvidenceBound {
    known: SecretValues,
    found: Mutex<SecretValues>,
}

impl EvidenceBound {
    /// With the secrets the run handed out.
    pub fn new(known: SecretValues) -> Self {
        EvidenceBound {
            known,
            found: Mutex::default(),
        }
    }

    /// Cuts the case to the caps when it exceeds them, redacted first.
    pub fn settle(&self, report: &mut CaseReport) {
        if !exceeds(report, &CASE_CAPS) {
            return;
        }
        let found = redact_case_alone(report, &self.known);
        cut_case(report, &CASE_CAPS);
        self.found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(&found);
    }

    /// The secret values the redaction of cut cases removed.
    pub fn found(&self) -> SecretValues {
        self.found.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
