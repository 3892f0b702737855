//! Filters, partitions and `merge`, as a CI job uses them: the filters select exactly the
//! cases they name (a typo is exit 2 with a hint), the shards of `--partition K/N` are
//! disjoint and cover one full run, and merging them gives that run's verdicts, counts
//! and exit code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, OnceLock};

mod common;
use common::{run_binary as run, temp_dir, validate};

use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::case::Case;
use mcp_authspec::vocab::{Outcome, Revision, Role, RunReport};

fn builtin() -> Vec<Arc<Case>> {
    load_cases(&CaseSource::Builtin).unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn report_of(dir: &Path) -> RunReport {
    let json = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    validate(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json"),
        &value,
    );
    serde_json::from_value(value).unwrap()
}

/// Runs the demo with `args` into a fresh folder; asserts the exit code.
fn demo(name: &str, args: &[&str], code: i32) -> (PathBuf, Output) {
    let dir = temp_dir(name);
    let mut all = vec!["demo", "--plain", "--out", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    (dir, out)
}

/// The case ids a report holds.
fn ids(report: &RunReport) -> BTreeSet<String> {
    report.cases.iter().map(|c| c.id.clone()).collect()
}

/// The ids of the built-in cases that `keep` selects and that apply to `revision`.
fn expected_ids(revisions: &[Revision], keep: impl Fn(&Case) -> bool) -> BTreeSet<String> {
    builtin()
        .iter()
        .filter(|c| keep(c))
        .filter(|c| revisions.iter().any(|r| c.file.revisions.contains(r)))
        .map(|c| c.id().to_string())
        .collect()
}

/// What a verdict is made of: outcome and reason, by case run.
type Verdicts = BTreeMap<(String, Revision), (Outcome, Option<String>)>;

fn verdicts(report: &RunReport) -> Verdicts {
    report
        .cases
        .iter()
        .map(|c| ((c.id.clone(), c.revision), (c.outcome, c.reason.clone())))
        .collect()
}

#[test]
fn case_and_exclude_select_by_glob_and_test_name() {
    let (dir, _) = demo(
        "filter-case",
        &[
            "--case",
            "server/prm/*",
            "--case",
            "client::pkce::s256-pair",
            "--exclude",
            "server/prm/resource-*",
        ],
        0,
    );
    let report = report_of(&dir);
    let expected = expected_ids(&[Revision::LATEST], |c| {
        (c.id().starts_with("server/prm/") && !c.id().starts_with("server/prm/resource-"))
            || c.id() == "client/pkce/s256-pair"
    });
    assert!(expected.contains("client/pkce/s256-pair"));
    assert!(expected.len() > 3, "{expected:?}");
    assert_eq!(ids(&report), expected);
    // Only the roles that had cases were run.
    assert!(
        report
            .targets
            .iter()
            .all(|t| t.role != Role::AuthorizationServer),
        "{:?}",
        report.targets
    );
}

#[test]
fn requirement_and_level_combine() {
    let (dir, _) = demo(
        "filter-requirement",
        &["--requirement", "RS-PRM-*", "--level", "should"],
        0,
    );
    let expected = expected_ids(&[Revision::LATEST], |c| {
        c.requirement.id.starts_with("RS-PRM-") && c.file.level.as_str() == "SHOULD"
    });
    assert!(!expected.is_empty());
    assert_eq!(ids(&report_of(&dir)), expected);
}

#[test]
fn scenario_selects_the_cases_that_name_it() {
    let (dir, _) = demo(
        "filter-scenario",
        &["--scenario", "auth/metadata-default", "--revision", "all"],
        0,
    );
    let report = report_of(&dir);
    let expected = expected_ids(&Revision::ALL, |c| {
        c.official_scenario() == Some("auth/metadata-default")
    });
    assert!(expected.len() > 5, "{expected:?}");
    assert_eq!(ids(&report), expected);
    assert!(report
        .cases
        .iter()
        .all(|c| c.scenario.as_deref() == Some("auth/metadata-default")));
}

#[test]
fn a_typo_is_a_usage_error_with_a_hint() {
    for command in ["demo", "list"] {
        let out = run(&[command, "--case", "client::pkce::s256-pari"]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("`client::pkce::s256-pari`"), "{stderr}");
        assert!(
            stderr.contains("did you mean `client/pkce/s256-pair`?"),
            "{stderr}"
        );
    }
    let out = run(&["demo", "--scenario", "auth/metadata-defualt"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("did you mean `auth/metadata-default`?"),
        "{stderr}"
    );
    assert!(stderr.contains("list --scenarios"), "{stderr}");
    for (flag, value) in [("--exclude", "nothing/*"), ("--requirement", "RS-NOPE-*")] {
        let out = run(&["demo", flag, value]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(text(&out.stderr).contains(value), "{}", text(&out.stderr));
    }
    let out = run(&["demo", "--level", "MUSTN'T"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("MUST, SHOULD or MAY"));
}

#[test]
fn a_filter_of_another_role_says_nothing_runs() {
    let out = run(&[
        "server",
        "--url",
        "http://127.0.0.1:9/mcp",
        "--case",
        "client/*",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("nothing to run"), "{stderr}");
    assert!(stderr.contains("--case client/*"), "{stderr}");
}

#[test]
fn bad_partition_syntax_states_the_grammar() {
    for bad in ["hash:0/3", "hash:4/3", "hash:1", "slice:1/3", "1/3"] {
        let out = run(&["demo", "--partition", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            text(&out.stderr).contains("write hash:K/N or count:K/N"),
            "{bad}: {}",
            text(&out.stderr)
        );
    }
}

/// `list`'s first column under each of `count:K/3`.
#[test]
fn count_shards_of_list_are_disjoint_and_cover_it() {
    let all: BTreeSet<String> = text(&run(&["list"]).stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    let mut seen = BTreeSet::new();
    for k in 1..=3 {
        let out = run(&["list", "--partition", &format!("count:{k}/3")]);
        assert_eq!(out.status.code(), Some(0));
        let shard: Vec<String> = text(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect();
        assert!(!shard.is_empty());
        for id in shard {
            assert!(seen.insert(id.clone()), "{id} in two shards");
        }
    }
    assert_eq!(seen, all);
}

/// The full `demo --revision all`, once for this test binary.
fn full_run() -> &'static RunReport {
    static FULL: OnceLock<RunReport> = OnceLock::new();
    FULL.get_or_init(|| report_of(&demo("full", &["--revision", "all"], 0).0))
}

/// Merges `dirs`, asserting the exit code; the merged report.
fn merge(name: &str, dirs: &[&Path], code: i32) -> (RunReport, Output) {
    let out_dir = temp_dir(name);
    let mut args = vec!["merge", "--plain", "--out", out_dir.to_str().unwrap()];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    let out = run(&args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(out_dir.join("junit.xml").is_file() && out_dir.join("report.md").is_file());
    (report_of(&out_dir), out)
}

#[test]
fn hash_shards_merge_into_the_full_run() {
    // The shards and the full run at once, as a CI matrix runs them.
    let (shards, full) = std::thread::scope(|s| {
        let shards: Vec<_> = (1..=3)
            .map(|k| {
                s.spawn(move || {
                    let partition = format!("hash:{k}/3");
                    demo(
                        &format!("hash-{k}"),
                        &["--revision", "all", "--partition", &partition],
                        0,
                    )
                    .0
                })
            })
            .collect();
        let full = full_run();
        let shards: Vec<PathBuf> = shards.into_iter().map(|h| h.join().unwrap()).collect();
        (shards, full)
    });
    let mut covered = BTreeSet::new();
    for dir in &shards {
        let shard = report_of(dir);
        assert!(!shard.cases.is_empty(), "{}", dir.display());
        for c in &shard.cases {
            assert!(
                covered.insert((c.id.clone(), c.revision)),
                "{} [{}] in two shards",
                c.id,
                c.revision
            );
        }
    }
    let all: BTreeSet<_> = full
        .cases
        .iter()
        .map(|c| (c.id.clone(), c.revision))
        .collect();
    assert_eq!(covered, all);

    let dirs: Vec<&Path> = shards.iter().map(|d| d.as_path()).collect();
    let (merged, out) = merge("merged", &dirs, full.exit_code);
    assert_eq!(verdicts(&merged), verdicts(full));
    assert_eq!(merged.summary, full.summary);
    assert_eq!(merged.exit_code, full.exit_code);
    assert_eq!(merged.revisions, full.revisions);
    assert!(
        text(&out.stdout).contains(&format!("{} passed", full.summary.pass)),
        "{}",
        text(&out.stdout)
    );

    // The same shard twice, or a shard missing: refused, naming the files or the shard.
    let twice = dirs[0].join("report.json");
    let out = run(&[
        "merge",
        "--out",
        temp_dir("twice").to_str().unwrap(),
        dirs[0].to_str().unwrap(),
        twice.to_str().unwrap(),
        dirs[1].to_str().unwrap(),
        dirs[2].to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("both hold shard hash:1/3"), "{stderr}");
    assert_eq!(
        stderr.matches(&*twice.display().to_string()).count(),
        2,
        "{stderr}"
    );
    let missing = temp_dir("missing");
    let out = run(&[
        "merge",
        "--out",
        missing.to_str().unwrap(),
        dirs[0].to_str().unwrap(),
        dirs[1].to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("shard 3 of 3 missing"),
        "{}",
        text(&out.stderr)
    );
    assert!(!missing.exists(), "nothing is written for a refused merge");
}

#[test]
fn count_shards_of_a_filtered_run_merge_into_it() {
    let filter = ["--case", "server/prm/*", "--revision", "all"];
    let (whole, shards) = std::thread::scope(|s| {
        let shards: Vec<_> = (1..=2)
            .map(|k| {
                s.spawn(move || {
                    let partition = format!("count:{k}/2");
                    let mut args = filter.to_vec();
                    args.extend(["--partition", &partition]);
                    demo(&format!("count-{k}"), &args, 0).0
                })
            })
            .collect();
        let whole = demo("count-whole", &filter, 0).0;
        let shards: Vec<PathBuf> = shards.into_iter().map(|h| h.join().unwrap()).collect();
        (whole, shards)
    });
    let dirs: Vec<&Path> = shards.iter().map(|d| d.as_path()).collect();
    let (merged, _) = merge("count-merged", &dirs, report_of(&whole).exit_code);
    let whole_report = report_of(&whole);
    assert_eq!(verdicts(&merged), verdicts(&whole_report));
    assert_eq!(merged.summary, whole_report.summary);

    // Two reports of whole runs that hold the same case runs overlap: both files named.
    let out = run(&[
        "merge",
        "--out",
        temp_dir("overlap").to_str().unwrap(),
        whole.to_str().unwrap(),
        whole.join("report.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("the shards overlap"), "{stderr}");
    assert_eq!(
        stderr
            .matches(&*whole.join("report.json").display().to_string())
            .count(),
        2,
        "{stderr}"
    );
}

#[test]
fn an_empty_shard_writes_an_empty_report_and_passes() {
    // One case, three shards: two of them are empty.
    let args = |k: u32| {
        vec![
            "--case".to_string(),
            "server/prm/resource-matches-url".to_string(),
            "--partition".to_string(),
            format!("count:{k}/3"),
        ]
    };
    let mut dirs = Vec::new();
    let mut empty = 0;
    for k in 1..=3 {
        let a = args(k);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (dir, out) = demo(&format!("empty-{k}"), &a, 0);
        let report = report_of(&dir);
        if report.cases.is_empty() {
            empty += 1;
            assert!(text(&out.stdout).contains("this shard holds none of the 1 selected cases"));
            assert_eq!(report.exit_code, 0);
        }
        dirs.push(dir);
    }
    assert_eq!(empty, 2);
    let dirs: Vec<&Path> = dirs.iter().map(|d| d.as_path()).collect();
    let (merged, _) = merge("empty-merged", &dirs, 0);
    assert_eq!(merged.summary.total, 1);
}

#[test]
fn merge_refuses_a_broken_report_with_its_place() {
    let dir = temp_dir("broken");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.json");
    std::fs::write(
        &file,
        "{\n  \"schema_version\": \"1.1\",\n  \"tool\": {\"name\": \"mcp-authspec\", \"version\": \"0\"},\n  \"targets\": 7\n}\n",
    )
    .unwrap();
    let out = run(&["merge", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:4:", file.display())),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
    let out = run(&["merge", dir.join("missing").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing"));
}
