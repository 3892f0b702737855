//! Applying `--case`, `--exclude`, `--requirement`, `--level`, `--scenario` and
//! `--partition` to the loaded cases, and `--extension`'s opt-in (the logic is in `logic::case_selection` and
//! `logic::partition`).

use std::sync::Arc;

use super::args::SelectionArgs;
use crate::logic::baseline_entries::{Baseline, Listed};
use crate::logic::case::Case;
use crate::logic::case_selection::{select, CaseFacts};
use crate::logic::partition::{group_key, Partition};
use crate::vocab::exit_code;

/// The cases the filters select, in their order, or exit 2 after naming the value that
/// selects no case at all. The check runs over every loaded case, before roles,
/// revisions and the partition narrow them: a typo is a typo in every shard.
/// Then the cases of extensions the run does not enable (`--extension`) are left out;
/// filters that select only such cases are exit 2 too, naming the flag that would run them.
pub fn filtered_or_exit(
    cases: Vec<Arc<Case>>,
    select_args: &SelectionArgs,
) -> Result<Vec<Arc<Case>>, i32> {
    let filter = select_args.filter();
    let chosen: Vec<Arc<Case>> = if filter.is_empty() {
        cases
    } else {
        let facts: Vec<CaseFacts<'_>> = cases.iter().map(|c| CaseFacts::of(c)).collect();
        let chosen = select(&facts, &filter).map_err(|e| {
            eprint!("{e}");
            exit_code::USAGE
        })?;
        chosen.into_iter().map(|i| cases[i].clone()).collect()
    };
    let enabled = select_args.enabled_extensions();
    let (kept, left_out): (Vec<_>, Vec<_>) = chosen
        .into_iter()
        .partition(|c| c.extension().is_none_or(|e| enabled.contains(&e)));
    if kept.is_empty() && !filter.is_empty() {
        if let Some(extension) = left_out.first().and_then(|c| c.extension()) {
            eprintln!(
                "error: {} selects only cases of the {extension} extension, which this run \
                 does not enable\n  = help: add `--extension {extension}` (extensions are \
                 opt-in; `mcp-authspec list --extensions` lists them)",
                filter.describe()
            );
            return Err(exit_code::USAGE);
        }
    }
    Ok(kept)
}

/// This shard's cases: whole groups (a case with all its revisions, or every case of an
/// official scenario that `baseline` lists as a whole).
pub fn shard_of(
    cases: Vec<Arc<Case>>,
    partition: Partition,
    baseline: Option<&Baseline>,
) -> Vec<Arc<Case>> {
    let listed_whole = |scenario: &str| {
        baseline.is_some_and(|b| {
            b.entries
                .iter()
                .any(|e| matches!(&e.lists, Listed::Scenario(s) if s == scenario))
        })
    };
    let keys: Vec<String> = cases
        .iter()
        .map(|c| group_key(c.id(), c.official_scenario().filter(|s| listed_whole(s))))
        .collect();
    let members = partition.members(&keys);
    cases
        .into_iter()
        .zip(members)
        .filter_map(|(c, member)| member.then_some(c))
        .collect()
}
