//! The `cargo test` entry points vendors call from their own test files, for each role,
//! run the way a vendor runs them. What they must never do: report a case as `ok` that
//! did not run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use libtest_mimic::{Arguments, Conclusion, FormatSetting, Trial};
use mcp_authspec::actors::drivers::{AuthorizationServerDriver, ServerDriver};
use mcp_authspec::actors::idp::{start_idp, IdpConfig};
use mcp_authspec::actors::reference::{start_reference_server, ReferenceConfig, ReferenceServer};
use mcp_authspec::actors::tokens::TokenSupply;
use mcp_authspec::engine::NoEvents;
use mcp_authspec::harness::{
    authorization_server_trials, client_trials, server_trials, server_trials_with_command,
    ServerCommand, TrialOptions,
};
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::as_config::AsRunConfig;
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::transport::TransportLimits;
use mcp_authspec::vocab::{IdpDefect, Outcome, Revision};

const BIN: &str = env!("CARGO_BIN_EXE_mcp-authspec");

/// A nested run's totals, and each trial's outcome (`ok`, `failed`, `ignored`) and
/// failure message, by trial name.
struct Nested {
    conclusion: Conclusion,
    outcomes: BTreeMap<String, String>,
    messages: BTreeMap<String, String>,
}

impl Nested {
    fn named(&self, outcome: &str) -> Vec<&str> {
        self.outcomes
            .iter()
            .filter(|(_, o)| *o == outcome)
            .map(|(n, _)| n.as_str())
            .collect()
    }
}

/// Runs the trials as a vendor's test binary would, logging to a file (JSON lines), so
/// that their summary lines do not mix with this test binary's own output (CI totals
/// the `test result:` lines), and reads each trial's outcome back from the log.
fn run_nested(name: &str, trials: Vec<Trial>) -> Nested {
    let log = std::env::temp_dir().join(format!(
        "mcp-authspec-harness-{name}-{}.jsonl",
        std::process::id()
    ));
    let args = Arguments {
        format: Some(FormatSetting::Json),
        test_threads: Some(2),
        logfile: Some(log.display().to_string()),
        ..Arguments::default()
    };
    let conclusion = libtest_mimic::run(&args, trials);
    let text = std::fs::read_to_string(&log).expect("the nested run's log");
    let _ = std::fs::remove_file(&log);
    let mut outcomes = BTreeMap::new();
    let mut messages = BTreeMap::new();
    for line in text.lines() {
        let Ok(event) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some("test"), Some(name), Some(outcome)) = (
            event["type"].as_str(),
            event["name"].as_str(),
            event["event"].as_str(),
        ) else {
            continue;
        };
        if outcome == "started" {
            continue;
        }
        outcomes.insert(name.to_string(), outcome.to_string());
        if let Some(message) = event["stdout"].as_str() {
            messages.insert(name.to_string(), message.to_string());
        }
    }
    assert_eq!(
        outcomes.len() as u64,
        conclusion.num_passed + conclusion.num_failed + conclusion.num_ignored,
        "every trial's outcome is in the log:\n{text}"
    );
    Nested {
        conclusion,
        outcomes,
        messages,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The reference server's command line for `server_trials_with_command`; every start
/// appends a line to `starts`, so that a test can count them.
fn reference_command(defect: Option<&str>, starts: &Path) -> ServerCommand {
    let defect = defect.map(|d| format!(" --defect {d}")).unwrap_or_default();
    let mut command = ServerCommand::new(format!(
        "echo started >> '{}'; exec '{BIN}' reference server --port {{port}} --issuer {{issuer}} \
         --upstream {{upstream}} --scope-implies mcp:admin=mcp:tools --per-user-resource{defect}",
        starts.display()
    ));
    command.fixtures = mcp_authspec::actors::drivers::reference_fixtures();
    command
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "mcp-authspec-harness-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_vendor_server_that_skips_the_expiry_check_fails_from_cargo_test() {
    let dir = scratch("skips-expiry");
    let starts = dir.join("starts");
    let (trials, server) = server_trials_with_command(
        &reference_command(Some("skips-expiry-check"), &starts),
        &TrialOptions::default(),
    );
    let nested = run_nested("skips-expiry", trials);
    let evidence = server.stop().expect("a trial started the server");
    assert_eq!(
        nested
            .outcomes
            .get("server::token::expired-token-refused")
            .map(String::as_str),
        Some("failed"),
        "{:?}",
        nested.outcomes
    );
    let message = &nested.messages["server::token::expired-token-refused"];
    assert!(message.contains("FAIL"), "{message}");
    assert!(evidence.stdout.contains("mcp endpoint: http://127.0.0.1:"));
    assert!(evidence.ended.contains("SIGTERM"), "{}", evidence.ended);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_command_entry_runs_every_case_against_one_launch_and_stops_it() {
    let dir = scratch("conformant");
    let starts = dir.join("starts");
    let (trials, server) =
        server_trials_with_command(&reference_command(None, &starts), &TrialOptions::default());
    // The proxy cases need `--oauth-proxy`, which the command entry does not declare.
    let trials: Vec<_> = trials
        .into_iter()
        .filter(|t| !t.name().starts_with("server::proxy::"))
        .collect();
    let total = trials.len() as u64;
    assert!(total > 40, "{total}");
    // The suite's IdP mints every token: nothing is known not to run.
    assert!(trials.iter().all(|t| !t.has_ignored_flag()));
    let nested = run_nested("conformant", trials);
    assert_eq!(nested.conclusion.num_failed, 0, "{:#?}", nested.messages);
    assert_eq!(
        nested.conclusion.num_ignored,
        0,
        "{:?}",
        nested.named("ignored")
    );
    assert_eq!(nested.conclusion.num_passed, total);
    let evidence = server.stop().expect("a trial started the server");
    // Started once for all trials, not once per trial.
    assert_eq!(std::fs::read_to_string(&starts).unwrap().lines().count(), 1);
    // And stopped: its port no longer accepts connections.
    let port = evidence
        .command
        .split("--port ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("the port in the command as run");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_server_command_that_cannot_start_fails_every_trial_once() {
    let dir = scratch("no-start");
    let starts = dir.join("starts");
    let command = ServerCommand::new(format!(
        "echo started >> '{}'; echo 'no config' >&2; exit 3",
        starts.display()
    ));
    let (trials, server) = server_trials_with_command(&command, &TrialOptions::default());
    let trials: Vec<_> = trials
        .into_iter()
        .filter(|t| !t.name().starts_with("server::proxy::"))
        .collect();
    let total = trials.len() as u64;
    let nested = run_nested("no-start", trials);
    assert_eq!(nested.conclusion.num_failed, total);
    let message = nested.messages.values().next().unwrap();
    assert!(message.contains("did not start"), "{message}");
    assert!(message.contains("no config"), "{message}");
    assert_eq!(std::fs::read_to_string(&starts).unwrap().lines().count(), 1);
    assert!(server.stop().is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

/// What `server --url` without a token says about every case: which did not run.
fn not_run_by_the_engine(
    runtime: &tokio::runtime::Runtime,
    server: &ReferenceServer,
) -> Vec<String> {
    let cases = load_cases(&CaseSource::Builtin).unwrap();
    let plan = RunPlan {
        revisions: vec![Revision::LATEST],
        ..RunPlan::default()
    };
    let session = ServerDriver {
        url: server.mcp_url.parse().unwrap(),
        limits: TransportLimits::default(),
        reference: false,
        tokens: Arc::new(TokenSupply::given(None)),
        fixtures: Default::default(),
        upstream_log: None,
        launched_here: false,
        oauth_proxy: None,
    };
    let report = runtime.block_on(mcp_authspec::engine::run(
        &session,
        &cases,
        &plan,
        Arc::new(NoEvents),
    ));
    report
        .cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Skip | Outcome::Unsupported))
        .map(|c| c.id.replace('/', "::"))
        .collect()
}

#[test]
fn without_a_token_the_url_entry_ignores_the_token_cases_and_passes_none_that_did_not_run() {
    let runtime = runtime();
    let server = runtime
        .block_on(start_reference_server(ReferenceConfig::default()))
        .unwrap();
    let trials = server_trials(&server.mcp_url, &TrialOptions::default());
    let ignored: Vec<String> = trials
        .iter()
        .filter(|t| t.has_ignored_flag())
        .map(|t| t.name().to_string())
        .collect();
    for name in [
        "server::token::valid-token-accepted",
        "server::token::expired-token-refused",
    ] {
        assert!(ignored.iter().any(|n| n == name), "{name}: {ignored:?}");
    }
    let nested = run_nested("url-no-token", trials);
    assert_eq!(nested.conclusion.num_failed, 0, "{:#?}", nested.messages);
    assert_eq!(nested.conclusion.num_ignored as usize, ignored.len());
    for name in &ignored {
        assert_eq!(nested.outcomes[name], "ignored", "{name}");
    }
    // The old behaviour is gone: the engine itself says which cases do not run without a
    // token, and none of them is an `ok` trial.
    let not_run = not_run_by_the_engine(&runtime, &server);
    assert!(not_run.len() >= 10, "{not_run:?}");
    let ok = nested.named("ok");
    assert_eq!(ok.len() as u64, nested.conclusion.num_passed);
    let passed_but_not_run: Vec<&&str> = ok
        .iter()
        .filter(|n| not_run.iter().any(|r| r == *n))
        .collect();
    assert!(passed_but_not_run.is_empty(), "{passed_but_not_run:?}");
    for name in &not_run {
        assert_eq!(
            nested.outcomes.get(name).map(String::as_str),
            Some("ignored"),
            "{name}"
        );
    }
}

/// Run in a process of its own by the test below, which reads what it prints: the
/// vendor's view of an ignored trial's reason.
#[test]
#[ignore = "run as a child process by the_reasons_for_ignored_trials_are_printed_once"]
fn vendor_run_without_a_token() {
    let runtime = runtime();
    let server = runtime
        .block_on(start_reference_server(ReferenceConfig::default()))
        .unwrap();
    let trials = server_trials(&server.mcp_url, &TrialOptions::default());
    let nested = run_nested("child", trials);
    assert_eq!(nested.conclusion.num_failed, 0);
}

#[test]
fn the_reasons_for_ignored_trials_are_printed_once() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "vendor_run_without_a_token",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stderr.matches("cannot run against this target").count(),
        1,
        "{stderr}"
    );
    let list = &stderr[stderr.find("cannot run against this target").unwrap()..];
    assert!(list.contains("  needs a valid access token"), "{list}");
    assert!(
        list.contains("  needs tokens minted by the suite's IdP"),
        "{list}"
    );
    assert!(
        list.contains("    server::token::valid-token-accepted\n"),
        "{list}"
    );
    assert!(
        list.contains("    server::token::expired-token-refused\n"),
        "{list}"
    );
    assert!(list.contains("`TrialOptions::token`"), "{list}");
}

/// A case directory with one server case whose precondition cannot hold against a
/// conformant server: it is skipped while it runs.
fn never_applicable_cases(dir: &Path) -> CaseSource {
    let area = dir.join("server").join("probe");
    std::fs::create_dir_all(&area).unwrap();
    std::fs::write(
        area.join("never-applies.yaml"),
        "id: server/probe/never-applies
title: Applies only to a server that answers 299
requirement: RS-401-04
level: SHOULD
revisions: {since: 2025-03-26}
rationale: A precondition no server meets, for the harness's own tests.
defect: error-without-token
steps:
  - name: protected request without a token
    send: {url: \"{target}\", mcp: first_protected}
    when:
      - query: status
        is: {equals: 299}
    expect:
      - query: {challenge: {scheme: Bearer, param: error}}
        is: absent
",
    )
    .unwrap();
    CaseSource::Directory(dir.to_path_buf())
}

#[test]
fn a_case_skipped_while_it_runs_fails_its_trial_unless_skips_are_allowed() {
    let dir = scratch("run-time-skip");
    let runtime = runtime();
    let server = runtime
        .block_on(start_reference_server(ReferenceConfig::default()))
        .unwrap();
    let options = TrialOptions {
        source: never_applicable_cases(&dir),
        ..TrialOptions::default()
    };
    let trials = server_trials(&server.mcp_url, &options);
    assert_eq!(trials.len(), 1);
    assert!(!trials[0].has_ignored_flag());
    let strict = run_nested("skip-strict", trials);
    assert_eq!(strict.conclusion.num_failed, 1);
    let message = &strict.messages["server::probe::never-applies"];
    assert!(message.contains("not applicable"), "{message}");
    assert!(message.contains("allow_skips"), "{message}");

    let allowing = TrialOptions {
        allow_skips: true,
        ..options
    };
    let nested = run_nested("skip-allowed", server_trials(&server.mcp_url, &allowing));
    assert_eq!(nested.conclusion.num_failed, 0);
    assert_eq!(nested.conclusion.num_passed, 0, "a skip is never `ok`");
    assert_eq!(nested.outcomes["server::probe::never-applies"], "ignored");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_server_fails_every_trial() {
    let trials = server_trials("http://127.0.0.1:1/mcp", &TrialOptions::default());
    let runnable = trials.iter().filter(|t| !t.has_ignored_flag()).count() as u64;
    let nested = run_nested("unreachable", trials);
    assert_eq!(nested.conclusion.num_failed, runnable);
    assert_eq!(nested.conclusion.num_passed, 0);
    let message = nested.messages.values().next().unwrap();
    assert!(
        message.contains("cannot connect to 127.0.0.1:1"),
        "{message}"
    );
}

#[test]
fn client_trials_run_a_client_command_per_case() {
    let command = format!("'{BIN}' reference client");
    let trials = client_trials(&command, &TrialOptions::default());
    assert!(trials.len() > 30, "{}", trials.len());
    let nested = run_nested("client", trials);
    assert_eq!(nested.conclusion.num_failed, 0, "{:#?}", nested.messages);
}

/// An extension's cases are trials only where the vendor enables the extension, and then
/// they run: an authorization server that implements client credentials passes them.
#[test]
fn an_extensions_cases_are_trials_only_when_enabled() {
    let runtime = runtime();
    let idp = runtime
        .block_on(start_idp(IdpConfig {
            client_credentials: true,
            ..IdpConfig::default()
        }))
        .unwrap();
    let names = |trials: &[libtest_mimic::Trial]| -> Vec<String> {
        trials
            .iter()
            .map(|t| t.name().to_string())
            .filter(|n| n.contains("client-credentials"))
            .collect()
    };
    let core = authorization_server_trials(
        &idp.issuer,
        AsRunConfig::default(),
        &TrialOptions::default(),
    );
    assert_eq!(names(&core), Vec::<String>::new());
    let options = TrialOptions {
        extensions: vec![mcp_authspec::vocab::Extension::ClientCredentials],
        ..TrialOptions::default()
    };
    let config = AsRunConfig {
        machine_client: Some(mcp_authspec::actors::drivers::reference_machine_client()),
        ..AsRunConfig::default()
    };
    let trials = authorization_server_trials(&idp.issuer, config, &options);
    let extension: Vec<String> = names(&trials);
    assert_eq!(extension.len(), 5, "{extension:?}");
    let only: Vec<_> = trials
        .into_iter()
        .filter(|t| t.name().contains("client-credentials"))
        .collect();
    let nested = run_nested("as-extension", only);
    assert_eq!(nested.conclusion.num_failed, 0, "{:#?}", nested.messages);
}

#[test]
fn authorization_server_trials_run_against_an_issuer() {
    let runtime = runtime();
    let idp = runtime.block_on(start_idp(IdpConfig::default())).unwrap();
    let trials = authorization_server_trials(
        &idp.issuer,
        AsRunConfig::default(),
        &TrialOptions::default(),
    );
    assert!(trials.len() > 20, "{}", trials.len());
    let nested = run_nested("as", trials);
    assert_eq!(nested.conclusion.num_failed, 0, "{:#?}", nested.messages);
    // One shared run, not one set-up per trial: servers rate-limit registration (the
    // TypeScript SDK allows 20 an hour), and a trial each would need about 40.
    let registrations = idp.registration_requests();
    assert!(registrations <= 10, "{registrations} registrations");
    drop(idp);
}

#[test]
fn authorization_server_cases_needing_what_the_run_cannot_set_are_ignored() {
    let runtime = runtime();
    // No registration endpoint and no configured client: the cases that need a client
    // cannot run.
    let idp = runtime
        .block_on(start_idp(IdpConfig::with_defects([
            IdpDefect::MetadataNoRegistration,
        ])))
        .unwrap();
    let trials = authorization_server_trials(
        &idp.issuer,
        AsRunConfig::default(),
        &TrialOptions::default(),
    );
    let ignored: Vec<String> = trials
        .iter()
        .filter(|t| t.has_ignored_flag())
        .map(|t| t.name().to_string())
        .collect();
    // The engine, run as the CLI runs it, skips exactly these for want of a client.
    let plan = RunPlan {
        revisions: vec![Revision::LATEST],
        ..RunPlan::default()
    };
    let session = AuthorizationServerDriver {
        issuer: idp.issuer.clone(),
        config: AsRunConfig::default(),
        limits: TransportLimits::default(),
        reference: false,
    };
    // The trials leave out the extensions' cases (no extension is enabled): so does the
    // run they are compared with.
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .unwrap()
        .into_iter()
        .filter(|c| c.extension().is_none())
        .collect();
    let report = runtime.block_on(mcp_authspec::engine::run(
        &session,
        &cases,
        &plan,
        Arc::new(NoEvents),
    ));
    let skipped: Vec<String> = report
        .cases
        .iter()
        .filter(|c| c.outcome == Outcome::Skip)
        .map(|c| c.id.replace('/', "::"))
        .collect();
    assert!(!skipped.is_empty());
    // Every case the engine skips is ignored; the others ignored are those the engine
    // reports as an environment error (no client to run them with), never a case it ran.
    for name in &skipped {
        assert!(ignored.contains(name), "{name} is skipped but not ignored");
    }
    for name in ignored.iter().filter(|n| !skipped.contains(n)) {
        let case = report
            .cases
            .iter()
            .find(|c| &c.id.replace('/', "::") == name)
            .unwrap();
        assert_eq!(case.outcome, Outcome::Error, "{name}: {:?}", case.reason);
    }
    for case in report.cases.iter().filter(|c| c.outcome == Outcome::Skip) {
        let reason = case.reason.as_deref().unwrap_or_default();
        // The client ID metadata document cases are skipped for their own reason: the
        // default config does not say the server fetches http loopback documents.
        let cimd = reason.contains("cimd_http_documents");
        assert!(
            reason.contains("registration") || cimd,
            "{}: {reason}",
            case.id
        );
    }
    let nested = run_nested("as-no-client", trials);
    assert_eq!(nested.conclusion.num_ignored as usize, ignored.len());
    for name in &ignored {
        assert_eq!(nested.outcomes[name], "ignored", "{name}");
    }
    drop(idp);
}
