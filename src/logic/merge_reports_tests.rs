use super::*;
use crate::vocab::{exit_code, CaseReport, Interrupt, Profile, Role, TargetDescription};

fn case(id: &str, revision: Revision, outcome: Outcome) -> CaseReport {
    CaseReport {
        title: id.to_string(),
        requirement: "CL-PKCE-01".to_string(),
        ..CaseReport::minimal(id, Role::Client, revision, outcome)
    }
}

fn report(started_at: &str, duration_ms: u64, cases: Vec<CaseReport>) -> RunReport {
    RunReport::assemble(
        vec![TargetDescription {
            role: Role::Client,
            location: "node client.js".to_string(),
            reference: false,
            process: None,
        }],
        vec![Revision::LATEST],
        Profile::Strict,
        started_at.to_string(),
        duration_ms,
        None,
        cases,
    )
}

fn named(source: &str, report: RunReport) -> NamedReport {
    NamedReport {
        file: source.to_string(),
        report,
    }
}

const R: Revision = Revision::LATEST;

#[test]
fn merges_cases_sorted_and_judges_again() {
    let a = report(
        "2026-01-01T00:00:05Z",
        100,
        vec![case("client/b", R, Outcome::Pass)],
    );
    let b = report(
        "2026-01-01T00:00:01Z",
        300,
        vec![
            case("client/c", R, Outcome::Fail),
            case("client/a", R, Outcome::Pass),
        ],
    );
    assert_eq!(a.exit_code, exit_code::OK);
    let merged = merge_reports(vec![named("a", a), named("b", b)]).unwrap();
    let ids: Vec<&str> = merged.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["client/a", "client/b", "client/c"]);
    assert_eq!(merged.summary.total, 3);
    assert_eq!(merged.summary.fail, 1);
    assert_eq!(merged.exit_code, exit_code::FAILED);
    assert_eq!(merged.started_at, "2026-01-01T00:00:01Z");
    assert_eq!(merged.duration_ms, 300, "the longest shard, not the sum");
    assert_eq!(merged.targets.len(), 1, "one target, seen by both shards");
}

#[test]
fn overlapping_shards_are_named() {
    let a = report("t", 1, vec![case("client/a", R, Outcome::Pass)]);
    let b = report("t", 1, vec![case("client/a", R, Outcome::Pass)]);
    let e =
        merge_reports(vec![named("s1/report.json", a), named("s2/report.json", b)]).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("s1/report.json") && text.contains("s2/report.json"),
        "{text}"
    );
    assert!(text.contains("client/a"), "{text}");
}

#[test]
fn a_revision_probe_finding_is_kept_once() {
    let finding = || case("client/revision/implemented", R, Outcome::Unsupported);
    let a = report("t", 1, vec![finding(), case("client/a", R, Outcome::Pass)]);
    let b = report("t", 1, vec![finding()]);
    let merged = merge_reports(vec![named("a", a), named("b", b)]).unwrap();
    assert_eq!(merged.summary.total, 2);
    assert_eq!(merged.summary.unsupported, 1);
}

#[test]
fn incompatible_reports_are_refused_naming_the_file() {
    let base = || report("t", 1, Vec::new());
    let mut other_tool = base();
    other_tool.tool.name = "other".to_string();
    let e = merge_reports(vec![named("a", base()), named("b", other_tool)]).unwrap_err();
    assert!(matches!(e, MergeError::Tool { ref file, .. } if file == "b"));

    let mut newer = base();
    newer.schema_version = "2.0".to_string();
    let e = merge_reports(vec![named("a", base()), named("b", newer)]).unwrap_err();
    assert!(matches!(e, MergeError::Schema { .. }), "{e}");

    let mut minor = base();
    minor.schema_version = "1.0".to_string();
    assert!(merge_reports(vec![named("a", base()), named("b", minor)]).is_ok());

    let mut lenient = base();
    lenient.profile = Profile::Lenient;
    let e = merge_reports(vec![named("a", base()), named("b", lenient)]).unwrap_err();
    assert!(
        e.to_string().contains("b: run with --profile lenient"),
        "{e}"
    );

    assert_eq!(merge_reports(Vec::new()).unwrap_err(), MergeError::NoInput);
}

#[test]
fn run_wide_notes_are_kept() {
    let mut a = report("t", 1, vec![case("client/a", R, Outcome::Pass)]);
    a.error = Some("the client could not start".to_string());
    a.outlived = vec!["pid 1 `x`".to_string()];
    let mut b = report("t", 1, vec![case("client/b", R, Outcome::Pass)]);
    b.error = Some("the client could not start".to_string());
    b.revisions = vec![Revision::ALL[0]];
    let b = b.interrupted_by(Interrupt::Sigterm);
    let merged = merge_reports(vec![named("a", a), named("b", b)]).unwrap();
    assert_eq!(merged.error.as_deref(), Some("the client could not start"));
    assert_eq!(merged.outlived.len(), 1);
    assert_eq!(merged.interrupted, Some(Interrupt::Sigterm));
    assert_eq!(merged.exit_code, Interrupt::Sigterm.exit_code());
    assert_eq!(merged.revisions, [Revision::ALL[0], R]);
}

#[test]
fn an_empty_shard_changes_nothing() {
    let a = report("t", 1, vec![case("client/a", R, Outcome::Pass)]);
    let mut empty = report("t", 0, Vec::new());
    empty.targets.clear();
    let merged = merge_reports(vec![named("a", a.clone()), named("empty", empty)]).unwrap();
    assert_eq!(merged.cases, a.cases);
    assert_eq!(merged.summary, a.summary);
    assert_eq!(merged.exit_code, a.exit_code);
}

fn baseline(expected: &[&str], stale: &[&str], unmatched: &[&str]) -> BaselineSummary {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    BaselineSummary {
        file: "conformance-baseline.yml".to_string(),
        expected: strings(expected),
        stale: strings(stale),
        unmatched: strings(unmatched),
    }
}

#[test]
fn baselines_merge_and_marks_are_counted_again() {
    let mut expected = case("client/a", R, Outcome::Fail);
    expected.baseline = Some(BaselineMark::ExpectedFailure {
        entry: "auth/x".to_string(),
    });
    let mut a = report("t", 1, vec![expected]);
    a.baseline = Some(baseline(&["auth/x"], &[], &["auth/y", "auth/z", "other"]));
    let a = a.rejudge();
    assert_eq!(a.exit_code, exit_code::OK);

    let mut stale = case("client/b", R, Outcome::Pass);
    stale.baseline = Some(BaselineMark::Stale {
        entry: "auth/y".to_string(),
    });
    let mut b = report("t", 1, vec![stale]);
    b.baseline = Some(baseline(&[], &["auth/y"], &["auth/x", "auth/z", "other"]));
    let b = b.rejudge();

    let merged = merge_reports(vec![named("a", a.clone()), named("b", b)]).unwrap();
    let summary = merged.baseline.clone().unwrap();
    assert_eq!(summary.expected, ["auth/x"]);
    assert_eq!(summary.stale, ["auth/y"]);
    assert_eq!(summary.unmatched, ["auth/z", "other"]);
    assert_eq!(merged.summary.expected_fail, 1);
    assert_eq!(merged.summary.stale, 1);
    assert_eq!(
        merged.exit_code,
        exit_code::FAILED,
        "a stale entry fails the run"
    );

    // Without the stale shard, the expected failure passes the run.
    let alone = merge_reports(vec![named("a", a)]).unwrap();
    assert_eq!(alone.exit_code, exit_code::OK);
}

#[test]
fn an_entry_expected_anywhere_is_not_stale() {
    let mut failing = case("client/a", R, Outcome::Fail);
    failing.baseline = Some(BaselineMark::ExpectedFailure {
        entry: "e".to_string(),
    });
    let mut a = report("t", 1, vec![failing]);
    a.baseline = Some(baseline(&["e"], &[], &[]));
    let mut passing = case("client/b", R, Outcome::Pass);
    passing.baseline = Some(BaselineMark::Stale {
        entry: "e".to_string(),
    });
    let mut b = report("t", 1, vec![passing]);
    b.baseline = Some(baseline(&[], &["e"], &[]));
    let merged = merge_reports(vec![named("a", a), named("b", b)]).unwrap();
    assert!(merged.baseline.as_ref().unwrap().stale.is_empty());
    assert_eq!(merged.summary.stale, 0);
    assert_eq!(merged.exit_code, exit_code::OK);
}

#[test]
fn different_baselines_are_refused() {
    let mut a = report("t", 1, Vec::new());
    a.baseline = Some(baseline(&[], &[], &[]));
    let mut b = report("t", 1, Vec::new());
    b.baseline = Some(BaselineSummary {
        file: "other.yml".to_string(),
        ..baseline(&[], &[], &[])
    });
    let e = merge_reports(vec![named("a", a), named("b", b)]).unwrap_err();
    assert!(e.to_string().contains("other.yml"), "{e}");
}

fn shard(index: u64, total: u64) -> Option<Shard> {
    Some(Shard {
        kind: crate::vocab::ShardKind::Hash,
        index,
        total,
    })
}

fn sharded(index: u64, total: u64, cases: Vec<CaseReport>) -> RunReport {
    let mut r = report("t", 1, cases);
    r.shard = shard(index, total);
    r
}

#[test]
fn every_shard_once_and_none_missing() {
    let one = || sharded(1, 3, vec![case("client/a", R, Outcome::Pass)]);
    let two = || sharded(2, 3, Vec::new());
    let three = || sharded(3, 3, vec![case("client/c", R, Outcome::Pass)]);
    let merged = merge_reports(vec![
        named("1", one()),
        named("2", two()),
        named("3", three()),
    ])
    .unwrap();
    assert_eq!(merged.shard, None, "the merged report is the whole run");
    assert_eq!(merged.summary.total, 2);

    // A missing shard would leave its cases out of a green report.
    let e = merge_reports(vec![named("1", one()), named("3", three())]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "shard 2 of 3 missing (given: 1, 3); without it the merged report would leave its \
         cases out: give the report of every shard"
    );
    // An empty shard given twice holds no case to overlap, and is still refused.
    let e = merge_reports(vec![
        named("1", one()),
        named("2", two()),
        named("2-again", two()),
        named("3", three()),
    ])
    .unwrap_err();
    assert!(matches!(e, MergeError::SameShard { .. }), "{e}");
    assert!(e.to_string().contains("2 and 2-again"), "{e}");

    let e = merge_reports(vec![
        named("1", one()),
        named("whole", report("t", 1, Vec::new())),
    ])
    .unwrap_err();
    assert!(matches!(e, MergeError::NotAShard { .. }), "{e}");
    let e = merge_reports(vec![
        named("1", one()),
        named("x", sharded(2, 4, Vec::new())),
    ])
    .unwrap_err();
    assert!(matches!(e, MergeError::OtherPartition { .. }), "{e}");
    // Numbers no run writes are refused, without a list as long as N.
    let e = merge_reports(vec![named("x", sharded(7, 3, Vec::new()))]).unwrap_err();
    assert!(matches!(e, MergeError::OtherPartition { .. }), "{e}");
    let e = merge_reports(vec![named("x", sharded(1, u64::MAX, Vec::new()))]).unwrap_err();
    assert!(e.to_string().starts_with("shard 2, 3, 4, 5, 6 of"), "{e}");
}
