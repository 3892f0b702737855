//! Running one client case for one revision: the driver runs the client under test once
//! against the case's mocks; its verdict is judged over what the mocks saw and how the
//! client ended.

use std::time::{Duration, Instant};

use crate::actors::drivers::{ClientObserver, ClientRunSeen};
use crate::logic::answer::Answer;
use crate::logic::case::Case;
use crate::logic::client_verdict::{judge_client_run, ClientEnd};
use crate::logic::template::Vars;
use crate::logic::verdict::case_report;
use crate::logic::well_known::origin_of;
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
    let Some(run) = &case.file.client else {
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
    } = seen;
    let mut vars = Vars::new();
    vars.insert("target".into(), observation.mcp_url.clone());
    if let Ok(u) = url::Url::parse(&observation.mcp_url) {
        vars.insert("target_origin".into(), origin_of(&u));
    }
    vars.insert("revision".into(), revision.as_str().into());
    vars.insert("issuer".into(), issuer);
    let answer = Answer {
        observation: Some(observation.clone()),
        ..Answer::default()
    };
    let mut report = case_report(case, revision, Outcome::Pass, None);
    let end = ClientEnd {
        stopped: observation.exit_code.is_none(),
        still_working: !quiet,
        ended: process.ended.clone(),
    };
    judge_client_run(case, run, &observation, &answer, &vars, &end, &mut report);
    // As recorded: the run's report redacts them (`RunFrame`).
    report.exchanges = observation.exchanges.clone();
    report.process = Some(process);
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}
