//! `cargo bench --bench server_run`: one server run (every server case, every revision)
//! against the demo's reference deployment in this process (the proxy cases against its
//! OAuth proxy), the deployment's start included. Prints wall per run and CPU per case; the reference server
//! runs in-process, so that CPU is the harness's and the target's together.
//! Rounds: SERVER_RUN_BENCH_ROUNDS (default 3). Measured here, never asserted in a test.

#[path = "support/run_cost.rs"]
mod run_cost;

fn main() {
    run_cost::measure_role(
        mcp_authspec::vocab::Role::Server,
        "server_run (reference server, in-process)",
        "SERVER_RUN_BENCH_ROUNDS",
    );
}
