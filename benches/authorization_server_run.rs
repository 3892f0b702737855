//! `cargo bench --bench authorization_server_run`: one authorization-server run (every
//! case, every revision) against the mock IdP in this process as the target. Prints wall
//! per run and CPU per case; the IdP runs in-process, so that CPU is the harness's and the
//! target's together.
//! Rounds: AS_RUN_BENCH_ROUNDS (default 3). Measured here, never asserted in a test.

#[path = "support/run_cost.rs"]
mod run_cost;

fn main() {
    run_cost::measure_role(
        mcp_authspec::vocab::Role::AuthorizationServer,
        "authorization_server_run (reference authorization server, in-process)",
        "AS_RUN_BENCH_ROUNDS",
    );
}
