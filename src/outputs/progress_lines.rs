//! The lines of live progress written while a run goes on (`--progress lines`, what a CI
//! log shows): one per finished case run, and a heartbeat naming the runs still going, so
//! that a hanging target is visible while it hangs.
//!
//! They name a case run by its id, revision, outcome and duration only: the reason and
//! the evidence are not redacted until the run's report is, so they never appear here.

use crate::vocab::{Outcome, Revision};

use super::text::duration;

/// How many running case runs a heartbeat names; the rest are counted.
const HEARTBEAT_NAMES: usize = 3;

/// A case run still going, for the heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningCase {
    pub id: String,
    pub revision: Revision,
    /// How long it has run, in whole seconds.
    pub seconds: u64,
}

/// `[ 12/292] PASS  client/pkce/s256-pair [2026-07-28] 1.2 s`: the `finished`-th case
/// run to end, of the `planned` ones known so far (a demo's sessions add theirs as they
/// start, so the total may grow).
pub fn finished_line(
    finished: usize,
    planned: usize,
    id: &str,
    revision: Revision,
    outcome: Outcome,
    duration_ms: u64,
) -> String {
    // A session may settle runs it had not announced yet: the total shown never falls
    // below the count.
    let planned = planned.max(finished);
    let width = planned.to_string().len();
    let label = outcome.as_str().to_ascii_uppercase();
    format!(
        "[{finished:>width$}/{planned}] {label:<5} {id} [{revision}] {}",
        duration(duration_ms)
    )
}

/// `… still running (3): client/x [2026-07-28] 25 s, … and 2 more`, the longest-running
/// first; `None` when nothing runs.
pub fn heartbeat_line(running: &[RunningCase]) -> Option<String> {
    if running.is_empty() {
        return None;
    }
    let mut sorted: Vec<&RunningCase> = running.iter().collect();
    sorted.sort_by(|a, b| {
        (b.seconds, a.id.as_str(), a.revision).cmp(&(a.seconds, b.id.as_str(), b.revision))
    });
    let mut named: Vec<String> = sorted
        .iter()
        .take(HEARTBEAT_NAMES)
        .map(|r| format!("{} [{}] {} s", r.id, r.revision, r.seconds))
        .collect();
    if sorted.len() > HEARTBEAT_NAMES {
        named.push(format!("… and {} more", sorted.len() - HEARTBEAT_NAMES));
    }
    Some(format!(
        "… still running ({}): {}",
        running.len(),
        named.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(id: &str, seconds: u64) -> RunningCase {
        RunningCase {
            id: id.into(),
            revision: Revision::R2026_07_28,
            seconds,
        }
    }

    #[test]
    fn a_finished_line_names_count_outcome_case_revision_and_duration() {
        assert_eq!(
            finished_line(
                12,
                292,
                "client/pkce/s256-pair",
                Revision::R2026_07_28,
                Outcome::Pass,
                1_240
            ),
            "[ 12/292] PASS  client/pkce/s256-pair [2026-07-28] 1.2 s"
        );
        assert_eq!(
            finished_line(
                3,
                2,
                "server/x",
                Revision::R2025_06_18,
                Outcome::Unsupported,
                5
            ),
            "[3/3] UNSUPPORTED server/x [2025-06-18] 5 ms"
        );
    }

    #[test]
    fn a_heartbeat_names_the_longest_running_first_and_counts_the_rest() {
        assert_eq!(heartbeat_line(&[]), None);
        let line = heartbeat_line(&[
            running("client/a", 5),
            running("client/b", 25),
            running("client/c", 12),
            running("client/d", 1),
            running("client/e", 3),
        ]);
        assert_eq!(
            line.as_deref(),
            Some(
                "… still running (5): client/b [2026-07-28] 25 s, client/c [2026-07-28] 12 s, \
                 client/a [2026-07-28] 5 s, … and 2 more"
            )
        );
        assert_eq!(
            heartbeat_line(&[running("client/x", 25)]).as_deref(),
            Some("… still running (1): client/x [2026-07-28] 25 s")
        );
    }
}
