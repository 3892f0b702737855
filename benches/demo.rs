//! `cargo bench --bench demo`: wall time, CPU (per round and per case-run) and peak memory
//! of the whole demo run (every case, every revision: server cases against the reference
//! server, authorization-server cases against the mock IdP, client cases with the
//! reference client), over several rounds.
//! Measured here, never asserted in a test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mcp_authspec::engine::{demo, NoEvents};
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::transport::TransportLimits;
use mcp_authspec::vocab::Revision;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time (user + system) this process has used so far (getrusage(2), RUSAGE_SELF):
/// every thread of the runtime, which is where the demo's work happens.
#[cfg(unix)]
fn cpu_time() -> Option<Duration> {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return None;
    }
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Some(time(usage.ru_utime) + time(usage.ru_stime))
}

#[cfg(not(unix))]
fn cpu_time() -> Option<Duration> {
    None
}

fn main() {
    let rounds: usize = std::env::var("DEMO_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let load_start = Instant::now();
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .expect("built-in cases load")
        .into_iter()
        // The core protocol's cases, as `demo` without `--extension` has them.
        .filter(|c| c.extension().is_none())
        .collect();
    let load_time = load_start.elapsed();
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut case_runs = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let cpu_start = cpu_time();
        let plan = RunPlan {
            revisions: Revision::ALL.to_vec(),
            ..RunPlan::default()
        };
        let report = runtime
            .block_on(demo(
                &cases,
                &plan,
                TransportLimits::default(),
                Arc::new(NoEvents),
            ))
            .expect("the reference deployment starts");
        times.push(start.elapsed());
        if let (Some(before), Some(after)) = (cpu_start, cpu_time()) {
            cpu.push(after.saturating_sub(before));
        }
        case_runs = report.summary.total;
        assert_eq!(report.exit_code, 0, "the demo must pass");
    }
    times.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "demo bench: {} case files, {case_runs} case runs per round, {rounds} rounds",
        cases.len()
    );
    println!("  load+validate cases: {:.2} ms", ms(load_time));
    println!(
        "  whole demo run: min {:.2} ms, median {:.2} ms, max {:.2} ms",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
    if !cpu.is_empty() {
        cpu.sort();
        let median = cpu[cpu.len() / 2];
        println!(
            "  CPU (user + sys): min {:.2} ms, median {:.2} ms, max {:.2} ms; \
             {:.3} ms per case-run (median)",
            ms(cpu[0]),
            ms(median),
            ms(cpu[cpu.len() - 1]),
            ms(median) / case_runs.max(1) as f64
        );
    }
    println!(
        "  wall per case-run (median): {:.3} ms",
        ms(times[times.len() / 2]) / case_runs.max(1) as f64
    );
    mint_bench();
    if let Some(kib) = peak_rss_kib() {
        println!("  peak RSS: {:.1} MiB", kib as f64 / 1024.0);
    }
}

/// Token minting and verification, which the token cases do once or twice per run.
fn mint_bench() {
    use mcp_authspec::actors::tokens::VerifyingKeys;
    use mcp_authspec::actors::tokens::{verify_signature, Grant, KeySet, Minter};
    use mcp_authspec::logic::token_recipe::{Mint, Signing};
    let minter = Minter::new("http://127.0.0.1:1", KeySet::fixture());
    let grant = Grant {
        resource: "http://127.0.0.1:2/mcp".into(),
        scope: "mcp:tools".into(),
    };
    let lapses = Default::default();
    for sign in [Signing::Rs256, Signing::Es256] {
        let recipe = Mint {
            sign,
            ..Mint::default()
        };
        let start = Instant::now();
        let tokens: Vec<String> = (0..100)
            .map(|_| minter.mint(&recipe, &grant).expect("mint"))
            .collect();
        let minted = start.elapsed();
        let start = Instant::now();
        for t in &tokens {
            verify_signature(t, &minter.keys().jwks, &lapses).expect("verifies");
        }
        let verified = start.elapsed();
        // What the reference server pays for a token it has seen before.
        let keys = VerifyingKeys::new(minter.keys().jwks.clone());
        for t in &tokens {
            keys.verify(t, &lapses).expect("verifies");
        }
        let start = Instant::now();
        for t in &tokens {
            keys.verify(t, &lapses).expect("verifies");
        }
        println!(
            "  {}: mint {:.3} ms, verify {:.3} ms, verify again (remembered) {:.4} ms per token",
            sign.as_str(),
            minted.as_secs_f64() * 10.0,
            verified.as_secs_f64() * 10.0,
            start.elapsed().as_secs_f64() * 10.0
        );
    }
}
