//! `cargo bench --bench server_run`: one server run (every server case, every revision)
//! against the demo's reference deployment in this process (the proxy cases against its
//! OAuth proxy), the deployment's start included. Prints wall per run and CPU per case; the reference server
//! runs in-process, so that CPU is the harness's and the target's together.
//! Rounds: SERVER_RUN_BENCH_ROUNDS (default 3). Measured here, never asserted in a test.

#[path = "support/run_cost.rs"]
mod run_cost;

use std::sync::Arc;

use mcp_authspec::engine::{demo, NoEvents};
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::transport::TransportLimits;
use mcp_authspec::vocab::{Revision, Role};

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // The demo's deployment (what `demo` runs these cases against), given only this
    // role's cases: the other roles' sessions have nothing to run.
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .expect("built-in cases load")
        .into_iter()
        .filter(|c| c.role == Role::Server)
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
            let (cases, plan) = (cases.clone(), plan.clone());
            async move {
                demo(
                    &cases,
                    &plan,
                    TransportLimits::default(),
                    Arc::new(NoEvents),
                )
                .await
                .expect("the reference deployment starts")
            }
        },
    );
}
