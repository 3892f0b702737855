//! Helpers the integration tests share: a report's verdicts and what did not pass.

use std::collections::BTreeMap;

use mcp_authspec::vocab::{Outcome, Revision, RunReport};

/// Every case run's outcome, by case id and revision.
#[allow(dead_code)] // Not every test binary compares verdicts.
pub fn verdicts(report: &RunReport) -> BTreeMap<(String, Revision), Outcome> {
    report
        .cases
        .iter()
        .map(|c| ((c.id.clone(), c.revision), c.outcome))
        .collect()
}

/// One line per case run that did not pass, with its reason, for assertion messages.
#[allow(dead_code)] // Not every test binary lists failures.
pub fn not_passed(report: &RunReport) -> Vec<String> {
    report
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| format!("{} [{}] {}: {:?}", c.id, c.revision, c.outcome, c.reason))
        .collect()
}
