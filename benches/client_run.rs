//! `cargo bench --bench client_run`: one client run (every client case of the default
//! revision) with the reference client launched as a process per client start
//! (`mcp-authspec reference client`, this package's binary, which cargo builds for the
//! bench), as `client --command` launches any client. Prints wall per run, the harness's
//! CPU per case (this process: the harness and its mocks) and the clients' (the child
//! processes, reaped).
//! Rounds: CLIENT_RUN_BENCH_ROUNDS (default 3). Measured here, never asserted in a test.

#[path = "support/run_cost.rs"]
mod run_cost;

use std::sync::Arc;

use mcp_authspec::actors::drivers::{ClientDriver, ClientUnderTest};
use mcp_authspec::engine::{run, NoEvents};
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::vocab::Role;

const BIN: &str = env!("CARGO_BIN_EXE_mcp-authspec");

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .expect("built-in cases load")
        .into_iter()
        .filter(|c| c.role == Role::Client)
        // The core protocol's cases, as a run without `--extension` has them.
        .filter(|c| c.extension().is_none())
        .collect();
    let plan = RunPlan::default();
    let driver = ClientDriver {
        client: ClientUnderTest::Command {
            // The path is cargo's own target folder: no space or quote to escape.
            command: format!("{BIN} reference client"),
            // The reference client fetches the authorization URL itself.
            browser_shim: None,
        },
        reference: false,
    };
    let rounds = run_cost::rounds("CLIENT_RUN_BENCH_ROUNDS", 3);
    run_cost::measure(
        "client_run (reference client as a process)",
        rounds,
        &runtime,
        |_| run(&driver, &cases, &plan, Arc::new(NoEvents)),
    );
}
