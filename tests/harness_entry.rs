//! The `cargo test` entry points vendors call from their own test files, for each role.

use mcp_authspec::actors::idp::{start_idp, IdpConfig};
use mcp_authspec::harness::{authorization_server_trials, client_trials, TrialOptions};
use mcp_authspec::logic::as_config::AsRunConfig;

/// The nested runs log to a file, so that their summary lines do not mix with this
/// test binary's own output (CI totals the `test result:` lines).
fn quiet(name: &str) -> libtest_mimic::Arguments {
    let log = std::env::temp_dir().join(format!(
        "mcp-authspec-harness-{name}-{}.log",
        std::process::id()
    ));
    libtest_mimic::Arguments {
        quiet: true,
        test_threads: Some(2),
        logfile: Some(log.display().to_string()),
        ..libtest_mimic::Arguments::default()
    }
}

#[test]
fn client_trials_run_a_client_command_per_case() {
    let command = format!("'{}' reference client", env!("CARGO_BIN_EXE_mcp-authspec"));
    let trials = client_trials(&command, &TrialOptions::default());
    assert!(trials.len() > 30, "{}", trials.len());
    let conclusion = libtest_mimic::run(&quiet("client"), trials);
    assert_eq!(conclusion.num_failed, 0);
}

#[test]
fn authorization_server_trials_run_against_an_issuer() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let idp = runtime.block_on(start_idp(IdpConfig::default())).unwrap();
    let trials = authorization_server_trials(
        &idp.issuer,
        AsRunConfig::default(),
        &TrialOptions::default(),
    );
    assert!(trials.len() > 20, "{}", trials.len());
    let conclusion = libtest_mimic::run(&quiet("as"), trials);
    assert_eq!(conclusion.num_failed, 0);
    drop(idp);
}
