//! Starting the server under test from the user's `--command` and waiting until it serves.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::process::Command;
use tokio::time::Instant;

use super::group;
use super::marks::{LaunchMark, LAUNCH_MARK_VAR};
use super::output::Capture;
use super::render::{env_vars, render};
use super::shell::SHELL;
use super::{LaunchError, TargetProcess};

/// How often the ready port is tried. The harness cannot be told when a foreign process
/// starts listening, so it asks; a refused loopback connection costs next to nothing.
const POLL_INTERVAL: Duration = Duration::from_millis(25);

/// What to start and how to tell that it is ready.
#[derive(Debug, Clone)]
pub struct LaunchSpec {
    /// The command line with `{name}` placeholders.
    pub command: String,
    /// Placeholder values, e.g. ("port","43121"), ("issuer","http://127.0.0.1:40001"),
    /// ("jwks_uri",..), ("introspection_endpoint",..), ("resource",..). Each is also
    /// exported as `MCP_AUTHSPEC_<NAME>`.
    pub placeholders: Vec<(String, String)>,
    /// Readiness: this loopback port accepts a TCP connection.
    pub ready_port: u16,
    pub startup_timeout: Duration,
}

/// Starts the command and returns once `ready_port` accepts a connection.
///
/// A command that ends before that, or does not get there within the startup timeout, is
/// stopped (with everything it started) and reported with its output.
pub async fn launch(spec: &LaunchSpec) -> Result<TargetProcess, LaunchError> {
    let command = render(&spec.command, &spec.placeholders)?;
    let mut target = spawn(command, &spec.placeholders)?;
    let port = spec.ready_port;
    match wait_until_ready(&mut target, port, spec.startup_timeout).await {
        Readiness::Ready => Ok(target),
        Readiness::Exited(status) => {
            target.kill_group();
            let evidence = target.collect(group::describe(status)).await;
            Err(LaunchError::ExitedBeforeReady {
                port,
                evidence: Box::new(evidence),
            })
        }
        Readiness::TimedOut => Err(LaunchError::NeverReady {
            port,
            timeout: spec.startup_timeout,
            evidence: Box::new(target.stop().await),
        }),
        Readiness::Unwatchable(source) => Err(LaunchError::Watch {
            source,
            evidence: Box::new(target.stop().await),
        }),
    }
}

/// A loopback port that was free a moment ago, for the server under test to listen on.
///
/// The port is released before the server binds it, so another process could take it in
/// between; on loopback with the kernel's ephemeral range that is rare, and the server
/// then fails to bind and is reported like any early exit.
pub fn free_loopback_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

/// Starts the rendered command through the shell, with output captured in the background.
fn spawn(command: String, placeholders: &[(String, String)]) -> Result<TargetProcess, LaunchError> {
    let mut cmd = shell_command(&command);
    cmd.envs(env_vars(placeholders));
    spawn_captured(cmd, command)
}

/// Spawns a prepared command as the leader of a new process group, stdin closed and
/// output captured, and wraps it at once, so that from here on dropping it (even
/// mid-launch) kills the group. `shown` is the command line for the evidence.
pub(super) fn spawn_captured(
    mut cmd: Command,
    shown: String,
) -> Result<TargetProcess, LaunchError> {
    // A program waiting on the harness's terminal would never get input.
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Leader of a new group, so that the program, and whatever it forks, can be
    // signalled as one; see `group`.
    #[cfg(unix)]
    cmd.process_group(0);
    // Inherited by every descendant, whatever group or session it moves to; see `marks`.
    let mark = LaunchMark::next();
    cmd.env(LAUNCH_MARK_VAR, mark.value());
    let mut child = cmd.spawn().map_err(|source| LaunchError::Spawn {
        shell: SHELL,
        source,
    })?;
    let stdout = Capture::start(child.stdout.take());
    let stderr = Capture::start(child.stderr.take());
    Ok(TargetProcess::new(shown, child, stdout, stderr, mark))
}

#[cfg(unix)]
fn shell_command(command: &str) -> Command {
    let mut cmd = Command::new(SHELL);
    cmd.arg("-c").arg(command);
    cmd
}

#[cfg(windows)]
fn shell_command(command: &str) -> Command {
    let mut cmd = Command::new(SHELL);
    // `cmd /C` does not parse its command line by the usual quoting rules; passing the
    // text as is keeps it exactly as the user wrote it.
    cmd.arg("/C").raw_arg(command);
    cmd
}

enum Readiness {
    Ready,
    Exited(ExitStatus),
    TimedOut,
    Unwatchable(std::io::Error),
}

/// Tries to connect to the port until it accepts, the child ends, or time runs out.
async fn wait_until_ready(target: &mut TargetProcess, port: u16, timeout: Duration) -> Readiness {
    let now = Instant::now();
    // A timeout too large for the clock means "no limit"; a year stands in for it.
    let deadline = now
        .checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600));
    loop {
        let attempt = async {
            // Bounded too: a port whose backlog is full may leave the handshake hanging.
            let connected =
                tokio::time::timeout_at(deadline, TcpStream::connect(("127.0.0.1", port))).await;
            if matches!(connected, Ok(Ok(_))) {
                return true;
            }
            tokio::time::sleep_until(deadline.min(Instant::now() + POLL_INTERVAL)).await;
            false
        };
        // The child's end is watched at the same time, so that a command that fails at
        // once is reported at once rather than after the whole startup timeout.
        tokio::select! {
            status = target.child_mut().wait() => {
                return match status {
                    Ok(status) => Readiness::Exited(status),
                    Err(e) => Readiness::Unwatchable(e),
                };
            }
            ready = attempt => {
                if ready {
                    return Readiness::Ready;
                }
            }
        }
        if Instant::now() >= deadline {
            return Readiness::TimedOut;
        }
    }
}
