//! Running one client case for one revision: the driver runs the client under test once
//! against the case's mocks; its verdict is judged over what the mocks saw and how the
//! client ended.

use std::time::{Duration, Instant};

use crate::actors::drivers::{ClientObserver, ClientRunSeen};
use crate::logic::builtins::Builtins;
use crate::logic::case::Case;
use crate::logic::case_body::CaseBody;
use crate::logic::client_verdict::{judge_client_run, ClientEnd};
use crate::logic::verdict::case_report;
use crate::vocab::{CaseReport, Outcome, Revision};

/// One case, one revision: mocks up, client run, verdict. The evidence is as recorded,
/// secrets included: the run's report (`RunFrame::finish`) redacts it.
pub async fn run_client_case(
    case: &Case,
    revision: Revision,
    observer: &dyn ClientObserver,
    timeout: Duration,
) -> CaseReport {
    let started = Instant::now();
    let CaseBody::Client(run) = &case.body else {
        return case_report(
            case,
            revision,
            Outcome::Error,
            Some("not a client case".into()),
        );
    };
    let seen = match observer.observe(run, revision, timeout).await {
        Ok(seen) => seen,
        Err(reason) => return case_report(case, revision, Outcome::Error, Some(reason)),
    };
    let ClientRunSeen {
        observation,
        process,
        quiet,
        issuer,
        over_budget,
    } = seen;
    let mut builtins = Builtins::new(observation.mcp_url.clone());
    builtins.issuer = Some(issuer);
    let vars = builtins.vars(revision);
    let mut report = case_report(case, revision, Outcome::Pass, None);
    let end = ClientEnd {
        stopped: observation.exit_code.is_none() || over_budget.is_some(),
        still_working: !quiet || over_budget.is_some(),
        ended: process.ended.clone(),
        over_budget,
    };
    judge_client_run(case, run, &observation, &vars, &end, &mut report);
    // As recorded: the run's report redacts them (`RunFrame`).
    // The log is the case's alone by now: moved, not copied (a flooding client's log is
    // megabytes, and eight cases run at once).
    report.exchanges = match std::sync::Arc::try_unwrap(observation) {
        Ok(observation) => observation.exchanges,
        Err(shared) => shared.exchanges.clone(),
    };
    report.process = Some(process);
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}
