//! The reference server driven as a separate process through `server --command`, exactly
//! as a vendor's server would be, must get the same verdicts as in-process; with one
//! defect it must fail the same cases. Also: a command that cannot start, and the
//! `--url --token` mode.

mod common;

use common::verdicts;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use mcp_authspec::actors::drivers::{reference_tokens, LaunchedServer, ServerDriver};
use mcp_authspec::actors::reference::{start_reference_server, ReferenceConfig};
use mcp_authspec::actors::tokens::TokenSupply;
use mcp_authspec::engine::NoEvents;
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::transport::TransportLimits;
use mcp_authspec::vocab::{Outcome, Revision, RunReport, ServerDefect};

fn plan() -> RunPlan {
    RunPlan {
        revisions: Revision::ALL.to_vec(),
        case_timeout: Duration::from_secs(20),
        ..RunPlan::default()
    }
}

async fn in_process(config: ReferenceConfig) -> RunReport {
    let cases = load_cases(&CaseSource::Builtin).unwrap();
    let server = start_reference_server(config).await.unwrap();
    let plan = plan();
    let session = ServerDriver {
        url: server.mcp_url.parse().unwrap(),
        limits: TransportLimits::default(),
        reference: true,
        tokens: Arc::new(reference_tokens(&server)),
        fixtures: Default::default(),
        upstream_log: None,
    };
    mcp_authspec::engine::run(&session, &cases, &plan, Arc::new(NoEvents)).await
}

async fn as_process(extra: &str) -> RunReport {
    let cases = load_cases(&CaseSource::Builtin).unwrap();
    let launched = LaunchedServer {
        command: format!(
            "'{}' reference server --port {{port}} --issuer {{issuer}}{extra}",
            env!("CARGO_BIN_EXE_mcp-authspec")
        ),
        path: "/mcp".into(),
        scope: "mcp:tools".into(),
        startup_timeout: Duration::from_secs(30),
        limits: TransportLimits::default(),
        fixtures: Default::default(),
    };
    mcp_authspec::engine::run(&launched, &cases, &plan(), Arc::new(NoEvents)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_as_a_process_gets_the_in_process_verdicts() {
    let (inside, outside) = (
        in_process(ReferenceConfig::default()).await,
        as_process("").await,
    );
    assert_eq!(outside.error, None, "{:?}", outside.targets);
    assert!(inside.cases.len() > 100);
    assert_eq!(verdicts(&inside), verdicts(&outside));
    assert_eq!(outside.summary.fail, 0);
    let process = outside.targets[0]
        .process
        .as_ref()
        .expect("process evidence");
    assert!(process.stdout.contains("mcp endpoint: http://127.0.0.1:"));
    assert!(
        process.ended.contains("stopped by the harness"),
        "{}",
        process.ended
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_defect_fails_the_same_cases_in_process_and_as_a_process() {
    for defect in [
        ServerDefect::SkipsAudienceCheck,
        ServerDefect::AcceptsAlgNone,
        ServerDefect::SessionAuthenticates,
    ] {
        let inside = in_process(ReferenceConfig::with_defect(defect)).await;
        let outside = as_process(&format!(" --defect {defect}")).await;
        assert!(inside.summary.fail > 0, "{defect} failed nothing");
        assert_eq!(verdicts(&inside), verdicts(&outside), "{defect}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_cannot_start_is_a_harness_error_with_its_output() {
    let cases = load_cases(&CaseSource::Builtin).unwrap();
    let launched = LaunchedServer {
        command: "echo listening on {port} >&2; exit 4".into(),
        path: "/mcp".into(),
        scope: "mcp:tools".into(),
        startup_timeout: Duration::from_secs(10),
        limits: TransportLimits::default(),
        fixtures: Default::default(),
    };
    let report = mcp_authspec::engine::run(&launched, &cases, &plan(), Arc::new(NoEvents)).await;
    assert_eq!(report.exit_code, 3);
    let error = report.error.as_deref().unwrap();
    assert!(error.contains("did not start"), "{error}");
    let process = report.targets[0].process.as_ref().expect("evidence");
    assert!(process.stderr.starts_with("listening on "), "{process:?}");
    assert!(process.ended.contains('4'), "{}", process.ended);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_given_token_runs_the_cases_that_need_no_minting() {
    let cases = load_cases(&CaseSource::Builtin).unwrap();
    let server = start_reference_server(ReferenceConfig::default())
        .await
        .unwrap();
    let token = reference_tokens(&server)
        .minter
        .unwrap()
        .valid(&mcp_authspec::actors::tokens::Grant {
            resource: server.mcp_url.clone(),
            scope: "mcp:tools".into(),
        })
        .unwrap();
    let plan = plan();
    let session = ServerDriver {
        url: server.mcp_url.parse().unwrap(),
        limits: TransportLimits::default(),
        reference: false,
        tokens: Arc::new(TokenSupply::given(Some(token))),
        fixtures: Default::default(),
        upstream_log: None,
    };
    let report = mcp_authspec::engine::run(&session, &cases, &plan, Arc::new(NoEvents)).await;
    let outcome = |id: &str| {
        report
            .cases
            .iter()
            .find(|c| c.id == id && c.revision == Revision::LATEST)
            .map(|c| (c.outcome, c.reason.clone()))
            .unwrap()
    };
    for id in [
        "server/token/valid-token-accepted",
        "server/token/altered-signature-refused",
        "server/token/query-string-token-refused",
        "server/token/token-without-scheme-refused",
        "server/token/every-request-authenticated",
    ] {
        assert_eq!(outcome(id).0, Outcome::Pass, "{id}: {:?}", outcome(id).1);
    }
    let (skipped, reason) = outcome("server/token/expired-token-refused");
    assert_eq!(skipped, Outcome::Skip);
    assert!(reason.unwrap().contains("server --command"));
}

/// The outcomes of a CLI run's JSON report, by case and revision.
fn cli_verdicts(args: &[&str], out: &std::path::Path) -> BTreeMap<(String, String), String> {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_mcp-authspec"))
        .args(args)
        .args(["--revision", "all", "--format", "json", "--plain", "--out"])
        .arg(out)
        .output()
        .expect("run mcp-authspec");
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let key = (
                c["id"].as_str().unwrap().to_string(),
                c["revision"].as_str().unwrap().to_string(),
            );
            (key, c["outcome"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn the_cli_gives_the_same_verdicts_to_demo_and_to_the_reference_run_by_command() {
    let dir = std::env::temp_dir().join(format!("mcp-authspec-cli-command-{}", std::process::id()));
    let command = format!(
        "'{}' reference server --port {{port}} --issuer {{issuer}} --upstream {{upstream}} \
         --scope-implies mcp:admin=mcp:tools --per-user-resource",
        env!("CARGO_BIN_EXE_mcp-authspec")
    );
    let mut demo = cli_verdicts(&["demo"], &dir.join("demo"));
    // The demo also tests the reference authorization server; compare the server cases.
    demo.retain(|(id, _), _| id.starts_with("server/"));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("server.toml");
    std::fs::write(&config, ALL_FIXTURES).unwrap();
    let launched = cli_verdicts(
        &[
            "server",
            "--command",
            &command,
            "--config",
            config.to_str().unwrap(),
        ],
        &dir.join("command"),
    );
    assert!(demo.keys().any(|(id, _)| id.starts_with("server/token/")));
    assert_eq!(demo, launched);
}

/// The fixture cases through `server --command` as a vendor runs them: the reference
/// server started with `{upstream}` and its fixtures, the config naming them.
async fn fixtures_as_process(extra: &str, config: &str) -> RunReport {
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .unwrap()
        .into_iter()
        .filter(|c| c.id().starts_with("server/fixtures/"))
        .collect();
    assert_eq!(cases.len(), 4);
    let launched = LaunchedServer {
        command: format!(
            "'{}' reference server --port {{port}} --issuer {{issuer}} --upstream {{upstream}} \
             --scope-implies mcp:admin=mcp:tools --per-user-resource{extra}",
            env!("CARGO_BIN_EXE_mcp-authspec")
        ),
        path: "/mcp".into(),
        scope: "mcp:tools".into(),
        startup_timeout: Duration::from_secs(30),
        limits: TransportLimits::default(),
        fixtures: mcp_authspec::logic::server_config::parse_server_config("server.toml", config)
            .unwrap(),
    };
    mcp_authspec::engine::run(&launched, &cases, &plan(), Arc::new(NoEvents)).await
}

const FIXTURES: &str = "[tools]\nupstream = \"fetch_upstream\"\n[resources]\nper_user = \"mcp-authspec://whoami\"\n[scopes]\nimplies = { \"mcp:admin\" = [\"mcp:tools\"] }\n";

/// [`FIXTURES`] and the state and elicitation tools: everything the reference offers.
const ALL_FIXTURES: &str = "[tools]\nupstream = \"fetch_upstream\"\nrequest_state = \"confirm-action\"\nurl_elicitation = \"connect-account\"\n[resources]\nper_user = \"mcp-authspec://whoami\"\n[scopes]\nimplies = { \"mcp:admin\" = [\"mcp:tools\"] }\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_cases_run_through_the_command_contract() {
    let report = fixtures_as_process("", FIXTURES).await;
    assert_eq!(report.error, None, "{:?}", report.targets);
    // RS-AUD-02 from 2025-06-18 (3 revisions), the three 2026-07-28 cases once each.
    assert_eq!(report.summary.pass, 6, "{:#?}", verdicts(&report));
    let leaking = fixtures_as_process(" --defect forwards-client-token", FIXTURES).await;
    let failed: Vec<_> = leaking
        .cases
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(failed
        .iter()
        .all(|id| id.ends_with("upstream-no-token-passthrough")));
    // Nothing declared: every fixture case is skipped, naming the key to set.
    let undeclared = fixtures_as_process("", "").await;
    assert_eq!(undeclared.summary.skip, 6, "{:#?}", verdicts(&undeclared));
    for case in &undeclared.cases {
        let reason = case.reason.as_deref().unwrap_or_default();
        assert!(reason.contains("in --config)"), "{}: {reason}", case.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_checks_no_scope_leaves_the_hierarchy_case_inconclusive() {
    let report = fixtures_as_process(" --defect skips-scope-check", FIXTURES).await;
    let hierarchy: Vec<_> = report
        .cases
        .iter()
        .filter(|c| c.id.ends_with("broader-scope-honoured"))
        .collect();
    assert_eq!(hierarchy.len(), 1);
    assert_eq!(
        hierarchy[0].outcome,
        Outcome::Error,
        "{:?}",
        hierarchy[0].reason
    );
}
