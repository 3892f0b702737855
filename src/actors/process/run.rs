//! Running a client under test to its end (`client --command`): the command with the
//! server URL as its last argument, the conformance environment, bounded by the case time
//! limit; on the limit the whole process group is stopped. Its exit and output are
//! evidence.

use std::time::Duration;

use tokio::process::Command;

use super::group;
use super::launch::spawn_captured;
use super::shell::SHELL;
use super::stop::process_stop;
use super::LaunchError;
use crate::vocab::ProcessEvidence;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// A shell command line; `args` follow it as positional arguments (`"$@"`), so they
    /// reach the program verbatim, whatever characters they hold.
    pub command: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
}

/// How the run ended.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The exit code; `None` when stopped by the harness or ended by a signal.
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub evidence: ProcessEvidence,
}

/// Runs the command to its end, its time limit, or an interrupt of the run (SIGINT or
/// SIGTERM to the harness: the client is then stopped like at the time limit, and a run
/// already interrupted starts nothing).
pub async fn run_to_end(spec: &RunSpec) -> Result<RunOutcome, LaunchError> {
    run_until(spec, std::future::pending()).await
}

/// [`run_to_end`], unless `give_up` resolves first: then the client is stopped as at the
/// time limit, and `give_up`'s text says why (e.g. it sent more requests than a case
/// records).
pub async fn run_until(
    spec: &RunSpec,
    give_up: impl std::future::Future<Output = String>,
) -> Result<RunOutcome, LaunchError> {
    let stop = process_stop();
    let line = format!("{} \"$@\"", spec.command);
    let mut cmd = Command::new(SHELL);
    // `$0` names the program in error messages of the shell.
    cmd.arg("-c")
        .arg(&line)
        .arg("mcp-authspec-client")
        .args(&spec.args);
    cmd.envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let shown = std::iter::once(spec.command.clone())
        .chain(spec.args.iter().map(|a| format!("'{a}'")))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(signal) = stop.interrupt() {
        return Ok(RunOutcome {
            exit_code: None,
            timed_out: false,
            evidence: ProcessEvidence {
                command: shown,
                ended: format!("not started: the run was interrupted ({signal})"),
                stdout: String::new(),
                stderr: String::new(),
                truncated: false,
                notes: Vec::new(),
                outlived: Vec::new(),
            },
        });
    }
    let mut target = spawn_captured(cmd, shown)?;
    let waited = tokio::select! {
        waited = tokio::time::timeout(spec.timeout, target.child_mut().wait()) => waited,
        why = give_up => {
            let mut evidence = target.stop().await;
            evidence.ended = format!("{why}; {}", evidence.ended);
            return Ok(RunOutcome {
                exit_code: None,
                timed_out: false,
                evidence,
            });
        }
        signal = stop.stopping() => {
            let mut evidence = target.stop().await;
            evidence.ended = format!(
                "still running when the run was interrupted ({signal}); {}",
                evidence.ended
            );
            return Ok(RunOutcome {
                exit_code: None,
                timed_out: false,
                evidence,
            });
        }
    };
    match waited {
        Ok(Ok(status)) => {
            // Whatever the client left running in the background goes with it.
            target.kill_group();
            let evidence = target.collect(group::describe(status)).await;
            Ok(RunOutcome {
                exit_code: status.code(),
                timed_out: false,
                evidence,
            })
        }
        Ok(Err(e)) => {
            let mut evidence = target.stop().await;
            evidence.ended = format!("could not be watched ({e}); {}", evidence.ended);
            Ok(RunOutcome {
                exit_code: None,
                timed_out: false,
                evidence,
            })
        }
        Err(_) => {
            let mut evidence = target.stop().await;
            evidence.ended = format!(
                "still running at the case time limit of {} s; {}",
                spec.timeout.as_secs_f32(),
                evidence.ended
            );
            Ok(RunOutcome {
                exit_code: None,
                timed_out: true,
                evidence,
            })
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn spec(command: &str, timeout_ms: u64) -> RunSpec {
        RunSpec {
            command: command.into(),
            args: vec!["http://127.0.0.1:9/mcp?a=1&b='x'".into()],
            env: vec![("MCP_CONFORMANCE_SCENARIO".into(), "auth/test".into())],
            timeout: Duration::from_millis(timeout_ms),
        }
    }

    #[tokio::test]
    async fn the_url_arrives_verbatim_and_the_exit_code_is_kept() {
        let out = run_to_end(&spec(
            "f() { printf '%s|%s' \"$MCP_CONFORMANCE_SCENARIO\" \"$1\"; exit 4; }; f",
            5000,
        ))
        .await
        .unwrap();
        assert_eq!(out.exit_code, Some(4));
        assert!(!out.timed_out);
        assert_eq!(
            out.evidence.stdout,
            "auth/test|http://127.0.0.1:9/mcp?a=1&b='x'"
        );
    }

    #[tokio::test]
    async fn a_hanging_client_is_stopped_at_the_limit() {
        let started = std::time::Instant::now();
        let out = run_to_end(&spec("sleep 30; :", 300)).await.unwrap();
        assert!(out.timed_out);
        assert_eq!(out.exit_code, None);
        assert!(
            out.evidence.ended.contains("time limit"),
            "{}",
            out.evidence.ended
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
