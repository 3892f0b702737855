//! The coverage report's model: for every catalog requirement and every revision it
//! applies to, the cases that cover it, clause by clause, or the catalog's reason why no
//! case can. Built by `logic::coverage`, written by `outputs::coverage`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Level, Revision, Role};

/// Why the catalog says no case covers a requirement or a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UntestedKind {
    /// Nothing a target does on the wire shows whether it holds (storage, UI, internal
    /// mapping): the requirement leaves the black-box-testable set.
    NotBlackBox,
    /// Testable from outside, but only with a fixture the suite does not have yet (an
    /// upstream API, an OAuth proxy, a second user): it stays in the testable set, as a
    /// gap.
    NeedsFixture,
}

impl UntestedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UntestedKind::NotBlackBox => "not black-box testable",
            UntestedKind::NeedsFixture => "needs a fixture",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CoverageReport {
    /// Core requirements (RS, CL, AS) first, then the extensions (EXT), in catalog order.
    pub requirements: Vec<RequirementCoverage>,
    /// Per role and revision, core requirements only.
    pub summary: Vec<CoverageCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RequirementCoverage {
    pub id: String,
    pub role: Role,
    pub level: Level,
    pub statement: String,
    /// An extension's requirement (`EXT-…`): listed, not counted in the core figures.
    pub extension: bool,
    /// The catalog's reason why no case covers the requirement, if it gives one.
    pub untested: Option<UntestedNote>,
    pub revisions: Vec<RevisionCoverage>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UntestedNote {
    pub kind: UntestedKind,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RevisionCoverage {
    pub revision: Revision,
    /// Every case that cites the requirement and runs in this revision.
    pub cases: Vec<String>,
    /// The requirement's clauses that apply in this revision; empty when the catalog
    /// does not split the requirement.
    pub clauses: Vec<ClauseCoverage>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ClauseCoverage {
    pub key: String,
    pub text: String,
    pub level: Level,
    /// The cases that name this clause and run in this revision.
    pub cases: Vec<String>,
    /// The catalog's reason why no case covers this clause.
    pub untested: Option<String>,
}

/// Covered / black-box-testable requirement IDs of one role in one revision.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CoverageCount {
    pub role: Role,
    pub revision: Revision,
    pub testable: usize,
    pub covered: usize,
    pub must_testable: usize,
    pub must_covered: usize,
}

impl RevisionCoverage {
    pub fn covered(&self) -> bool {
        !self.cases.is_empty()
    }
}

impl CoverageCount {
    /// Percent, rounded down; 100 when nothing is testable.
    pub fn percent(covered: usize, testable: usize) -> usize {
        (covered * 100).checked_div(testable).unwrap_or(100)
    }
}
