//! One client run judged by many cases (the default) must give every case the verdict it
//! gets from a run of its own (`--no-share`): a case is a pure function of the recorded
//! observation. Compared on the reference client, and on every defect of the reference
//! client that a case of a shared run names (each such case must fail under it, shared
//! or not, so that the comparison covers failing verdicts too).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use mcp_authspec::actors::drivers::{ClientDriver, ClientUnderTest};
use mcp_authspec::engine::{client_units, NoEvents};
use mcp_authspec::logic::case::{Case, DefectRef};
use mcp_authspec::logic::case_body::CaseBody;
use mcp_authspec::logic::client_set_up::ClientSetUp;
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::vocab::{ClientDefect, Outcome, Revision, RunReport};
use regex::Regex;

mod common;
use common::client_cases;

async fn run(defect: Option<ClientDefect>, cases: &[Arc<Case>], share: bool) -> RunReport {
    let plan = RunPlan {
        revisions: Revision::ALL.to_vec(),
        case_timeout: Duration::from_secs(20),
        concurrency: 4,
        share_client_runs: share,
        ..RunPlan::default()
    };
    let driver = ClientDriver {
        client: ClientUnderTest::Reference {
            defect,
            knobs: BTreeSet::new(),
        },
        reference: false,
    };
    mcp_authspec::engine::run(&driver, cases, &plan, Arc::new(NoEvents)).await
}

/// Each run's verdict, reason and checks, with what differs between any two runs (the
/// mocks' ports, random values) masked.
fn verdicts(report: &RunReport) -> Vec<String> {
    let port = Regex::new(r"127\.0\.0\.1(:|%3A)\d+").unwrap();
    let random = Regex::new(r"[A-Za-z0-9_-]{20,}").unwrap();
    let mask = |text: &str| {
        let text = port.replace_all(text, "127.0.0.1:PORT");
        random.replace_all(&text, "RANDOM").into_owned()
    };
    report
        .cases
        .iter()
        .map(|c| {
            let checks: Vec<String> = c
                .checks
                .iter()
                .map(|k| {
                    format!(
                        "{} | {} | {:?} | {:?} | {} | {}",
                        k.step,
                        mask(&k.description),
                        k.level,
                        k.outcome,
                        mask(&k.expected),
                        mask(&k.actual)
                    )
                })
                .collect();
            format!(
                "{} [{}] {:?}: {}\n  {}",
                c.id,
                c.revision,
                c.outcome,
                mask(c.reason.as_deref().unwrap_or("")),
                checks.join("\n  ")
            )
        })
        .collect()
}

fn assert_same(shared: &RunReport, alone: &RunReport, what: &str) {
    let (shared, alone) = (verdicts(shared), verdicts(alone));
    assert_eq!(shared.len(), alone.len(), "{what}: as many runs");
    for (s, a) in shared.iter().zip(&alone) {
        assert_eq!(s, a, "{what}: shared (left) and alone (right) differ");
    }
}

/// (case, revision) pairs of the client cases, as a run plans them.
fn work(cases: &[Arc<Case>]) -> Vec<(Arc<Case>, Revision)> {
    cases
        .iter()
        .flat_map(|c| {
            Revision::ALL
                .iter()
                .filter(|r| c.file.revisions.contains(r))
                .map(|r| (c.clone(), *r))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sharing_changes_no_verdict_of_the_reference_client() {
    let cases = client_cases();
    let pairs = work(&cases).len();
    let units = client_units(work(&cases), true);
    assert!(
        units.len() < pairs,
        "some cases share a run ({} runs for {pairs})",
        units.len()
    );
    let in_shared_runs: usize = units.iter().map(Vec::len).filter(|n| *n > 1).sum();
    let shared = run(None, &cases, true).await;
    let alone = run(None, &cases, false).await;
    assert_same(&shared, &alone, "the reference client");
    assert!(shared
        .cases
        .iter()
        .all(|c| c.outcome == Outcome::Pass || c.outcome == Outcome::Skip));
    let told = shared.cases.iter().filter(|c| {
        c.process
            .as_ref()
            .is_some_and(|p| p.notes.iter().any(|n| n.contains("judged by")))
    });
    assert_eq!(
        told.count(),
        in_shared_runs,
        "a shared run says so in the evidence of each of its cases, and only then"
    );
}

/// The cases of every run that more than one case shares (in any revision), by set-up.
fn shared_runs(cases: &[Arc<Case>]) -> Vec<Vec<Arc<Case>>> {
    let mut by_set_up: BTreeMap<ClientSetUp, Vec<Arc<Case>>> = BTreeMap::new();
    for unit in client_units(work(cases), true) {
        if unit.len() < 2 {
            continue;
        }
        for (case, _) in unit {
            let CaseBody::Client(run) = &case.body else {
                continue;
            };
            let members = by_set_up.entry(run.set_up()).or_default();
            if !members.iter().any(|m| m.id() == case.id()) {
                members.push(case.clone());
            }
        }
    }
    by_set_up.into_values().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sharing_changes_no_verdict_under_the_defects_of_shared_runs() {
    let cases = client_cases();
    let mut checked = 0;
    for members in shared_runs(&cases) {
        for case in &members {
            let DefectRef::Client(defect) = case.defect else {
                continue;
            };
            let shared = run(Some(defect), &members, true).await;
            let alone = run(Some(defect), &members, false).await;
            assert_same(&shared, &alone, &format!("defect {defect}"));
            assert!(
                shared
                    .cases
                    .iter()
                    .any(|c| c.id == case.id()
                        && !matches!(c.outcome, Outcome::Pass | Outcome::Skip)),
                "{} fails under its defect {defect}",
                case.id()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 10,
        "the defects of shared runs were compared ({checked})"
    );
}
