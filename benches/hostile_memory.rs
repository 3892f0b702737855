//! `cargo bench --bench hostile_memory`: the harness against the 10,000-request client
//! (issue 13: "peak memory of the 10,000-request client run stays under 200 MB, measured in
//! a bench or script, not asserted in a timed test"). Runs the built `mcp-authspec client
//! --command '<flood client>'` over every built-in client case for one revision, with the
//! default time limits and jobs, and prints the wall time, the harness's peak RSS (its
//! `ru_maxrss`), the size of each report and the verdict counts. Measured here, never
//! asserted.
//!
//! The flood client is this binary in a mode (`MCP_AUTHSPEC_HOSTILE_MODE`), the same code
//! as the hostile matrix's (`tests/hostile/clients.rs`). Settings, all optional:
//! `HOSTILE_BENCH_MODE` (default `request-flood`; `body-flood` sends 300 POSTs of 1 MiB),
//! `HOSTILE_BENCH_REVISION` (default `2026-07-28`), `HOSTILE_BENCH_ARGS` (more harness
//! arguments, space-separated, e.g. `--case-timeout 10`), `HOSTILE_BENCH_KEEP` (keep the
//! reports in `target/tmp/hostile/`; they are removed after measuring).

#[allow(dead_code)]
#[path = "../tests/hostile/clients.rs"]
mod clients;
#[allow(dead_code)]
#[path = "../tests/hostile/run.rs"]
mod run;

use std::time::Duration;

/// Only a hang reaches this: the bench reports it instead of waiting for ever.
const WATCHDOG: Duration = Duration::from_secs(45 * 60);

fn main() {
    if let Ok(mode) = std::env::var(clients::MODE_VAR) {
        let args: Vec<String> = std::env::args().skip(1).collect();
        std::process::exit(clients::play(&mode, &args));
    }
    // `cargo bench` passes `--bench`; nothing else is expected.
    let mode = std::env::var("HOSTILE_BENCH_MODE").unwrap_or_else(|_| "request-flood".into());
    let revision = std::env::var("HOSTILE_BENCH_REVISION").unwrap_or_else(|_| "2026-07-28".into());
    let dir = run::scratch(&format!("bench-{mode}"));
    let mark = format!("bench-{mode}-{}", std::process::id());
    let exe = std::env::current_exe().expect("the bench binary");
    let command = format!(
        "{}={mode} {}={mark} '{}'",
        clients::MODE_VAR,
        run::MARK_VAR,
        exe.display()
    );
    let mut args: Vec<String> = ["client", "--command", &command, "--revision", &revision]
        .map(String::from)
        .to_vec();
    if let Ok(more) = std::env::var("HOSTILE_BENCH_ARGS") {
        args.extend(more.split_whitespace().map(String::from));
    }
    println!("hostile_memory bench: {} {}", run::BIN, args.join(" "));
    let finished = run::run_harness(&dir, &args, WATCHDOG, None);
    println!("  {}", run::figures(&finished));
    if finished.watchdog_fired {
        println!(
            "  the harness had not ended after {} s and was killed",
            WATCHDOG.as_secs()
        );
    }
    // The console's closing line (`N passed, N failed, …`), whatever the report's size.
    let console = std::fs::read_to_string(dir.join("stdout.txt")).unwrap_or_default();
    if let Some(line) = console.lines().rev().find(|l| l.contains(" passed, ")) {
        println!("  verdicts: {}", line.trim());
    }
    let json = finished.out.join("report.json");
    let small_enough = std::fs::metadata(&json).is_ok_and(|m| m.len() < 200_000_000);
    if small_enough {
        if let Ok(report) = std::fs::read(&json)
            .map_err(|e| e.to_string())
            .and_then(|b| {
                serde_json::from_slice::<serde_json::Value>(&b).map_err(|e| e.to_string())
            })
        {
            println!("  summary: {}", report["summary"]);
            let most = report["cases"]
                .as_array()
                .map(|cases| {
                    cases
                        .iter()
                        .map(|c| c["exchanges"].as_array().map_or(0, Vec::len))
                        .max()
                        .unwrap_or(0)
                })
                .unwrap_or(0);
            println!("  most exchanges recorded in one case: {most}");
        }
    } else {
        println!("  report.json not parsed (missing or over 200 MB)");
    }
    let survivors = run::marked_processes(&mark);
    println!("  processes of the client left: {}", survivors.len());
    for (pid, _) in survivors {
        // SAFETY: a process of this bench's own client (it carries the bench's mark).
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    // Today's reports of this run take gigabytes of a shared disk; kept only on request.
    if std::env::var_os("HOSTILE_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let goal_kib = 200 * 1024;
    println!(
        "  peak RSS {} MiB: {} the issue's 200 MB goal",
        finished.peak_rss_kib / 1024,
        if finished.peak_rss_kib <= goal_kib {
            "within"
        } else {
            "over"
        }
    );
}
