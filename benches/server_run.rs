//! `cargo bench --bench server_run`: one server run (every server case, every revision,
//! but the OAuth-proxy cases, which need the proxy deployment) against the reference
//! server in this process. Prints wall per run and CPU per case; the reference server
//! runs in-process, so that CPU is the harness's and the target's together.
//! Rounds: SERVER_RUN_BENCH_ROUNDS (default 3). Measured here, never asserted in a test.

#[path = "support/run_cost.rs"]
mod run_cost;

use std::sync::Arc;

use mcp_authspec::actors::drivers::{reference_driver, UPSTREAM_AUTHORIZATION_ENDPOINT};
use mcp_authspec::engine::{run, NoEvents};
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::vocab::{Revision, Role};

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .expect("built-in cases load")
        .into_iter()
        .filter(|c| c.role == Role::Server && !c.uses.contains(UPSTREAM_AUTHORIZATION_ENDPOINT))
        .collect();
    let plan = RunPlan {
        revisions: Revision::ALL.to_vec(),
        ..RunPlan::default()
    };
    let rounds = run_cost::rounds("SERVER_RUN_BENCH_ROUNDS", 3);
    run_cost::measure(
        "server_run (reference server, in-process)",
        rounds,
        &runtime,
        |_| {
            // A fresh deployment each round, started outside the measured future.
            let target = runtime
                .block_on(reference_driver(Role::Server, None))
                .expect("the reference server starts");
            let (cases, plan) = (cases.clone(), plan.clone());
            async move { run(target.driver.as_ref(), &cases, &plan, Arc::new(NoEvents)).await }
        },
    );
}
