//! `cargo bench --bench authorization_server_run`: one authorization-server run (every
//! case, every revision) against the mock IdP in this process as the target. Prints wall
//! per run and CPU per case; the IdP runs in-process, so that CPU is the harness's and the
//! target's together.
//! Rounds: AS_RUN_BENCH_ROUNDS (default 3). Measured here, never asserted in a test.

#[path = "support/run_cost.rs"]
mod run_cost;

use std::sync::Arc;

use mcp_authspec::actors::drivers::reference_driver;
use mcp_authspec::engine::{run, NoEvents};
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::vocab::{Revision, Role};

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .expect("built-in cases load")
        .into_iter()
        .filter(|c| c.role == Role::AuthorizationServer)
        .collect();
    let plan = RunPlan {
        revisions: Revision::ALL.to_vec(),
        ..RunPlan::default()
    };
    let rounds = run_cost::rounds("AS_RUN_BENCH_ROUNDS", 3);
    run_cost::measure(
        "authorization_server_run (mock IdP, in-process)",
        rounds,
        &runtime,
        |_| {
            // A fresh IdP each round (no registrations left from the last), started
            // outside the measured future.
            let target = runtime
                .block_on(reference_driver(Role::AuthorizationServer, None))
                .expect("the mock IdP starts");
            let (cases, plan) = (cases.clone(), plan.clone());
            async move { run(target.driver.as_ref(), &cases, &plan, Arc::new(NoEvents)).await }
        },
    );
}
