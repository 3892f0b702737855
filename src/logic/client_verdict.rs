//! The verdict of one client run: what the client reached, whether the case applies,
//! its checks, and how the client ended.
//!
//! - `reached:` fails the case (at its level) when the client never got to a step the
//!   case needs, naming the first error a mock answered: a stopped flow is the client's
//!   verdict, never a skip.
//! - `when:` skips: the client made an allowed choice that leaves nothing to judge.
//! - A client stopped at the time limit never passes. If it had gone quiet (its flow
//!   finished or abandoned, no request for a while) it "did not end by itself", judged at
//!   the case's level; if it was still sending requests, the limit cut a working client
//!   short, which a slow machine can cause: `error`, with the way out.

use std::time::Duration;

use crate::logic::case::Case;
use crate::logic::case_body::ClientRun;
use crate::logic::client_query::ClientQuery;
use crate::logic::flow_stop::first_mock_error;
use crate::logic::observation::Observation;
use crate::logic::template::Vars;
use crate::logic::verdict::{case_verdict, check_reason, judge_expectation, unmet_precondition};
use crate::vocab::{CaseReport, Outcome};

/// A client that sent nothing for this long before it was stopped had gone quiet.
pub fn quiet_after(case_timeout: Duration) -> Duration {
    (case_timeout / 4).min(Duration::from_secs(5))
}

/// How the client's run ended.
#[derive(Debug, Clone)]
pub struct ClientEnd {
    /// Stopped by the harness at the time limit (or ended by a signal).
    pub stopped: bool,
    /// Stopped while it was still sending requests.
    pub still_working: bool,
    /// In words, e.g. `exit status 0`.
    pub ended: String,
    /// Why the mocks stopped recording, when the client sent more than one case records:
    /// it was stopped then, still working, so its log is cut.
    pub over_budget: Option<String>,
}

const LABEL: &str = "client run";

/// Fills the report's outcome, reason and checks.
pub fn judge_client_run(
    case: &Case,
    run: &ClientRun,
    observation: &Observation,
    vars: &Vars,
    end: &ClientEnd,
    report: &mut CaseReport,
) {
    judge_run(case, run, observation, vars, end, report);
    if let Some(why) = &end.over_budget {
        over_budget(run, why, report);
    }
}

/// A client stopped for flooding the mocks: its log is cut, and it did not end by itself.
/// As for a client stopped at the time limit, a pass cannot stand, and a violation seen in
/// what was recorded does (a retry loop is the finding of `client/scope/retry-limit`);
/// but the client's exit was the harness's doing, so a check on it is not judged.
fn over_budget(run: &ClientRun, why: &str, report: &mut CaseReport) {
    let judged_expect = report.checks.len() == run.expect.len();
    if judged_expect {
        for (check, e) in report.checks.iter_mut().zip(&run.expect) {
            if matches!(e.query, ClientQuery::ClientExit) && check.outcome != Outcome::Pass {
                check.outcome = Outcome::Skip;
                check.description = format!(
                    "{} (not judged: the harness stopped the client)",
                    check.description
                );
            }
        }
    }
    let stopped = format!("{why}: the harness stopped it");
    let (outcome, reason) = if judged_expect {
        case_verdict(&report.checks)
    } else {
        (report.outcome, report.reason.clone())
    };
    (report.outcome, report.reason) = match (outcome, reason) {
        (Outcome::Fail | Outcome::Warn | Outcome::Info, Some(reason)) if judged_expect => (
            outcome,
            Some(format!("{reason} (in what was recorded; {stopped})")),
        ),
        (Outcome::Error, Some(reason)) if !judged_expect => (Outcome::Error, Some(reason)),
        (_, reason) => (
            Outcome::Error,
            Some(format!(
                "{stopped}, and the case cannot judge a log that was cut{}",
                reason
                    .map(|r| format!("; on what was recorded: {r}"))
                    .unwrap_or_default()
            )),
        ),
    };
}

fn judge_run(
    case: &Case,
    run: &ClientRun,
    observation: &Observation,
    vars: &Vars,
    end: &ClientEnd,
    report: &mut CaseReport,
) {
    let level = case.file.level;
    let first_error = first_mock_error(observation);
    let stop = || match &first_error {
        Some(error) => format!(
            "the first error a mock answered: {error}; the client {}",
            end.ended
        ),
        None => format!("no mock answered an error; the client {}", end.ended),
    };
    let cut_short = || match &end.over_budget {
        Some(why) => {
            format!("{why}: the harness stopped it, and the case cannot judge a log that was cut")
        }
        None => format!(
            "the client was still working at the time limit ({}): raise --case-timeout",
            end.ended
        ),
    };
    let unreached = run.reached.iter().find_map(|e| {
        let check = judge_expectation(e, observation, vars, level, LABEL);
        (check.outcome != Outcome::Pass).then_some(check)
    });
    if let Some(check) = unreached {
        let what = check.why.clone().unwrap_or_else(|| check_reason(&check));
        if end.stopped && end.still_working {
            report.outcome = Outcome::Error;
            report.reason = Some(format!("{}; so far: {what}", cut_short()));
        } else {
            report.outcome = level.violation();
            report.reason = Some(format!(
                "the client never got to what this case judges ({what}); {}",
                stop()
            ));
        }
        report.checks = vec![check];
        return;
    }
    let skipped = run.when.iter().find_map(|e| {
        let j = e.is.judge(&e.query.evaluate(observation), vars);
        (!j.holds)
            .then(|| unmet_precondition(&e.query.to_string(), &e.is, &j, e.why.as_deref(), vars))
    });
    if let Some(reason) = skipped {
        // A client that never ended by itself cannot be "not applicable": its unfinished
        // run is the verdict (a hang must not hide behind a precondition).
        (report.outcome, report.reason) = match (end.stopped, end.still_working) {
            (true, true) => (Outcome::Error, Some(format!("{}; {reason}", cut_short()))),
            (true, false) => (
                level.violation(),
                Some(format!(
                    "the client did not end by itself ({}), so the case could not be judged: {reason}",
                    end.ended
                )),
            ),
            (false, _) => (Outcome::Skip, Some(reason)),
        };
        return;
    }
    report.checks = run
        .expect
        .iter()
        .map(|e| judge_expectation(e, observation, vars, level, LABEL))
        .collect();
    let (outcome, reason) = case_verdict(&report.checks);
    (report.outcome, report.reason) = match (outcome, reason) {
        // The checks held, but a stopped client never passes.
        (Outcome::Pass, _) if end.stopped && end.still_working => (
            Outcome::Error,
            Some(format!("{}; its checks held so far", cut_short())),
        ),
        (Outcome::Pass, _) if end.stopped => (
            level.violation(),
            Some(format!(
                "the client did not end by itself ({}); its checks held",
                end.ended
            )),
        ),
        (outcome, None) => (outcome, None),
        (outcome, Some(reason)) if matches!(outcome, Outcome::Fail | Outcome::Warn) => {
            (outcome, Some(format!("{reason} ({})", stop())))
        }
        (outcome, Some(reason)) => (
            outcome,
            Some(format!("{reason} (the client {})", end.ended)),
        ),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::case::parse_case;
    use crate::logic::case_body::CaseBody;
    use crate::logic::catalog::Catalog;
    use crate::logic::verdict::case_report;
    use crate::vocab::{Endpoint, Exchange, Revision};

    const CASE: &str = r#"
id: client/token/bearer-on-every-request
title: t
requirement: CL-TOK-01
clause: every-post
level: MUST
revisions: [2025-06-18]
rationale: r
defect: token-only-once
client:
  scenario: auth/metadata-default
  reached:
    - query: {request_count: token}
      is: {between: [1, 100]}
      why: the client obtained a token
  when:
    - query: {request_count: mcp}
      is: {between: [2, 100]}
  expect:
    - query: {request_count: token}
      is: {equals: 1}
"#;

    fn judge(exchanges: Vec<Exchange>, end: ClientEnd) -> CaseReport {
        judge_case(CASE, exchanges, end)
    }

    #[test]
    fn the_exit_of_a_client_stopped_for_flooding_is_not_judged() {
        let case = CASE.replace(
            "    - query: {request_count: token}\n      is: {equals: 1}\n",
            "    - query: client_exit\n      is: present\n",
        );
        assert!(case.contains("client_exit"), "the expectation was replaced");
        let end = ClientEnd {
            over_budget: Some("the client sent more than 500 requests in this case".into()),
            ..ended(true, true)
        };
        let report = judge_case(&case, full_flow(), end);
        assert_eq!(report.outcome, Outcome::Error, "{:?}", report.reason);
        assert_eq!(report.checks[0].outcome, Outcome::Skip);
        assert!(report.checks[0].description.contains("not judged"));
    }

    fn judge_case(text: &str, exchanges: Vec<Exchange>, end: ClientEnd) -> CaseReport {
        let case = parse_case(
            text,
            "cases/client/token/bearer-on-every-request.yaml",
            Catalog::builtin(),
        )
        .expect("case parses");
        let CaseBody::Client(run) = case.body.clone() else {
            panic!("a client case has a client run");
        };
        let observation = Observation {
            exchanges,
            mcp_url: "http://127.0.0.1:1/mcp".into(),
            exit_code: (!end.stopped).then_some(0),
            ended: end.ended.clone(),
        };
        let mut report = case_report(&case, Revision::R2025_06_18, Outcome::Pass, None);
        judge_client_run(&case, &run, &observation, &Vars::new(), &end, &mut report);
        report
    }

    fn answered(url: &str, status: u16, body: &str) -> Exchange {
        let mut e = Exchange::request("client", "POST", url, vec![], None);
        e.status = Some(status);
        e.response_body = Some(body.into());
        e
    }

    fn ended(stopped: bool, still_working: bool) -> ClientEnd {
        ClientEnd {
            stopped,
            still_working,
            ended: if stopped {
                "stopped".into()
            } else {
                "exit status 1".into()
            },
            over_budget: None,
        }
    }

    #[test]
    fn a_client_stopped_for_flooding_is_no_pass_and_its_reason_says_so() {
        let end = ClientEnd {
            over_budget: Some("the client sent more than 500 requests in this case".into()),
            ..ended(true, true)
        };
        let report = judge(full_flow(), end.clone());
        assert_eq!(report.outcome, Outcome::Error, "{:?}", report.reason);
        let reason = report.reason.unwrap_or_default();
        assert!(reason.contains("more than 500 requests"), "{reason}");
        assert!(!reason.contains("--case-timeout"), "{reason}");
        // A violation seen in what was recorded stands (a count only grows).
        let mut flow = full_flow();
        flow.extend(full_flow());
        let report = judge(flow, end);
        assert_eq!(report.outcome, Outcome::Fail, "{:?}", report.reason);
        let reason = report.reason.unwrap_or_default();
        assert!(reason.contains("in what was recorded"), "{reason}");
    }

    fn full_flow() -> Vec<Exchange> {
        vec![
            answered("http://127.0.0.1:2/token", 200, "{}").served_by(Endpoint::Token),
            answered("http://127.0.0.1:1/mcp", 200, "{}").served_by(Endpoint::Mcp),
            answered("http://127.0.0.1:1/mcp", 200, "{}").served_by(Endpoint::Mcp),
        ]
    }

    #[test]
    fn a_flow_that_stopped_early_fails_with_the_first_mock_error() {
        let refused = answered(
            "http://127.0.0.1:2/authorize",
            400,
            r#"{"error":"invalid_request","error_description":"redirect_uri not registered"}"#,
        );
        let r = judge(vec![refused], ended(false, false));
        assert_eq!(r.outcome, Outcome::Fail);
        let reason = r.reason.unwrap();
        assert!(reason.contains("the client obtained a token"), "{reason}");
        assert!(
            reason.contains("400 at /authorize: invalid_request: redirect_uri not registered"),
            "{reason}"
        );
    }

    #[test]
    fn an_allowed_choice_skips() {
        let r = judge(full_flow()[..2].to_vec(), ended(false, false));
        assert_eq!(r.outcome, Outcome::Skip, "{:?}", r.reason);
    }

    #[test]
    fn a_stopped_client_never_passes() {
        let quiet = judge(full_flow(), ended(true, false));
        assert_eq!(quiet.outcome, Outcome::Fail);
        assert!(quiet.reason.unwrap().contains("did not end by itself"));
        let working = judge(full_flow(), ended(true, true));
        assert_eq!(working.outcome, Outcome::Error);
        assert!(working.reason.unwrap().contains("raise --case-timeout"));
        assert_eq!(
            judge(full_flow(), ended(false, false)).outcome,
            Outcome::Pass
        );
    }
}
