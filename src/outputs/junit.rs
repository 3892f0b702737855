//! The JUnit XML report, for the test tabs of CI systems (Jenkins, GitLab, GitHub
//! reporters).
//!
//! JUnit knows only success, failure, error and skipped, so the mapping is chosen for what
//! CI does with it: a broken MUST is a `<failure>` (the job goes red), a harness problem is
//! an `<error>`, a skipped case is `<skipped>`, and a broken SHOULD or an untaken MAY stays
//! a success (CI must not go red for a SHOULD) that carries `WARN:`/`INFO:` in its output and
//! an `outcome` property so that nothing is hidden. A baseline's marks follow pytest's
//! convention, which those reporters read: an expected failure is `<skipped
//! type="expected-failure">` (the run does not fail for it), a stale entry a `<failure
//! type="stale-baseline-entry">` (the run fails for it).
//!
//! Reporters group by suite and class and key a test by (classname, name), so a case run
//! for several revisions must not repeat its name: one suite per revision (every role of
//! the run in it), each test named `<case id> [<revision>]`.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::vocab::{BaselineMark, CaseReport, Outcome, Revision, RunReport};

use super::text::{exchange_line, omitted_exchanges_line, spec_ref};

/// Renders the report as JUnit XML: one `<testsuite>` per revision, oldest first (as
/// `Revision::ALL`), and one `<testcase>` per case report, in the report's order.
///
/// The cases of all revisions run interleaved, so every suite spans the run: its `time`
/// is the run's wall time (`duration_ms`), as is the root's, never a sum of case times.
///
/// A run-level error (`report.error`) becomes an extra suite `harness` with one errored
/// test case `run`, so that a run that stopped early cannot look green in CI.
pub fn render_junit(report: &RunReport) -> String {
    let wall = Duration::from_millis(report.duration_ms);
    let mut junit = Report::new(report.tool.name.as_str());
    junit.set_time(wall);

    for revision in Revision::ALL {
        let cases: Vec<&CaseReport> = report
            .cases
            .iter()
            .filter(|c| c.revision == revision)
            .collect();
        if cases.is_empty() {
            continue;
        }
        let mut suite = suite(report, &format!("{} {revision}", report.tool.name));
        suite.add_property(Property::new("revision", revision.as_str()));
        for target in &report.targets {
            suite.add_property(Property::new(
                "target",
                format!("{}: {}", target.role, target.location),
            ));
        }
        suite.set_time(wall);
        suite.add_test_cases(cases.into_iter().map(test_case));
        junit.add_test_suite(suite);
    }

    if let Some(error) = &report.error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(error.as_str()).set_type("harness error");
        let mut suite = suite(report, "harness");
        suite.set_time(wall);
        let mut case = TestCase::new("run", status);
        case.set_classname("harness");
        suite.add_test_case(case);
        junit.add_test_suite(suite);
    }

    // Serializing to memory only fails on invalid UTF-8 or I/O errors, and `XmlString`
    // already strips what XML cannot carry.
    junit.to_string().expect("JUnit XML serializes to memory")
}

/// A suite with the properties every suite shares, stamped with the run's start time.
fn suite(report: &RunReport, name: &str) -> TestSuite {
    let mut suite = TestSuite::new(name);
    // `started_at` is already RFC 3339, which is what JUnit's `timestamp` wants; going
    // through `set_timestamp` would need a date-time type the crate does not otherwise use.
    suite
        .extra
        .insert("timestamp".into(), report.started_at.as_str().into());
    suite.add_property(Property::new(
        "tool",
        format!("{} {}", report.tool.name, report.tool.version),
    ));
    suite.add_property(Property::new("profile", report.profile.as_str()));
    if let Some(baseline) = &report.baseline {
        suite.add_property(Property::new("baseline", baseline.file.as_str()));
    }
    // The unfinished cases are errors `interrupted (SIGINT)`; this says why at a glance.
    if let Some(signal) = report.interrupted {
        suite.add_property(Property::new("interrupted", signal.name()));
    }
    suite
}

/// The area of a case id is its second path segment: `server/prm/x` is in `prm`.
fn area(id: &str) -> Option<&str> {
    id.split('/').nth(1).filter(|s| !s.is_empty())
}

fn test_case(case: &CaseReport) -> TestCase {
    let status = match &case.baseline {
        // Whatever the outcome: the summary counts every stale mark, and each fails the run.
        Some(BaselineMark::Stale { entry }) => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(format!(
                    "stale baseline entry `{entry}`: this run {}; remove it from the baseline",
                    match case.outcome {
                        Outcome::Pass => "now passes".to_string(),
                        other => format!("is `{other}`, not a failure"),
                    }
                ))
                .set_type("stale-baseline-entry");
            status
        }
        // Only a fail is forgiven (`Summary::exit_code`); a listed warn, info or error
        // keeps its own mapping.
        Some(BaselineMark::ExpectedFailure { entry }) if case.outcome == Outcome::Fail => {
            let mut status = TestCaseStatus::skipped();
            status
                .set_message(format!(
                    "expected failure (baseline entry `{entry}`): {}",
                    case.reason.as_deref().unwrap_or("failed")
                ))
                .set_type("expected-failure");
            status
        }
        _ => outcome_status(case),
    };

    let mut test_case = TestCase::new(format!("{} [{}]", case.id, case.revision), status);
    let classname = match area(&case.id) {
        Some(area) => format!("{}.{area}", case.role),
        None => case.role.to_string(),
    };
    test_case
        .set_classname(classname)
        .set_time(Duration::from_millis(case.duration_ms));
    if matches!(case.outcome, Outcome::Warn | Outcome::Info) {
        test_case.add_property(Property::new("outcome", case.outcome.as_str()));
    }
    if let Some(mark) = &case.baseline {
        test_case.add_property(Property::new("baseline-entry", mark.entry()));
    }
    test_case.set_system_out(system_out(case));
    test_case
}

/// The status the outcome alone gives.
fn outcome_status(case: &CaseReport) -> TestCaseStatus {
    let reason = case.reason.as_deref();
    match case.outcome {
        Outcome::Pass | Outcome::Warn | Outcome::Info => TestCaseStatus::success(),
        Outcome::Fail => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(reason.unwrap_or("failed"))
                .set_type(format!("{} {}", case.level, case.requirement));
            let broken = broken_checks(case);
            if !broken.is_empty() {
                status.set_description(broken);
            }
            status
        }
        Outcome::Error => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_message(reason.unwrap_or("harness error"))
                .set_type("harness error");
            status
        }
        Outcome::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(reason.unwrap_or("skipped"));
            status
        }
        // JUnit has no "unsupported": it is a skip whose type says which kind.
        Outcome::Unsupported => {
            let mut status = TestCaseStatus::skipped();
            status
                .set_message(reason.unwrap_or("revision not implemented"))
                .set_type("unsupported");
            status
        }
    }
}

/// The checks that did not hold, one per line, as the `<failure>` text: what CI shows
/// first when a case fails.
fn broken_checks(case: &CaseReport) -> String {
    case.checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| format!("{}\n", check_line(c)))
        .collect()
}

fn check_line(check: &crate::vocab::CheckReport) -> String {
    format!(
        "[{}] {} — expected: {} actual: {}",
        check.outcome, check.description, check.expected, check.actual
    )
}

/// The readable block in `<system-out>`: enough to understand the verdict without opening
/// the JSON report.
fn system_out(case: &CaseReport) -> String {
    let mut out = String::new();
    if let (Some(BaselineMark::ExpectedFailure { entry }), Outcome::Fail) =
        (&case.baseline, case.outcome)
    {
        let reason = case.reason.as_deref().unwrap_or("see checks");
        out.push_str(&format!(
            "EXPECTED FAILURE (baseline entry `{entry}`): {reason}\n"
        ));
    }
    if matches!(case.outcome, Outcome::Warn | Outcome::Info) {
        let label = case.outcome.as_str().to_ascii_uppercase();
        let reason = case.reason.as_deref().unwrap_or("see checks");
        out.push_str(&format!("{label}: {reason}\n"));
    }
    out.push_str(&format!(
        "requirement {} ({}): {}\n",
        case.requirement, case.level, case.requirement_text
    ));
    for spec in &case.spec {
        out.push_str(&format!("spec: {}\n", spec_ref(spec)));
    }
    if !case.checks.is_empty() {
        out.push_str("checks:\n");
        for check in &case.checks {
            out.push_str(&format!("  {}\n", check_line(check)));
        }
    }
    if !case.exchanges.is_empty() {
        out.push_str("exchanges:\n");
        for exchange in &case.exchanges {
            out.push_str(&format!("  {}\n", exchange_line(exchange)));
        }
    }
    if let Some(line) = omitted_exchanges_line(case) {
        out.push_str(&format!("  {line}\n"));
    }
    for left in case.process.iter().flat_map(|p| &p.outlived) {
        out.push_str(&format!(
            "note: still running after the client was stopped, killed: {left}\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use quick_xml::events::Event;
    use quick_xml::Reader;

    use super::*;
    use crate::outputs::fixture::{interrupted_report, sample_report};

    /// Counts start or empty elements with this name, reading the whole document.
    fn count_elements(xml: &str, name: &str) -> usize {
        let mut reader = Reader::from_str(xml);
        let mut count = 0;
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == name.as_bytes() => {
                    count += 1
                }
                Event::Eof => return count,
                _ => {}
            }
        }
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render_junit(&sample_report()));
    }

    #[test]
    fn interrupted_snapshot() {
        insta::assert_snapshot!(render_junit(&interrupted_report()));
    }

    #[test]
    fn parses_and_counts_match_the_report() {
        let report = sample_report();
        let xml = render_junit(&report);
        assert_eq!(count_elements(&xml, "testcase"), report.cases.len());
        assert_eq!(count_elements(&xml, "failure"), 2);
        assert_eq!(count_elements(&xml, "error"), 1);
        assert_eq!(count_elements(&xml, "skipped"), 1);
        assert_eq!(count_elements(&xml, "testsuite"), 3);
    }

    #[test]
    fn one_suite_per_revision_oldest_first_with_unique_names() {
        let xml = render_junit(&sample_report());
        let suites: Vec<&str> = xml
            .match_indices("<testsuite name=\"")
            .map(|(i, m)| {
                let rest = &xml[i + m.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect();
        assert_eq!(
            suites,
            [
                "mcp-authspec 2025-06-18",
                "mcp-authspec 2025-11-25",
                "mcp-authspec 2026-07-28"
            ]
        );
        assert!(xml.contains(
            r#"<testcase name="server/prm/resource-matches-url [2025-11-25]" classname="server.prm""#
        ));
        assert!(xml.contains(r#"type="MUST RS-AUTH-01""#));
        assert!(xml.contains("WARN: `scope` is `mcp:read|mcp:write`"));
        assert!(xml.contains(r#"<property name="outcome" value="warn"/>"#));
    }

    #[test]
    fn every_suite_spans_the_run_wall_time_not_the_sum_of_its_cases() {
        let xml = render_junit(&sample_report());
        // 4.321 s of wall time; the cases of 2025-11-25 add up to 42 ms.
        assert_eq!(xml.matches(r#"time="4.321""#).count(), 4, "{xml}");
    }

    /// The sample with a baseline: the failing 401 case expected to fail, the passing
    /// PRM case listed by a stale entry.
    fn baseline_report() -> RunReport {
        let mut report = sample_report();
        for case in &mut report.cases {
            case.baseline = match case.id.as_str() {
                "server/auth/unauthenticated-gets-401" => Some(BaselineMark::ExpectedFailure {
                    entry: "server/auth/unauthenticated-gets-401".into(),
                }),
                "server/prm/resource-matches-url" => Some(BaselineMark::Stale {
                    entry: "server/prm/resource-matches-url:2025-11-25".into(),
                }),
                _ => None,
            };
        }
        report.baseline = Some(crate::vocab::BaselineSummary {
            file: "expected-failures.yaml".into(),
            expected: vec!["server/auth/unauthenticated-gets-401".into()],
            stale: vec!["server/prm/resource-matches-url:2025-11-25".into()],
            unmatched: Vec::new(),
        });
        report.rejudge()
    }

    #[test]
    fn baseline_snapshot() {
        insta::assert_snapshot!(render_junit(&baseline_report()));
    }

    #[test]
    fn an_expected_failure_is_skipped_and_a_stale_entry_fails() {
        let report = baseline_report();
        let xml = render_junit(&report);
        assert!(xml.contains(
            r#"<skipped message="expected failure (baseline entry `server/auth/unauthenticated-gets-401`): status is 401: got 200" type="expected-failure"/>"#
        ), "{xml}");
        assert!(xml.contains("EXPECTED FAILURE (baseline entry"));
        assert!(xml.contains(
            r#"<failure message="stale baseline entry `server/prm/resource-matches-url:2025-11-25`: this run now passes; remove it from the baseline" type="stale-baseline-entry"/>"#
        ), "{xml}");
        // The counts CI shows are the report's: one fail forgiven, one stale added.
        assert_eq!(
            count_elements(&xml, "failure"),
            report.summary.fail - report.summary.expected_fail + report.summary.stale
        );
        assert_eq!(
            count_elements(&xml, "skipped"),
            report.summary.skip + report.summary.unsupported + report.summary.expected_fail
        );
    }

    #[test]
    fn run_error_adds_an_errored_harness_case() {
        let mut report = sample_report();
        report.error = Some("target unreachable".into());
        let xml = render_junit(&report);
        assert_eq!(count_elements(&xml, "testcase"), report.cases.len() + 1);
        assert_eq!(count_elements(&xml, "error"), 2);
        assert!(xml.contains(r#"message="target unreachable""#));
    }

    #[test]
    fn area_is_the_second_segment() {
        assert_eq!(area("server/prm/x"), Some("prm"));
        assert_eq!(area("server"), None);
        assert_eq!(area("server//x"), None);
    }
}
