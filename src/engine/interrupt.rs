//! What an interrupt (SIGINT or SIGTERM to the harness) does to the cases of a run: none
//! starts any more; the running ones stop, each as its kind allows; every case that did
//! not finish is `error` with the reason `interrupted (SIGINT)`, never a verdict on the
//! target. The signal itself is caught by the command line, which raises the
//! process-wide stop switch ([`process_stop`]) that this watches.

use std::sync::Arc;
use std::time::Duration;

use crate::actors::process::{process_stop, StopSwitch, STOP_GRACE};
use crate::logic::case::Case;
use crate::logic::verdict::case_report;
use crate::transport::BoxFuture;
use crate::vocab::{CaseReport, Interrupt, Outcome, Revision};

/// How long a case that watches a launched client may take to wind down once the run is
/// interrupted: the client's stop (SIGTERM, then SIGKILL after [`STOP_GRACE`]) and the
/// collection of its output, with a margin. A second signal cuts it short.
pub(super) const WIND_DOWN: Duration = STOP_GRACE.saturating_add(Duration::from_secs(3));

/// How a running case is stopped by an interrupt.
#[derive(Debug, Clone, Copy)]
pub(super) enum OnInterrupt {
    /// Dropped at once: it only sends requests, and nothing of it outlives the drop.
    Cancel,
    /// Given [`WIND_DOWN`] to stop its client process gracefully and keep the evidence.
    WindDown,
}

/// The report of a case the interrupt left unfinished (or never let start).
pub(super) fn interrupted(case: &Case, revision: Revision, signal: Interrupt) -> CaseReport {
    case_report(case, revision, Outcome::Error, Some(signal.case_reason()))
}

/// A case that ended after the interrupt: its client was stopped, so whatever its checks
/// found judges a run cut short. It becomes `error`, its checks dropped; its exchanges
/// and process evidence stay, as the record of what happened.
fn cut_short(mut report: CaseReport, signal: Interrupt) -> CaseReport {
    report.outcome = Outcome::Error;
    report.reason = Some(signal.case_reason());
    report.checks.clear();
    report
}

/// Runs one unit of cases (one case, or the client cases that share one client run)
/// unless the run is (or gets) interrupted; see [`OnInterrupt`]. `members` are the
/// unit's (case, revision) pairs, each of which gets a report either way.
pub(super) async fn run_unless_interrupted(
    run: BoxFuture<'static, Vec<CaseReport>>,
    on_interrupt: OnInterrupt,
    members: &[(Arc<Case>, Revision)],
) -> Vec<CaseReport> {
    let stop = process_stop();
    let all_interrupted = |signal: Interrupt| {
        members
            .iter()
            .map(|(case, revision)| interrupted(case, *revision, signal))
            .collect()
    };
    if let Some(signal) = stop.interrupt() {
        return all_interrupted(signal);
    }
    let ended = match on_interrupt {
        OnInterrupt::Cancel => tokio::select! {
            biased;
            reports = run => Ok(reports),
            signal = stop.stopping() => Err(signal),
        },
        OnInterrupt::WindDown => wind_down(run, stop).await,
    };
    match ended {
        // Finished after the interrupt (or in the same instant): it may have been stopped
        // by it, so it is not trusted as a verdict.
        Ok(reports) => match stop.interrupt() {
            Some(signal) => reports.into_iter().map(|r| cut_short(r, signal)).collect(),
            None => reports,
        },
        Err(signal) => all_interrupted(signal),
    }
}

/// Runs `work` to its end, unless the run is interrupted: then it gets [`WIND_DOWN`] more
/// to end (what it launched stops gracefully, watching the same switch), or less if a
/// second signal comes; past that it is dropped (which kills what it launched) and the
/// signal is returned. `stop` is the process-wide switch but in tests.
pub(super) async fn wind_down<F: std::future::Future>(
    work: F,
    stop: &StopSwitch,
) -> Result<F::Output, Interrupt> {
    tokio::pin!(work);
    let signal = tokio::select! {
        biased;
        done = &mut work => return Ok(done),
        signal = stop.stopping() => signal,
    };
    tokio::select! {
        biased;
        done = &mut work => Ok(done),
        _ = stop.stop_now() => Err(signal),
        _ = tokio::time::sleep(WIND_DOWN) => Err(signal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_that_ends_is_kept_with_or_without_an_interrupt() {
        let stop = StopSwitch::default();
        assert_eq!(wind_down(async { 1 }, &stop).await, Ok(1));
        stop.request(Interrupt::Sigint);
        assert_eq!(wind_down(async { 2 }, &stop).await, Ok(2));
    }

    #[tokio::test]
    async fn a_second_signal_ends_the_wind_down_at_once() {
        let stop = std::sync::Arc::new(StopSwitch::default());
        stop.request(Interrupt::Sigterm);
        let (started, running) = tokio::sync::oneshot::channel();
        let hurry = {
            let stop = stop.clone();
            tokio::spawn(async move {
                let _ = running.await;
                stop.request(Interrupt::Sigint);
            })
        };
        let never = async move {
            let _ = started.send(());
            std::future::pending::<()>().await
        };
        assert_eq!(wind_down(never, &stop).await, Err(Interrupt::Sigterm));
        hurry.await.unwrap();
    }
}
