//! What one run costs, for the `*_run` benches: wall time, and CPU from `getrusage`:
//! `RUSAGE_SELF` is the bench process (the harness, and whatever runs in-process with it:
//! the mocks, an in-process target), `RUSAGE_CHILDREN` the processes it started and
//! reaped (a client under test launched per case). Printed, never asserted.

use std::future::Future;
use std::time::{Duration, Instant};

use mcp_authspec::vocab::RunReport;

/// CPU seconds (user + sys) of `who`: `libc::RUSAGE_SELF` or `libc::RUSAGE_CHILDREN`.
pub fn cpu_seconds(who: libc::c_int) -> f64 {
    // SAFETY: getrusage writes one plain struct that we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return f64::NAN;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// Rounds from the environment variable `var` (default `default`).
pub fn rounds(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|r| *r > 0)
        .unwrap_or(default)
}

struct Round {
    wall: Duration,
    own_cpu: f64,
    children_cpu: f64,
    cases: usize,
}

/// Runs `round` `rounds` times on `runtime` and prints wall per run, the bench process's
/// CPU per case (the harness) and its children's (the clients), median [min–max]. `round`
/// gets the round number; only the future it returns is measured (set-up before it is not).
pub fn measure<F, Fut>(title: &str, rounds: usize, runtime: &tokio::runtime::Runtime, mut round: F)
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = RunReport>,
{
    let mut seen = Vec::new();
    let mut verdicts = Vec::new();
    for n in 0..rounds {
        let run = round(n);
        let (own, children, start) = (
            cpu_seconds(libc::RUSAGE_SELF),
            cpu_seconds(libc::RUSAGE_CHILDREN),
            Instant::now(),
        );
        let report = runtime.block_on(run);
        seen.push(Round {
            wall: start.elapsed(),
            own_cpu: cpu_seconds(libc::RUSAGE_SELF) - own,
            children_cpu: cpu_seconds(libc::RUSAGE_CHILDREN) - children,
            cases: report.summary.total,
        });
        verdicts.push(format!("{:?}", report.summary));
    }
    println!(
        "{title}: {rounds} rounds, {} case runs a round",
        seen[0].cases
    );
    let show = |name: &str, unit: &str, mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        println!(
            "  {name}: median {:.2} {unit} [{:.2}–{:.2}]",
            v[v.len() / 2],
            v[0],
            v[v.len() - 1]
        );
    };
    show(
        "wall per run",
        "ms",
        seen.iter().map(|r| r.wall.as_secs_f64() * 1e3).collect(),
    );
    let per_case = |cpu: fn(&Round) -> f64| -> Vec<f64> {
        seen.iter()
            .map(|r| cpu(r) * 1e3 / r.cases.max(1) as f64)
            .collect()
    };
    show(
        "harness CPU per case (this process)",
        "ms",
        per_case(|r| r.own_cpu),
    );
    if seen.iter().any(|r| r.children_cpu > 0.0) {
        show(
            "clients' CPU per case (child processes)",
            "ms",
            per_case(|r| r.children_cpu),
        );
    }
    verdicts.dedup();
    match verdicts.as_slice() {
        [one] => println!("  verdicts, every round: {one}"),
        many => println!("  verdicts DIFFERED between rounds: {many:?}"),
    }
}

/// [`measure`] of one role's cases, every revision, against the demo's reference
/// deployment in this process (what `demo` runs them against; the other roles' sessions
/// get no case), its start included. `server_run` and `authorization_server_run`.
#[allow(dead_code)] // Not every bench that includes this file measures a role.
pub fn measure_role(role: mcp_authspec::vocab::Role, title: &str, rounds_var: &str) {
    use std::sync::Arc;

    use mcp_authspec::engine::{demo, NoEvents};
    use mcp_authspec::input::{load_cases, CaseSource};
    use mcp_authspec::logic::run_plan::RunPlan;
    use mcp_authspec::transport::TransportLimits;
    use mcp_authspec::vocab::Revision;

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .expect("built-in cases load")
        .into_iter()
        .filter(|c| c.role == role)
        // The core protocol's cases, as a run without `--extension` has them.
        .filter(|c| c.extension().is_none())
        .collect();
    let plan = RunPlan {
        revisions: Revision::ALL.to_vec(),
        ..RunPlan::default()
    };
    measure(title, rounds(rounds_var, 3), &runtime, |_| {
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
    });
}
