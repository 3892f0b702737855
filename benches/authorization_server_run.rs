//! `cargo bench --bench authorization_server_run`: one authorization-server run (every
//! case, every revision) against the mock IdP in this process as the target. Prints wall
//! per run and CPU per case; the IdP runs in-process, so that CPU is the harness's and the
//! target's together.
//! Rounds: AS_RUN_BENCH_ROUNDS (default 3). Measured here, never asserted in a test.

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
        .filter(|c| c.role == Role::AuthorizationServer)
        .collect();
    let plan = RunPlan {
        revisions: Revision::ALL.to_vec(),
        ..RunPlan::default()
    };
    let rounds = run_cost::rounds("AS_RUN_BENCH_ROUNDS", 3);
    run_cost::measure(
        "authorization_server_run (reference authorization server, in-process)",
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
