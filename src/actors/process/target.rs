//! A running server under test, and stopping it with everything it started.

use std::process::ExitStatus;
use std::time::Duration;

use tokio::process::Child;
use tokio::time::Instant;

use super::group::{self, Signal};
use super::marks::{kill_left_behind, LaunchMark};
use super::output::Capture;
use super::stop::process_stop;
use crate::vocab::ProcessEvidence;

/// How long a server may take to shut down after SIGTERM before it is killed. Long enough
/// for a clean exit that flushes logs, short enough not to stall the end of a run.
pub const STOP_GRACE: Duration = Duration::from_secs(3);

/// How long the output readers may still run once the process is gone. They normally end
/// at once; only a process outside the group holding the pipe keeps them open.
const READER_GRACE: Duration = Duration::from_secs(1);

/// A server process the harness started. Dropping it kills the whole process group, so a
/// harness that panics or is cancelled leaves no server behind.
pub struct TargetProcess {
    command: String,
    child: Child,
    /// The process group id, which is the child's pid; `None` only if the child was
    /// reaped before its pid was read.
    leader: Option<u32>,
    stdout: Capture,
    stderr: Capture,
    /// The mark in its environment, which its descendants inherit even when they leave
    /// the process group.
    mark: LaunchMark,
    /// Set once the group was killed and the output collected, so that `Drop` has nothing
    /// left to do.
    finished: bool,
}

impl TargetProcess {
    pub(super) fn new(
        command: String,
        child: Child,
        stdout: Capture,
        stderr: Capture,
        mark: LaunchMark,
    ) -> Self {
        let leader = child.id();
        TargetProcess {
            command,
            child,
            leader,
            stdout,
            stderr,
            mark,
            finished: false,
        }
    }

    /// The command as run, placeholders filled in.
    pub fn command(&self) -> &str {
        &self.command
    }

    /// The id of the process group the server leads (its pid), if it was read.
    pub fn group_leader(&self) -> Option<u32> {
        self.leader
    }

    /// Whether the process has ended, e.g. crashed in the middle of a run. An exit the
    /// harness could not observe counts as still running: only a seen crash is reported.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Stops the process and all its children, returns the evidence.
    pub async fn stop(mut self) -> ProcessEvidence {
        let ended = self.end().await;
        self.collect(ended).await
    }

    pub(super) fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Kills whatever is left of the process group: workers or background jobs the child
    /// started may outlive it and would keep the port (and the output pipes) busy.
    pub(super) fn kill_group(&mut self) {
        if let Some(leader) = self.leader {
            group::signal_group(leader, Signal::Kill);
        }
    }

    /// Kills what the process left behind outside its group, waits (bounded) for the
    /// output readers and returns the evidence of a process that has ended.
    pub(super) async fn collect(&mut self, ended: String) -> ProcessEvidence {
        // First, so that a daemon holding the output pipes lets the readers finish.
        let outlived = kill_left_behind(&self.mark, self.leader).await;
        let deadline = Instant::now() + READER_GRACE;
        let (stdout, stdout_truncated) = self.stdout.finish(deadline).await;
        let (stderr, stderr_truncated) = self.stderr.finish(deadline).await;
        self.finished = true;
        ProcessEvidence {
            command: self.command.clone(),
            ended,
            stdout,
            stderr,
            truncated: stdout_truncated || stderr_truncated,
            notes: Vec::new(),
            outlived,
        }
    }

    /// Ends the process if it still runs, then the rest of its group; says how it ended.
    async fn end(&mut self) -> String {
        let ended = match self.child.try_wait() {
            Ok(Some(status)) => format!("{} before the harness stopped it", own_end(status)),
            Ok(None) => self.terminate().await,
            Err(e) => {
                let _ = self.child.start_kill();
                format!("could not be watched ({e}); killed by the harness")
            }
        };
        self.kill_group();
        ended
    }

    /// Asks the group to stop, then kills it if the child has not ended within the grace
    /// period.
    #[cfg(unix)]
    async fn terminate(&mut self) -> String {
        match self.leader {
            Some(leader) => group::signal_group(leader, Signal::Terminate),
            // No group to address; the child alone can still be killed.
            None => return self.kill_child("killed by the harness (SIGKILL)").await,
        }
        let waited = tokio::select! {
            waited = tokio::time::timeout(STOP_GRACE, self.child.wait()) => waited,
            // A second Ctrl-C: the person wants out now, not after the grace.
            _ = process_stop().stop_now() => {
                self.kill_group();
                return self
                    .kill_child("killed by the harness (SIGKILL: the run was interrupted again)")
                    .await;
            }
        };
        match waited {
            Ok(Ok(status)) if group::ended_by_terminate(status) => {
                "stopped by the harness (SIGTERM)".to_string()
            }
            Ok(Ok(status)) => format!("{} after the harness sent SIGTERM", group::describe(status)),
            Ok(Err(e)) => format!("could not be watched after SIGTERM ({e})"),
            Err(_) => {
                self.kill_group();
                self.kill_child(&format!(
                    "killed by the harness (SIGKILL after {} s)",
                    STOP_GRACE.as_secs()
                ))
                .await
            }
        }
    }

    /// Without process groups or SIGTERM the only stop there is, is killing the child.
    #[cfg(not(unix))]
    async fn terminate(&mut self) -> String {
        self.kill_child("killed by the harness").await
    }

    /// Kills the direct child and reaps it, briefly: a SIGKILL cannot be refused, so only
    /// a process stuck in the kernel would make this wait run out.
    async fn kill_child(&mut self, ended: &str) -> String {
        let _ = self.child.start_kill();
        match tokio::time::timeout(READER_GRACE, self.child.wait()).await {
            Ok(_) => ended.to_string(),
            Err(_) => format!(
                "{ended}, but it had not ended {} s later",
                READER_GRACE.as_secs()
            ),
        }
    }
}

impl Drop for TargetProcess {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // The harness dropped a running target (a panic, a cancelled run, an early return):
        // nothing may outlive it. `kill_on_drop` covers the direct child only.
        self.kill_group();
        let _ = self.child.start_kill();
        self.stdout.abort();
        self.stderr.abort();
    }
}

/// `exited with status 3`, or `ended by signal 11 (SIGSEGV)`.
fn own_end(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => format!("ended by {}", group::describe(status)),
    }
}
