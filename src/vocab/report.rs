//! The immutable result of a run. Every writer (console, JSON, JUnit, Markdown) reads only
//! these types, so all formats tell the same story.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::baseline::{BaselineMark, BaselineSummary};
use super::exchange::Exchange;
use super::exit_code;
use super::extension::Extension;
use super::level::Level;
use super::outcome::Outcome;
use super::process::{Interrupt, ProcessEvidence};
use super::profile::Profile;
use super::revision::Revision;
use super::role::Role;
use super::shard::Shard;

/// Bumped on any incompatible change of the report's JSON shape
/// (`schemas/report.schema.json` describes it).
pub const REPORT_SCHEMA_VERSION: &str = "1.2";

/// The major part of a schema version (`1` of `1.1`): reports of one major version read
/// each other's files.
pub fn schema_major(version: &str) -> &str {
    version.split('.').next().unwrap_or(version)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunReport {
    pub schema_version: String,
    pub tool: ToolInfo,
    /// What was tested: one entry per target (the demo tests several).
    pub targets: Vec<TargetDescription>,
    /// The revisions the cases were run for.
    pub revisions: Vec<Revision>,
    /// `strict` or `lenient` (RFC 9728 §3.3 `resource` matching; see the README).
    pub profile: Profile,
    /// The authorization extensions the run enabled (`--extension`): their cases ran
    /// beside the core protocol's. Absent: none, only the core protocol was tested.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    /// Start of the run, RFC 3339 in UTC.
    pub started_at: String,
    pub duration_ms: u64,
    pub summary: Summary,
    /// The process exit code this report implies (see `exit_code` in the README).
    pub exit_code: i32,
    /// A harness or environment failure that stopped the run as a whole, e.g. an
    /// unreachable target. Cases that did run are still listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The signal that stopped the run before every case had finished: the cases it
    /// left unfinished are `error` with the reason `interrupted (SIGINT)`, and the exit
    /// code is 130 (SIGINT) or 143 (SIGTERM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<Interrupt>,
    /// Processes the targets started that were still running at the end of the run,
    /// found by the mark the harness gives every process it launches, and killed then
    /// (``pid 1234 `python3 x.py` ``). A note, never a verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outlived: Vec<String>,
    /// The baseline of expected failures the run was judged with (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    /// The share of a partitioned run (`--partition hash:2/3`) this report holds;
    /// absent for a whole run, a merged one included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    pub cases: Vec<CaseReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetDescription {
    pub role: Role,
    /// Where it was reached, or how it was started.
    pub location: String,
    /// True for the suite's own reference implementation (the demo).
    #[serde(default)]
    pub reference: bool,
    /// The process the harness started as the target (`server --command`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<ProcessEvidence>,
}

impl RunReport {
    /// Builds the report, deriving the summary and the exit code from the cases so that
    /// they cannot disagree.
    #[allow(clippy::too_many_arguments)]
    pub fn assemble(
        targets: Vec<TargetDescription>,
        revisions: Vec<Revision>,
        profile: Profile,
        started_at: String,
        duration_ms: u64,
        error: Option<String>,
        cases: Vec<CaseReport>,
    ) -> RunReport {
        let summary = Summary::of(&cases);
        let exit_code = summary.exit_code(error.is_some());
        RunReport {
            schema_version: REPORT_SCHEMA_VERSION.to_string(),
            tool: ToolInfo {
                name: "mcp-authspec".to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            targets,
            revisions,
            profile,
            extensions: Vec::new(),
            started_at,
            duration_ms,
            summary,
            exit_code,
            error,
            interrupted: None,
            outlived: Vec::new(),
            baseline: None,
            shard: None,
            cases,
        }
    }

    /// The summary and exit code derived again from the cases, after something changed
    /// them (a baseline's marks, shards merged): an interrupted run keeps its 130 or 143.
    pub fn rejudge(mut self) -> RunReport {
        self.summary = Summary::of(&self.cases);
        self.exit_code = match self.interrupted {
            Some(signal) => signal.exit_code(),
            None => self.summary.exit_code(self.error.is_some()),
        };
        self
    }

    /// The report of a run that `signal` stopped: said so, and exit 130 or 143 whatever
    /// the cases that finished found.
    pub fn interrupted_by(mut self, signal: Interrupt) -> RunReport {
        self.interrupted = Some(signal);
        self.exit_code = signal.exit_code();
        self
    }
}

impl RunReport {
    /// One report of two runs (the demo tests several targets): targets and cases
    /// together, the summary and exit code derived again.
    pub fn combine(self, other: RunReport) -> RunReport {
        let mut targets = self.targets;
        targets.extend(other.targets);
        let mut cases = self.cases;
        cases.extend(other.cases);
        let error = match (self.error, other.error) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
        let mut revisions = self.revisions;
        for r in other.revisions {
            if !revisions.contains(&r) {
                revisions.push(r);
            }
        }
        let interrupted = self.interrupted.or(other.interrupted);
        let mut outlived = self.outlived;
        outlived.extend(other.outlived);
        let mut combined = RunReport::assemble(
            targets,
            revisions,
            self.profile,
            self.started_at,
            self.duration_ms + other.duration_ms,
            error,
            cases,
        );
        combined.outlived = outlived;
        combined.extensions = union_of_extensions(self.extensions, other.extensions);
        combined.baseline = self.baseline.or(other.baseline);
        combined.shard = self.shard.or(other.shard);
        match interrupted {
            Some(signal) => combined.interrupted_by(signal),
            None => combined,
        }
    }
}

/// The extensions of two runs, each once, in extension order.
pub fn union_of_extensions(mut a: Vec<Extension>, b: Vec<Extension>) -> Vec<Extension> {
    a.extend(b);
    a.sort();
    a.dedup();
    a
}

/// Counts of case outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub info: usize,
    pub skip: usize,
    /// Revisions the target does not implement (one finding each, never a failure).
    #[serde(default)]
    pub unsupported: usize,
    pub error: usize,
    /// Case runs a baseline lists that did not pass (counted in fail, warn or info too);
    /// their fails do not fail the run.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub expected_failure: usize,
    /// Of those, the fails: `fail - expected_fail` is what fails the run.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub expected_fail: usize,
    /// Passing case runs of a stale baseline entry (counted in pass too): each fails the
    /// run.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stale: usize,
}

impl Summary {
    pub fn of<'a>(cases: impl IntoIterator<Item = &'a CaseReport>) -> Summary {
        let mut s = Summary::default();
        for case in cases {
            match &case.baseline {
                Some(BaselineMark::ExpectedFailure { .. }) => {
                    s.expected_failure += 1;
                    if case.outcome == Outcome::Fail {
                        s.expected_fail += 1;
                    }
                }
                Some(BaselineMark::Stale { .. }) => s.stale += 1,
                None => {}
            }
            s.total += 1;
            *match case.outcome {
                Outcome::Pass => &mut s.pass,
                Outcome::Fail => &mut s.fail,
                Outcome::Warn => &mut s.warn,
                Outcome::Info => &mut s.info,
                Outcome::Skip => &mut s.skip,
                Outcome::Unsupported => &mut s.unsupported,
                Outcome::Error => &mut s.error,
            } += 1;
        }
        s
    }

    /// The exit code these counts imply: a fail the baseline does not expect, or a stale
    /// entry, fails the run; otherwise an error (or `run_error`, a failure of the run as
    /// a whole) makes it a harness error.
    pub fn exit_code(&self, run_error: bool) -> i32 {
        if self.fail > self.expected_fail || self.stale > 0 {
            exit_code::FAILED
        } else if run_error || self.error > 0 {
            exit_code::HARNESS
        } else {
            exit_code::OK
        }
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        match outcome {
            Outcome::Pass => self.pass,
            Outcome::Fail => self.fail,
            Outcome::Warn => self.warn,
            Outcome::Info => self.info,
            Outcome::Skip => self.skip,
            Outcome::Unsupported => self.unsupported,
            Outcome::Error => self.error,
        }
    }
}

/// Where a requirement is stated: an MCP specification page and section, or an RFC section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecReference {
    /// e.g. `MCP 2025-06-18 basic/authorization` or `RFC 9728`.
    pub document: String,
    /// e.g. `Authorization Server Location` or `§5.1`.
    pub section: String,
}

/// One case run for one revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseReport {
    /// The case's id, e.g. `server/prm/resource-matches-url`.
    pub id: String,
    pub title: String,
    pub role: Role,
    /// Catalog ID of the requirement the case checks, e.g. `RS-PRM-03`.
    pub requirement: String,
    /// The official conformance suite's scenario the case belongs to (client and
    /// authorization-server cases): what `--scenario` selects and a baseline's scenario
    /// entries list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// The catalog's one-line statement of that requirement.
    pub requirement_text: String,
    pub level: Level,
    pub revision: Revision,
    pub outcome: Outcome,
    /// One line saying why the outcome is what it is (first broken check, skip or
    /// error reason). Absent for a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub spec: Vec<SpecReference>,
    pub checks: Vec<CheckReport>,
    /// Every HTTP exchange of the case, secrets redacted. For a client case: what the
    /// client sent to the mocks, and their answers.
    pub exchanges: Vec<Exchange>,
    /// Exchanges of the case the report leaves out (after the ones it shows), to stay
    /// within its size bound; the README says how much a report keeps.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub omitted_exchanges: usize,
    /// For a client case: the client's run (its command, how it ended, its output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<ProcessEvidence>,
    pub duration_ms: u64,
    /// What the run's baseline of expected failures made of this run, if it lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineMark>,
}

#[cfg(test)]
impl CaseReport {
    /// A case run with its identity and outcome only (no title, checks or evidence), for
    /// the tests of what reads reports; they set what else they need.
    pub(crate) fn minimal(id: &str, role: Role, revision: Revision, outcome: Outcome) -> Self {
        CaseReport {
            id: id.to_string(),
            title: String::new(),
            role,
            requirement: String::new(),
            scenario: None,
            requirement_text: String::new(),
            level: Level::MUST,
            revision,
            outcome,
            reason: None,
            spec: Vec::new(),
            checks: Vec::new(),
            exchanges: Vec::new(),
            omitted_exchanges: 0,
            process: None,
            duration_ms: 1,
            baseline: None,
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One expectation evaluated against the target's behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckReport {
    /// The step the check belongs to.
    pub step: String,
    /// What was checked, in words, e.g. `status equals 401`.
    pub description: String,
    pub level: Level,
    pub outcome: Outcome,
    pub expected: String,
    pub actual: String,
    /// Why this check matters, from the case file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}
