//! What every case-running command shares: loading cases, the run plan, and writing the
//! report everywhere it was asked for.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::args::{default_jobs, RunOptions};
use super::baseline::{baseline_or_exit, judged, write_if_asked};
use super::progress::Progress;
use super::selection::{filtered_or_exit, shard_of};
use crate::actors::drivers::Driver;
use crate::actors::process::kill_all_left_behind;
use crate::engine;
use crate::engine::rfc3339_utc_now;
use crate::input::{load_cases, load_cases_of, CaseSource};
use crate::logic::baseline_entries::Baseline;
use crate::logic::case::Case;
use crate::logic::redaction::redact_text;
use crate::logic::run_plan::RunPlan;
use crate::outputs::{render_console, write_reports, ConsoleStyle};
use crate::transport::TransportLimits;
use crate::vocab::{exit_code, Role, RunReport};

/// Loads the cases, or prints the diagnostics and returns the exit code to end with.
pub fn cases_or_exit(dir: Option<&Path>) -> Result<Vec<Arc<Case>>, i32> {
    // Invalid or unreadable case files are the user's input: nothing runs (exit 2).
    load_cases(&source_of(dir)).map_err(|e| {
        eprintln!("{e}");
        exit_code::USAGE
    })
}

/// [`cases_or_exit`] for a run that can only use the cases of `roles`.
fn role_cases_or_exit(dir: Option<&Path>, roles: &[Role]) -> Result<Vec<Arc<Case>>, i32> {
    load_cases_of(&source_of(dir), roles).map_err(|e| {
        eprintln!("{e}");
        exit_code::USAGE
    })
}

fn source_of(dir: Option<&Path>) -> CaseSource {
    match dir {
        Some(d) => CaseSource::Directory(d.to_path_buf()),
        None => CaseSource::Builtin,
    }
}

/// Loads the cases for a run of `roles` and applies the filters and the partition, or
/// returns the exit code to end with: a case set of which no selected case of these
/// roles applies to a planned revision would be a green run that tested nothing, so it
/// is the user's input to fix (exit 2), said in one line. A partition that holds none of
/// the selected cases is a short shard, not a mistake: its empty report is written and
/// the code returned is the report's (0).
/// The baseline (`--baseline`) is read first, against every loaded case (an entry for a
/// case the filters leave out lists no run; it is not a typo), and returned with them.
pub async fn run_cases_or_exit(
    o: &RunOptions,
    roles: &[Role],
) -> Result<(Vec<Arc<Case>>, Option<Baseline>), i32> {
    // A baseline and the filters are checked against every case (an entry or a pattern
    // for another role's case is not a typo); without them only these roles' cases count.
    let cases = if o.baseline.is_some() || !o.select.filter().is_empty() {
        cases_or_exit(o.cases.as_deref())?
    } else {
        role_cases_or_exit(o.cases.as_deref(), roles)?
    };
    let baseline = baseline_or_exit(o, &cases)?;
    let cases = filtered_or_exit(cases, &o.select)?;
    let plan = plan(o);
    let runnable: Vec<Arc<Case>> = cases
        .into_iter()
        .filter(|c| {
            roles.contains(&c.role)
                && plan
                    .revisions
                    .iter()
                    .any(|r| c.applies_to(*r, plan.profile))
        })
        .collect();
    if runnable.is_empty() {
        let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        let revisions: Vec<&str> = plan.revisions.iter().map(|r| r.as_str()).collect();
        let mut from = match &o.cases {
            Some(dir) => format!("the cases under {}", dir.display()),
            None => "the built-in cases".to_string(),
        };
        let filter = o.select.filter();
        let mut check = "check --cases, --revision and --profile".to_string();
        if !filter.is_empty() {
            from = format!("{from} selected by {}", filter.describe());
            check = "check --cases, --revision, --profile and the filters".to_string();
        }
        eprintln!(
            "error: nothing to run: none of {from} is a {} case that applies to {} with \
             --profile {}; {check}",
            roles.join(" or "),
            revisions.join(", "),
            plan.profile.as_str()
        );
        return Err(exit_code::USAGE);
    }
    let Some(partition) = o.select.partition else {
        return Ok((runnable, baseline));
    };
    let of = runnable.len();
    let shard = shard_of(runnable, partition, baseline.as_ref());
    if shard.is_empty() {
        println!(
            "--partition {partition}: this shard holds none of the {of} selected cases; \
             nothing ran, and its report is empty"
        );
        let report = RunReport::assemble(
            Vec::new(),
            plan.revisions.clone(),
            plan.profile,
            rfc3339_utc_now(),
            0,
            None,
            Vec::new(),
        );
        return Err(finish(report, baseline.as_ref(), o).await);
    }
    Ok((shard, baseline))
}

pub fn plan(o: &RunOptions) -> RunPlan {
    RunPlan {
        revisions: o.revision.0.clone(),
        profile: o.profile,
        concurrency: o.jobs.unwrap_or_else(default_jobs).max(1),
        case_timeout: Duration::from_secs(o.case_timeout.max(1)),
        share_client_runs: true,
    }
}

pub fn limits(o: &RunOptions) -> TransportLimits {
    TransportLimits {
        request_timeout: Duration::from_secs(o.request_timeout.max(1)),
        ..TransportLimits::default()
    }
}

pub fn use_color(o: &RunOptions) -> bool {
    !o.plain && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Kills whatever any launch of the run left running (named in the report), judges the
/// report with the baseline (`--baseline`), prints the console report, appends the GitHub
/// step summary (`step_summary`) and writes the files (and `--write-baseline`'s); returns
/// the exit code. The files are written even when the run broke or was interrupted, so
/// that CI always has a report to show.
pub async fn finish(mut report: RunReport, baseline: Option<&Baseline>, o: &RunOptions) -> i32 {
    report.extensions = o.select.enabled_extensions();
    // One run per process here, so every mark of the process belongs to this run. The
    // report was redacted already; a command line may name a token too.
    let left = kill_all_left_behind().await;
    report.outlived.extend(left.iter().map(|l| redact_text(l)));
    report.shard = o.select.partition.map(|p| p.mark());
    // The command's wall time (`command_clock`): never less than the engine measured.
    report.duration_ms = report.duration_ms.max(super::command_clock::elapsed_ms());
    let report = judged(report, baseline);
    let style = ConsoleStyle {
        color: use_color(o),
        verbose: o.verbose,
    };
    print_out(&render_console(&report, style));
    if let Some(shard) = report.shard {
        print_out(&format!(
            "shard {shard} of the run: `mcp-authspec merge` joins the reports of all {} shards\n",
            shard.total
        ));
    }
    super::step_summary::append_step_summary(&report);
    match write_reports(&report, &o.format.0, &o.out) {
        Ok(paths) => {
            for p in paths {
                print_out(&format!("wrote {}\n", p.display()));
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            return exit_code::HARNESS;
        }
    }
    match write_if_asked(&report, o) {
        Ok(()) => report.exit_code,
        Err(code) => code,
    }
}

/// Writes to standard output. A closed output (`| head`) must not turn a finished run
/// into a panic: the reports are still written and the exit code still says the verdict.
fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Runs the cases against the driver's target with live progress, then prints and
/// writes the report (see [`finish`]); SIGINT and SIGTERM stop the run (see
/// `interrupt`).
pub async fn run_and_finish(
    driver: &dyn Driver,
    cases: &[Arc<Case>],
    baseline: Option<&Baseline>,
    o: &RunOptions,
) -> i32 {
    super::interrupt::listen();
    let progress = Arc::new(Progress::new(o));
    let report = engine::run(driver, cases, &plan(o), progress.clone()).await;
    progress.done();
    finish(report, baseline, o).await
}
