use super::*;
use crate::logic::baseline_entries::{parse_baseline, KnownCase};
use crate::vocab::{exit_code, Profile, Revision, Role};

use Outcome::{Error, Fail, Info, Pass, Skip, Unsupported, Warn};
use Revision::{R2025_06_18 as OLD, R2025_11_25 as NEW};

fn run(id: &str, revision: Revision, outcome: Outcome) -> CaseReport {
    let role: Role = id.split('/').next().unwrap().parse().unwrap();
    let scenario = match id {
        "client/scope/step-up" | "client/scope/step-up-union" => Some("auth/scope-step-up".into()),
        _ => None,
    };
    CaseReport {
        scenario,
        ..CaseReport::minimal(id, role, revision, outcome)
    }
}

fn report(cases: Vec<CaseReport>) -> RunReport {
    RunReport::assemble(
        Vec::new(),
        vec![OLD, NEW],
        Profile::Strict,
        "2026-01-01T00:00:00Z".into(),
        1,
        None,
        cases,
    )
}

fn judged(cases: Vec<CaseReport>, text: &str) -> RunReport {
    let r = report(cases);
    let known: Vec<KnownCase> = r
        .cases
        .iter()
        .map(|c| KnownCase {
            id: &c.id,
            role: c.role,
            scenario: c.scenario.as_deref(),
        })
        .collect();
    let baseline = parse_baseline("b.yml", text, &known).expect("a valid baseline");
    judge(r.clone(), &baseline)
}

fn marks(r: &RunReport) -> Vec<Option<BaselineMark>> {
    r.cases.iter().map(|c| c.baseline.clone()).collect()
}

fn expected(entry: &str) -> Option<BaselineMark> {
    Some(BaselineMark::ExpectedFailure {
        entry: entry.into(),
    })
}

fn stale(entry: &str) -> Option<BaselineMark> {
    Some(BaselineMark::Stale {
        entry: entry.into(),
    })
}

fn summary(r: &RunReport) -> (Vec<String>, Vec<String>, Vec<String>) {
    let b = r.baseline.clone().expect("a baseline summary");
    (b.expected, b.stale, b.unmatched)
}

const STEP_UP: &str = "client/scope/step-up";
const BEARER: &str = "server/challenge/bearer-scheme";

#[test]
fn a_listed_failure_is_expected_and_does_not_fail_the_run() {
    let r = judged(
        vec![run(BEARER, NEW, Fail)],
        "server:\n  - server/challenge/bearer-scheme\n",
    );
    assert_eq!(marks(&r), [expected(BEARER)]);
    assert_eq!(r.cases[0].outcome, Fail, "the outcome stays as it is");
    assert_eq!((r.summary.fail, r.summary.expected_fail), (1, 1));
    assert_eq!(r.exit_code, exit_code::OK);
    assert_eq!(summary(&r), (vec![BEARER.into()], vec![], vec![]));
    assert_eq!(r.baseline.unwrap().file, "b.yml");
}

#[test]
fn an_unlisted_failure_still_fails_the_run() {
    let r = judged(
        vec![run(BEARER, NEW, Fail), run(STEP_UP, NEW, Fail)],
        "client:\n  - client/scope/step-up\n",
    );
    assert_eq!(marks(&r), [None, expected(STEP_UP)]);
    assert_eq!(r.exit_code, exit_code::FAILED);
}

#[test]
fn an_entry_whose_runs_all_pass_is_stale_and_fails_the_run() {
    let r = judged(
        vec![run(BEARER, OLD, Pass), run(BEARER, NEW, Pass)],
        "server:\n  - server/challenge/bearer-scheme\n",
    );
    assert_eq!(marks(&r), [stale(BEARER), stale(BEARER)]);
    assert_eq!(r.summary.stale, 2);
    assert_eq!(r.exit_code, exit_code::FAILED);
    assert_eq!(summary(&r), (vec![], vec![BEARER.into()], vec![]));
}

#[test]
fn an_entry_with_one_failing_run_is_not_stale() {
    let r = judged(
        vec![run(BEARER, OLD, Pass), run(BEARER, NEW, Fail)],
        "server:\n  - server/challenge/bearer-scheme\n",
    );
    assert_eq!(marks(&r), [None, expected(BEARER)]);
    assert_eq!(r.exit_code, exit_code::OK);
}

#[test]
fn a_revision_entry_lists_that_revision_only() {
    let entry = "server/challenge/bearer-scheme:2025-11-25";
    let r = judged(
        vec![run(BEARER, OLD, Fail), run(BEARER, NEW, Fail)],
        &format!("server:\n  - {entry}\n"),
    );
    assert_eq!(marks(&r), [None, expected(entry)]);
    assert_eq!(r.exit_code, exit_code::FAILED);
    let r = judged(
        vec![run(BEARER, OLD, Fail), run(BEARER, NEW, Pass)],
        &format!("server:\n  - {entry}\n"),
    );
    assert_eq!(marks(&r), [None, stale(entry)]);
}

#[test]
fn warn_and_info_are_expected_failures_too() {
    let r = judged(
        vec![run(BEARER, OLD, Warn), run(BEARER, NEW, Info)],
        "server:\n  - server::challenge::bearer-scheme\n",
    );
    let entry = "server::challenge::bearer-scheme";
    assert_eq!(marks(&r), [expected(entry), expected(entry)]);
    assert_eq!(
        (r.summary.expected_failure, r.summary.expected_fail),
        (2, 0)
    );
    assert_eq!(r.exit_code, exit_code::OK);
}

#[test]
fn skipped_unsupported_and_errored_runs_give_no_signal() {
    let text = "server:\n  - server/challenge/bearer-scheme\n";
    let r = judged(
        vec![run(BEARER, OLD, Skip), run(BEARER, NEW, Unsupported)],
        text,
    );
    assert_eq!(marks(&r), [None, None]);
    assert_eq!(summary(&r), (vec![], vec![], vec![BEARER.into()]));
    assert_eq!(r.exit_code, exit_code::OK);
    // An error is never excused, and does not keep a passing entry from being stale.
    let r = judged(vec![run(BEARER, OLD, Error), run(BEARER, NEW, Pass)], text);
    assert_eq!(marks(&r), [None, stale(BEARER)]);
    assert_eq!(r.exit_code, exit_code::FAILED);
    let r = judged(vec![run(BEARER, OLD, Error), run(BEARER, NEW, Fail)], text);
    assert_eq!(marks(&r), [None, expected(BEARER)]);
    assert_eq!(r.exit_code, exit_code::HARNESS);
}

#[test]
fn a_scenario_entry_lists_every_run_of_its_cases() {
    let r = judged(
        vec![
            run(STEP_UP, OLD, Fail),
            run("client/scope/step-up-union", NEW, Pass),
            run("client/other/case", NEW, Fail),
        ],
        "client:\n  - auth/scope-step-up\n",
    );
    assert_eq!(marks(&r), [expected("auth/scope-step-up"), None, None]);
    assert_eq!(r.exit_code, exit_code::FAILED, "the other case's fail");
    let r = judged(
        vec![
            run(STEP_UP, OLD, Pass),
            run("client/scope/step-up-union", NEW, Pass),
        ],
        "client:\n  - auth/scope-step-up\n",
    );
    assert_eq!(
        marks(&r),
        [stale("auth/scope-step-up"), stale("auth/scope-step-up")]
    );
}

#[test]
fn official_checks_and_unknown_names_list_no_run() {
    let text = "\
client:
  - auth/scope-step-up:some-check
  - tools_call
server:
  - dns-rebinding-protection
";
    let r = judged(vec![run(STEP_UP, NEW, Fail), run(BEARER, NEW, Pass)], text);
    assert_eq!(marks(&r), [None, None]);
    assert_eq!(r.exit_code, exit_code::FAILED);
    assert_eq!(
        summary(&r).2,
        [
            "auth/scope-step-up:some-check",
            "tools_call",
            "dns-rebinding-protection"
        ]
    );
}

#[test]
fn a_scenario_lists_only_its_sections_role() {
    // The client scenario under `server:` lists no client run.
    let r = judged(
        vec![run(STEP_UP, NEW, Fail)],
        "server:\n  - auth/scope-step-up\n",
    );
    assert_eq!(marks(&r), [None]);
    assert_eq!(r.exit_code, exit_code::FAILED);
}

#[test]
fn the_first_entry_to_list_a_run_marks_it() {
    let text = "client:\n  - client/scope/step-up:2025-11-25\n  - auth/scope-step-up\n";
    let r = judged(vec![run(STEP_UP, NEW, Fail), run(STEP_UP, OLD, Fail)], text);
    assert_eq!(
        marks(&r),
        [
            expected("client/scope/step-up:2025-11-25"),
            expected("auth/scope-step-up")
        ]
    );
    assert_eq!(
        summary(&r).0,
        ["client/scope/step-up:2025-11-25", "auth/scope-step-up"]
    );
    // A later stale entry over runs an earlier stale entry marked: both are stale, and
    // the run fails.
    let text = "client:\n  - auth/scope-step-up\n  - client/scope/step-up\n";
    let r = judged(vec![run(STEP_UP, NEW, Pass)], text);
    assert_eq!(marks(&r), [stale("auth/scope-step-up")]);
    assert_eq!(summary(&r).1.len(), 2);
    assert_eq!(r.exit_code, exit_code::FAILED);
}

#[test]
fn judging_again_gives_the_same_report() {
    let text = "server:\n  - server/challenge/bearer-scheme\n";
    let once = judged(vec![run(BEARER, NEW, Fail)], text);
    let known = [KnownCase {
        id: BEARER,
        role: Role::Server,
        scenario: None,
    }];
    let baseline = parse_baseline("b.yml", text, &known).unwrap();
    assert_eq!(judge(once.clone(), &baseline), once);
    // And an empty baseline takes every mark away.
    let empty = parse_baseline("b.yml", "", &known).unwrap();
    let cleared = judge(once, &empty);
    assert_eq!(marks(&cleared), [None]);
    assert_eq!(cleared.exit_code, exit_code::FAILED);
}

#[test]
fn an_interrupted_run_keeps_its_exit_code() {
    let text = "server:\n  - server/challenge/bearer-scheme\n";
    let r = report(vec![run(BEARER, NEW, Fail)]).interrupted_by(crate::vocab::Interrupt::Sigint);
    let known = [KnownCase {
        id: BEARER,
        role: Role::Server,
        scenario: None,
    }];
    let baseline = parse_baseline("b.yml", text, &known).unwrap();
    assert_eq!(judge(r, &baseline).exit_code, 130);
}
