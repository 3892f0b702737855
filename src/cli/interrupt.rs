//! SIGINT and SIGTERM during a run command (`server`, `client`, `authorization-server`,
//! `demo`). Every launched program runs in a process group of its own, so a terminal's
//! Ctrl-C reaches the harness alone, and CI systems stop a job with SIGTERM: the harness
//! must stop its targets itself and still write the report.
//!
//! The first signal asks the run to stop (the process-wide stop switch): no case starts
//! any more, the running ones stop (a client's process group gets SIGTERM, then SIGKILL
//! after the grace), the unfinished cases become `error: interrupted (SIGINT)`, the
//! partial report is written and the exit code is 130 (SIGINT) or 143 (SIGTERM). A second
//! signal kills every process at once; the report is still written.

use crate::actors::process::{process_stop, StopState};
use crate::vocab::Interrupt;

/// Starts listening for SIGINT and SIGTERM, for the rest of the process. Call it before
/// anything is launched: from then on the signals no longer end the process, they stop
/// the run.
#[cfg(unix)]
pub fn listen() {
    use tokio::signal::unix::{signal, SignalKind};
    // Registered here, synchronously, so that no signal falls between the start of the
    // run and the handler.
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        eprintln!(
            "warning: cannot watch SIGINT and SIGTERM; an interrupted run will write no report"
        );
        return;
    };
    tokio::spawn(async move {
        loop {
            let signal = tokio::select! {
                _ = interrupt.recv() => Interrupt::Sigint,
                _ = terminate.recv() => Interrupt::Sigterm,
            };
            match process_stop().request(signal) {
                StopState::Stopping(_) => eprintln!(
                    "\ninterrupted ({signal}): stopping the running cases and writing the \
                     report; send it again to stop at once"
                ),
                StopState::StopNow(_) => {
                    eprintln!("\ninterrupted again ({signal}): killing every process now");
                }
                StopState::Running => {}
            }
        }
    });
}

/// Without Unix signals only Ctrl-C can be watched.
#[cfg(not(unix))]
pub fn listen() {
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            process_stop().request(Interrupt::Sigint);
        }
    });
}
