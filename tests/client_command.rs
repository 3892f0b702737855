//! The client target with real processes: the reference client started through
//! `client --command` (its own binary mode) passes every case, as in process; a client that
//! only opens a browser through `BROWSER` and waits on a loopback callback works through
//! the headless shim; clients that hang, crash or do nothing are judged within the case
//! time limit.

mod common;

use common::client_cases;

use common::not_passed;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mcp_authspec::actors::browser_shim::write_browser_shim;
use mcp_authspec::actors::drivers::{ClientDriver, ClientUnderTest};
use mcp_authspec::engine::NoEvents;
use mcp_authspec::logic::case::Case;
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::vocab::{Outcome, Revision, RunReport};

const BIN: &str = env!("CARGO_BIN_EXE_mcp-authspec");

async fn run(client: ClientUnderTest, cases: &[Arc<Case>], timeout: Duration) -> RunReport {
    let plan = RunPlan {
        revisions: Revision::ALL.to_vec(),
        case_timeout: timeout,
        concurrency: 4,
        ..RunPlan::default()
    };
    let session = ClientDriver {
        client,
        reference: false,
    };
    mcp_authspec::engine::run(&session, cases, &plan, Arc::new(NoEvents)).await
}

fn shim() -> PathBuf {
    write_browser_shim(std::path::Path::new(BIN)).unwrap()
}

/// In process, the reference client passes every client case in every revision (the
/// self-test's conformant trials prove it case by case); started as a process through the
/// launch protocol it must too, so the two ways give the same verdicts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_client_as_a_process_gets_the_in_process_verdicts() {
    let cases = client_cases();
    let command = ClientUnderTest::Command {
        command: format!("'{BIN}' reference client"),
        browser_shim: Some(shim()),
    };
    let outside = run(command, &cases, Duration::from_secs(20)).await;
    assert!(outside.cases.len() > 60, "{}", outside.cases.len());
    assert_eq!(
        outside.summary.pass,
        outside.summary.total,
        "{:#?}",
        not_passed(&outside)
    );
    let evidence = outside.cases[0].process.as_ref().expect("process evidence");
    assert!(
        evidence.command.contains("reference client"),
        "{}",
        evidence.command
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_only_opens_a_browser_works_through_the_shim() {
    let cases: Vec<_> = client_cases()
        .into_iter()
        .filter(|c| c.area == "pkce" || c.area == "resource")
        .collect();
    let command = ClientUnderTest::Command {
        command: format!("'{BIN}' reference client --browser"),
        browser_shim: Some(shim()),
    };
    let report = run(command, &cases, Duration::from_secs(20)).await;
    assert!(!report.cases.is_empty());
    assert!(not_passed(&report).is_empty(), "{:#?}", not_passed(&report));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_crashing_and_idle_clients_are_judged_within_the_limit() {
    let cases: Vec<_> = client_cases()
        .into_iter()
        .filter(|c| {
            c.id() == "client/pkce/refuses-without-methods" || c.id() == "client/pkce/s256-pair"
        })
        .collect();
    for (command, ended) in [
        ("sleep 30; :", "time limit"),
        ("kill -SEGV $$; :", "signal 11"),
        ("true", "exit status 0"),
    ] {
        let started = Instant::now();
        let client = ClientUnderTest::Command {
            command: command.into(),
            browser_shim: None,
        };
        let report = run(client, &cases, Duration::from_secs(2)).await;
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{command}: {:?}",
            started.elapsed()
        );
        assert!(!report.cases.is_empty());
        for c in &report.cases {
            assert_eq!(
                c.outcome,
                Outcome::Fail,
                "{command}: {} {:?}",
                c.id,
                c.reason
            );
            let reason = c.reason.as_deref().unwrap();
            assert!(reason.contains(ended), "{command}: {reason}");
        }
    }
}
