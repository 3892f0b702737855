//! What a baseline of expected failures (the official conformance suite's
//! expected-failures YAML, `--baseline FILE`) made of a run: a mark on each case run it
//! matched, and the entries it judged. Judging lives in `logic::baseline`; the report's
//! summary and exit code read the marks (`RunReport::rejudge`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the baseline judged one case run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum BaselineMark {
    /// Listed, and did not pass (fail, warn or info): shown as an expected failure; a
    /// fail does not fail the run.
    ExpectedFailure {
        /// The entry that lists it, as written (`auth/scope-step-up`,
        /// `client/pkce/s256-pair:2025-06-18`).
        entry: String,
    },
    /// Listed, and every run the entry lists passed: the entry is stale and fails the
    /// run, as in the official suite (remove it from the baseline).
    Stale { entry: String },
}

impl BaselineMark {
    pub fn entry(&self) -> &str {
        match self {
            BaselineMark::ExpectedFailure { entry } | BaselineMark::Stale { entry } => entry,
        }
    }
}

/// The baseline's entries, by what they found in the run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineSummary {
    /// The file, as given on the command line.
    pub file: String,
    /// Entries that listed a case run that did not pass.
    #[serde(default)]
    pub expected: Vec<String>,
    /// Entries whose every listed run passed: each fails the run.
    #[serde(default)]
    pub stale: Vec<String>,
    /// Entries that list no case run of this run (another mode's scenarios, an official
    /// check id, a case that was not run or only skipped): no signal, never a failure.
    #[serde(default)]
    pub unmatched: Vec<String>,
}
