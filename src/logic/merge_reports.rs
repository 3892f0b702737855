//! One report from the reports of a partitioned run's shards (`mcp-authspec merge`):
//! their cases together, and the summary and exit code derived again from those cases,
//! so that the merged report says what one full run would have said.

use std::collections::{BTreeMap, BTreeSet};

use crate::vocab::{
    schema_major, union_of_extensions, BaselineMark, BaselineSummary, Outcome, Revision, RunReport,
    Shard, REPORT_SCHEMA_VERSION,
};

/// A report and where it was read from, for messages.
#[derive(Debug, Clone)]
pub struct NamedReport {
    pub file: String,
    pub report: RunReport,
}

/// Why the reports cannot be one report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give at least one report")]
    NoInput,
    #[error(
        "{file}: written by `{found}`, not `{expected}` as {first} was; \
         merge only the reports of one tool"
    )]
    Tool {
        file: String,
        found: String,
        expected: String,
        first: String,
    },
    #[error(
        "{file}: report schema {found}, not {expected}.x like {first}; merge reports of \
         one suite version (this one reads {REPORT_SCHEMA_VERSION})"
    )]
    Schema {
        file: String,
        found: String,
        expected: String,
        first: String,
    },
    #[error(
        "{file}: run with --profile {found}, {first} with --profile {expected}; the \
         shards of one run share their flags"
    )]
    Profile {
        file: String,
        found: String,
        expected: String,
        first: String,
    },
    #[error(
        "{first} and {second} both hold `{id}` [{revision}]: the shards overlap; merge \
         the reports of one run's `--partition K/N` shards (each K once)"
    )]
    Overlap {
        id: String,
        revision: Revision,
        first: String,
        second: String,
    },
    #[error(
        "{file} holds a whole run, {first} shard {shard}: merge the reports of one run's \
         shards, each once"
    )]
    NotAShard {
        file: String,
        first: String,
        shard: Shard,
    },
    #[error(
        "{file} holds shard {found}, {first} shard {expected}: the shards of one run share \
         their --partition kind and N"
    )]
    OtherPartition {
        file: String,
        found: Shard,
        expected: Shard,
        first: String,
    },
    #[error("{first} and {second} both hold shard {shard}; merge each shard of the run once")]
    SameShard {
        shard: Shard,
        first: String,
        second: String,
    },
    #[error(
        "shard {missing} of {total} missing (given: {given}); without it the merged \
         report would leave its cases out: give the report of every shard"
    )]
    MissingShard {
        /// The first missing shards' numbers, e.g. `2, 3`.
        missing: String,
        total: u64,
        given: String,
    },
    #[error(
        "{file}: judged with the baseline {found}, {first} with {expected}; the shards \
         of one run share their flags"
    )]
    Baseline {
        file: String,
        found: String,
        expected: String,
        first: String,
    },
}

/// Merges the shards' reports. What is one value per run becomes:
/// - targets: each (role, location) once, in the order first seen;
/// - revisions: the union, in revision order;
/// - `started_at`: the earliest (the reports' RFC 3339 UTC times compare as text);
/// - `duration_ms`: the longest, because shards run in parallel on their own machines,
///   and their sum would be a time no one waited;
/// - `error`: each different one, joined; `interrupted`: the first; `outlived`: all;
/// - `baseline`: see [`merge_baselines`].
///
/// A (case id, revision) pair held by two reports is an overlap, and an error, except
/// for the `unsupported` findings a target's revision probe makes once per run (they
/// stand for a revision's cases, so every shard with a case of that role makes the same
/// one): kept once.
pub fn merge_reports(inputs: Vec<NamedReport>) -> Result<RunReport, MergeError> {
    check_shards(&inputs)?;
    let mut inputs = inputs.into_iter();
    let Some(first) = inputs.next() else {
        return Err(MergeError::NoInput);
    };
    let mut merged = first.report.clone();
    merged.schema_version = REPORT_SCHEMA_VERSION.to_string();
    // The merged report is the whole run.
    merged.shard = None;
    // Where each case run came from, to name both files of an overlap.
    let mut origin: Vec<String> = vec![first.file.clone(); merged.cases.len()];
    let mut errors: Vec<String> = merged.error.take().into_iter().collect();
    let mut baselines: Vec<(String, BaselineSummary)> = merged
        .baseline
        .take()
        .map(|b| (first.file.clone(), b))
        .into_iter()
        .collect();
    check_unique(&merged, &origin)?;
    for input in inputs {
        let (source, report) = (input.file, input.report);
        check_compatible(&first, &source, &report)?;
        for target in report.targets {
            if !merged
                .targets
                .iter()
                .any(|t| t.role == target.role && t.location == target.location)
            {
                merged.targets.push(target);
            }
        }
        for revision in report.revisions {
            if !merged.revisions.contains(&revision) {
                merged.revisions.push(revision);
            }
        }
        merged.extensions =
            union_of_extensions(std::mem::take(&mut merged.extensions), report.extensions);
        if report.started_at < merged.started_at {
            merged.started_at = report.started_at;
        }
        merged.duration_ms = merged.duration_ms.max(report.duration_ms);
        if let Some(e) = report.error {
            if !errors.contains(&e) {
                errors.push(e);
            }
        }
        merged.interrupted = merged.interrupted.or(report.interrupted);
        merged.outlived.extend(report.outlived);
        if let Some(b) = report.baseline {
            baselines.push((source.clone(), b));
        }
        for case in report.cases {
            let twin = merged
                .cases
                .iter()
                .position(|c| c.id == case.id && c.revision == case.revision);
            match twin {
                Some(i)
                    if merged.cases[i].outcome == Outcome::Unsupported
                        && case.outcome == Outcome::Unsupported => {}
                Some(i) => {
                    return Err(MergeError::Overlap {
                        id: case.id,
                        revision: case.revision,
                        first: origin[i].clone(),
                        second: source,
                    })
                }
                None => {
                    merged.cases.push(case);
                    origin.push(source.clone());
                }
            }
        }
    }
    merged.revisions.sort();
    merged.error = (!errors.is_empty()).then(|| errors.join("; "));
    merged.baseline = merge_baselines(baselines)?;
    if let Some(baseline) = &merged.baseline {
        // An entry stale in one shard but expected in another listed a run that did not
        // pass: it is not stale, and its passing runs carry no mark.
        for case in &mut merged.cases {
            if let Some(BaselineMark::Stale { entry }) = &case.baseline {
                if !baseline.stale.contains(entry) {
                    case.baseline = None;
                }
            }
        }
    }
    merged
        .cases
        .sort_by(|a, b| a.id.cmp(&b.id).then(a.revision.cmp(&b.revision)));
    Ok(merged.rejudge())
}

/// Shards of one partition, each once and none missing; or reports of no partition at
/// all (they are merged as they are). A shard without cases shows only here.
fn check_shards(inputs: &[NamedReport]) -> Result<(), MergeError> {
    let Some((first, expected)) = inputs.iter().find_map(|i| i.report.shard.map(|s| (i, s))) else {
        return Ok(());
    };
    let mut holder: BTreeMap<u64, &str> = BTreeMap::new();
    for input in inputs {
        let Some(shard) = input.report.shard else {
            return Err(MergeError::NotAShard {
                file: input.file.clone(),
                first: first.file.clone(),
                shard: expected,
            });
        };
        // A report of another suite could hold any numbers: out of range is no shard.
        if shard.kind != expected.kind
            || shard.total != expected.total
            || !(1..=shard.total).contains(&shard.index)
        {
            return Err(MergeError::OtherPartition {
                file: input.file.clone(),
                found: shard,
                expected,
                first: first.file.clone(),
            });
        }
        if let Some(earlier) = holder.insert(shard.index, &input.file) {
            return Err(MergeError::SameShard {
                shard,
                first: earlier.to_string(),
                second: input.file.clone(),
            });
        }
    }
    // The first few missing numbers: found within `holder.len() + 5` steps, whatever N.
    let missing: Vec<String> = (1..=expected.total)
        .filter(|k| !holder.contains_key(k))
        .take(5)
        .map(|k| k.to_string())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let given: Vec<String> = holder.keys().map(|k| k.to_string()).collect();
    Err(MergeError::MissingShard {
        missing: missing.join(", "),
        total: expected.total,
        given: given.join(", "),
    })
}

fn check_compatible(
    first: &NamedReport,
    source: &str,
    report: &RunReport,
) -> Result<(), MergeError> {
    let expected = &first.report;
    if report.tool.name != expected.tool.name {
        return Err(MergeError::Tool {
            file: source.to_string(),
            found: report.tool.name.clone(),
            expected: expected.tool.name.clone(),
            first: first.file.clone(),
        });
    }
    if schema_major(&report.schema_version) != schema_major(&expected.schema_version) {
        return Err(MergeError::Schema {
            file: source.to_string(),
            found: report.schema_version.clone(),
            expected: schema_major(&expected.schema_version).to_string(),
            first: first.file.clone(),
        });
    }
    if report.profile != expected.profile {
        return Err(MergeError::Profile {
            file: source.to_string(),
            found: report.profile.as_str().to_string(),
            expected: expected.profile.as_str().to_string(),
            first: first.file.clone(),
        });
    }
    Ok(())
}

/// A report that holds one case run twice was not written by a run: said, naming it.
fn check_unique(report: &RunReport, origin: &[String]) -> Result<(), MergeError> {
    let mut seen = BTreeSet::new();
    for (case, source) in report.cases.iter().zip(origin) {
        if case.outcome != Outcome::Unsupported && !seen.insert((&case.id, case.revision)) {
            return Err(MergeError::Overlap {
                id: case.id.clone(),
                revision: case.revision,
                first: source.clone(),
                second: source.clone(),
            });
        }
    }
    Ok(())
}

/// The shards' baseline summaries as one: the same file in every report that has one;
/// `expected` the union; `stale` the entries stale in some shard and expected in none
/// (partitions keep a case's revisions and a scenario's cases in one shard, so an entry
/// is normally judged in one place); `unmatched` the entries no shard matched.
fn merge_baselines(
    baselines: Vec<(String, BaselineSummary)>,
) -> Result<Option<BaselineSummary>, MergeError> {
    let mut baselines = baselines.into_iter();
    let Some((first_source, mut merged)) = baselines.next() else {
        return Ok(None);
    };
    let mut unmatched_everywhere: BTreeSet<String> = merged.unmatched.iter().cloned().collect();
    for (source, b) in baselines {
        if b.file != merged.file {
            return Err(MergeError::Baseline {
                file: source,
                found: b.file,
                expected: merged.file,
                first: first_source,
            });
        }
        union_into(&mut merged.expected, b.expected);
        union_into(&mut merged.stale, b.stale);
        let here: BTreeSet<String> = b.unmatched.into_iter().collect();
        unmatched_everywhere.retain(|e| here.contains(e));
    }
    let expected = merged.expected.clone();
    merged.stale.retain(|e| !expected.contains(e));
    merged.unmatched = merged
        .unmatched
        .iter()
        .filter(|e| unmatched_everywhere.contains(*e))
        .filter(|e| !merged.expected.contains(e) && !merged.stale.contains(e))
        .cloned()
        .collect();
    Ok(Some(merged))
}

fn union_into(into: &mut Vec<String>, more: Vec<String>) {
    for e in more {
        if !into.contains(&e) {
            into.push(e);
        }
    }
}

#[cfg(test)]
#[path = "merge_reports_tests.rs"]
mod tests;
