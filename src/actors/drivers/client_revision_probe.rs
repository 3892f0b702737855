//! Does the client speak the revision under test? Asked once per revision, before its
//! cases: the client runs the plain flow (`auth/metadata-default`) against mocks of that
//! revision, and the protocol version its authorized requests carry says which revision
//! it speaks (`logic::spoken_version`). A client that speaks another one — the
//! TypeScript SDK negotiates 2025-11-25 with a 2026-07-28 server, which serves it as an
//! earlier-era client (2026-07-28 basic/versioning, "Backward Compatibility") — gets one
//! `unsupported` finding for the revision instead of a cascade of failures judged by
//! rules it never claimed.
//!
//! A run that never gets to an authorized request decides nothing: the cases run and
//! judge for themselves.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::{OnceCell, Semaphore};
use tokio::task::JoinSet;

use super::driver::ClientObserver;
use super::server_revision_probe::{unsupported_revision, RevisionFinding};
use crate::logic::client_set_up::ClientSetUp;
use crate::logic::run_plan::RunPlan;
use crate::logic::spoken_version::versions_spoken;
use crate::vocab::{CaseReport, Revision, Role};

/// The id of the finding in reports.
pub const FINDING_ID: &str = "client/revision/implemented";
/// The catalog requirement the finding cites.
const REQUIREMENT: &str = "CL-VER-01";

/// The findings for the revisions the client does not speak. Probes run at most
/// `plan.concurrency` at once: a client on a fixed callback port runs alone.
pub async fn probe_revisions(
    client: Arc<dyn ClientObserver>,
    // Names the client in the process-wide memory of answers.
    key: String,
    revisions: &[Revision],
    plan: &RunPlan,
) -> Vec<CaseReport> {
    let permits = Arc::new(Semaphore::new(plan.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for revision in revisions.iter().copied() {
        let (client, permits, timeout) = (client.clone(), permits.clone(), plan.case_timeout);
        let key = key.clone();
        tasks.spawn(async move {
            let answer = remembered(key, revision);
            answer
                .get_or_init(|| async {
                    let _permit = permits.acquire_owned().await.ok();
                    probe_client(client.as_ref(), revision, timeout).await
                })
                .await
                .clone()
        });
    }
    let mut findings = Vec::new();
    while let Some(done) = tasks.join_next().await {
        // A probe that panicked decides nothing: the cases run and judge for themselves.
        if let Ok(Some(finding)) = done {
            findings.push(finding);
        }
    }
    findings
}

/// A probe's answer, shared by every session of this process with the same client and
/// revision: the vendor harness (`cargo test`) runs one session per case, and which
/// revision a client speaks does not change between them.
type Answer = Arc<OnceCell<Option<CaseReport>>>;

fn remembered(key: String, revision: Revision) -> Answer {
    static ANSWERS: OnceLock<Mutex<HashMap<(String, Revision), Answer>>> = OnceLock::new();
    let key = (key, revision);
    let mut answers = ANSWERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    answers.entry(key).or_default().clone()
}

/// `Some(finding)` when the client speaks another revision than `revision`.
async fn probe_client(
    client: &dyn ClientObserver,
    revision: Revision,
    timeout: Duration,
) -> Option<CaseReport> {
    let started = std::time::Instant::now();
    let seen = client
        .observe(&ClientSetUp::plain(), revision, timeout)
        .await
        .ok()?;
    let spoken = versions_spoken(&seen.observation);
    if spoken.is_empty() || spoken.contains(revision.as_str()) {
        return None;
    }
    let versions: Vec<&str> = spoken.iter().map(String::as_str).collect();
    let mut report = finding(
        revision,
        format!(
            "the client speaks {} when {revision} is tested: its authorized requests to a \
             {revision} mock MCP server carry that protocol version (MCP-Protocol-Version \
             or the per-request `_meta`)",
            versions.join(", ")
        ),
    );
    report.exchanges = seen.observation.exchanges.clone();
    report.process = Some(seen.process);
    report.duration_ms = started.elapsed().as_millis() as u64;
    Some(report)
}

/// The finding that stands for the revision's cases.
fn finding(revision: Revision, reason: String) -> CaseReport {
    unsupported_revision(
        RevisionFinding {
            id: FINDING_ID,
            title: "The client speaks the revision under test",
            role: Role::Client,
            requirement: REQUIREMENT,
        },
        revision,
        reason,
    )
}
