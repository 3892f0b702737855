//! Launching and stopping real child processes. Only `sh`, `sleep` and `echo` are assumed.
//!
//! Ready ports are simulated by a listener the test binds itself: the kernel completes a
//! TCP handshake for a listening socket even if nobody calls `accept`.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use super::*;
use crate::vocab::ProcessEvidence;

fn spec(command: &str, ready_port: u16, startup_timeout: Duration) -> LaunchSpec {
    LaunchSpec {
        command: command.to_string(),
        placeholders: vec![
            ("port".to_string(), ready_port.to_string()),
            ("issuer".to_string(), "http://127.0.0.1:40001".to_string()),
            (
                "jwks_uri".to_string(),
                "http://127.0.0.1:40001/jwks".to_string(),
            ),
        ],
        ready_port,
        startup_timeout,
    }
}

/// A port that accepts connections for as long as the listener lives.
fn accepting_port() -> (TcpListener, u16) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind loopback");
    let port = listener.local_addr().expect("local address").port();
    (listener, port)
}

/// A port nobody listens on (released right away).
fn closed_port() -> u16 {
    free_loopback_port().expect("free loopback port")
}

fn exited_before_ready(result: Result<TargetProcess, LaunchError>) -> ProcessEvidence {
    match result {
        Err(LaunchError::ExitedBeforeReady { evidence, .. }) => *evidence,
        Err(other) => panic!("expected an early exit, got: {other}"),
        Ok(target) => panic!(
            "expected an early exit, but `{}` became ready",
            target.command()
        ),
    }
}

/// Whether `pid` is a live process. Zombies count as gone: they no longer run, and the
/// reaper of an orphan may take its time.
fn running(pid: i32) -> bool {
    if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        let state = stat
            .rsplit(')')
            .next()
            .and_then(|s| s.trim_start().chars().next());
        return !matches!(state, Some('Z' | 'X'));
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is delivered.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// Waits up to 2 s for `pid` to be gone.
async fn gone(pid: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    while running(pid) {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

fn first_pid(stdout: &str) -> i32 {
    stdout
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no pid in stdout {stdout:?}"))
}

#[tokio::test]
async fn placeholders_and_env_vars_reach_the_child() {
    let port = closed_port();
    let command = "echo {port} $MCP_AUTHSPEC_PORT $MCP_AUTHSPEC_JWKS_URI {{x}}; exit 3";
    let evidence = exited_before_ready(launch(&spec(command, port, Duration::from_secs(5))).await);
    assert_eq!(
        evidence.stdout,
        format!("{port} {port} http://127.0.0.1:40001/jwks {{x}}\n")
    );
    assert_eq!(evidence.ended, "exit status 3");
    assert_eq!(
        evidence.command,
        format!("echo {port} $MCP_AUTHSPEC_PORT $MCP_AUTHSPEC_JWKS_URI {{x}}; exit 3")
    );
    assert!(!evidence.truncated);
}

#[tokio::test]
async fn early_exit_reports_stderr() {
    let started = Instant::now();
    let result = launch(&spec(
        "echo 'cannot bind {port}' >&2; exit 1",
        closed_port(),
        Duration::from_secs(20),
    ))
    .await;
    let message = result
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    let evidence = exited_before_ready(result);
    assert!(evidence.stderr.starts_with("cannot bind "), "{evidence:?}");
    assert!(message.contains("ended (exit status 1)"), "{message}");
    assert!(
        message.contains("standard error ends with:\n    cannot bind"),
        "{message}"
    );
    // Reported when it happens, not when the startup timeout runs out.
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn unknown_placeholder_fails_before_running() {
    let result = launch(&spec("echo {prot}", closed_port(), Duration::from_secs(5))).await;
    match result {
        Err(LaunchError::UnknownPlaceholder { name, known }) => {
            assert_eq!(name, "prot");
            assert!(known.contains(&"port".to_string()));
        }
        Err(other) => panic!("expected an unknown placeholder, got: {other}"),
        Ok(_) => panic!("expected an unknown placeholder, but it ran"),
    }
    let empty = launch(&spec(" ", closed_port(), Duration::from_secs(5))).await;
    assert!(matches!(empty, Err(LaunchError::EmptyCommand)));
}

#[tokio::test]
async fn never_ready_times_out_and_is_stopped() {
    let port = closed_port();
    let started = Instant::now();
    let result = launch(&spec(
        "echo starting; sleep 30",
        port,
        Duration::from_millis(300),
    ))
    .await;
    let elapsed = started.elapsed();
    let (message, evidence) = match result {
        Err(e @ LaunchError::NeverReady { .. }) => (e.to_string(), e.evidence().cloned()),
        Err(other) => panic!("expected a timeout, got: {other}"),
        Ok(_) => panic!("expected a timeout, but it became ready"),
    };
    let evidence = evidence.expect("a timeout carries evidence");
    assert_eq!(evidence.ended, "stopped by the harness (SIGTERM)");
    assert_eq!(evidence.stdout, "starting\n");
    assert!(
        message.contains(&format!("127.0.0.1:{port} never accepted")),
        "{message}"
    );
    assert!(elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(3));
}

#[tokio::test]
async fn ready_port_means_launched_and_stop_ends_it() {
    let (_listener, port) = accepting_port();
    let mut target = launch(&spec("sleep 30", port, Duration::from_secs(5)))
        .await
        .expect("launch succeeds once the port accepts");
    assert_eq!(target.command(), "sleep 30");
    assert!(!target.has_exited());
    let started = Instant::now();
    let evidence = target.stop().await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(evidence.ended, "stopped by the harness (SIGTERM)");
    assert_eq!(evidence.command, "sleep 30");
}

#[tokio::test]
async fn a_crash_mid_run_is_seen_and_reported() {
    let (_listener, port) = accepting_port();
    let mut target = launch(&spec(
        "sleep 1; echo bye >&2; exit 4",
        port,
        Duration::from_secs(5),
    ))
    .await
    .expect("launch succeeds once the port accepts");
    let deadline = Instant::now() + Duration::from_secs(4);
    while !target.has_exited() {
        assert!(Instant::now() < deadline, "the child never exited");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let evidence = target.stop().await;
    assert_eq!(
        evidence.ended,
        "exited with status 4 before the harness stopped it"
    );
    assert_eq!(evidence.stderr, "bye\n");
}

#[tokio::test]
async fn stop_kills_grandchildren_that_ignore_sigterm() {
    let (_listener, port) = accepting_port();
    // The background job ignores SIGTERM (ignored signals survive `exec`) and holds the
    // output pipe: only the final SIGKILL to the group ends it.
    let command = "(trap '' TERM; exec sleep 60) & echo $!; wait";
    let target = launch(&spec(command, port, Duration::from_secs(5)))
        .await
        .expect("launch succeeds once the port accepts");
    // Give the shell a moment to start the job and print its pid.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let evidence = target.stop().await;
    // SIGTERM ended the shell at once; the readers did not wait for a grace period.
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{evidence:?}"
    );
    assert_eq!(evidence.ended, "stopped by the harness (SIGTERM)");
    let grandchild = first_pid(&evidence.stdout);
    assert!(gone(grandchild).await, "grandchild {grandchild} still runs");
}

#[tokio::test]
async fn a_child_ignoring_sigterm_is_killed_after_the_grace_period() {
    let (_listener, port) = accepting_port();
    let target = launch(&spec(
        "trap '' TERM; sleep 60; :",
        port,
        Duration::from_secs(5),
    ))
    .await
    .expect("launch succeeds once the port accepts");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let evidence = target.stop().await;
    let elapsed = started.elapsed();
    assert_eq!(evidence.ended, "killed by the harness (SIGKILL after 3 s)");
    assert!(elapsed >= STOP_GRACE && elapsed < STOP_GRACE + Duration::from_secs(2));
}

#[tokio::test]
async fn dropping_a_target_kills_its_group() {
    let (_listener, port) = accepting_port();
    let dir =
        std::env::temp_dir().join(format!("mcp-authspec-process-drop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pid_file = dir.join("pid");
    let _ = std::fs::remove_file(&pid_file);
    let mut spec = spec(
        "sleep 60 & echo $! > {pid_file}; wait",
        port,
        Duration::from_secs(5),
    );
    spec.placeholders
        .push(("pid_file".to_string(), pid_file.display().to_string()));
    let target = launch(&spec)
        .await
        .expect("launch succeeds once the port accepts");
    let deadline = Instant::now() + Duration::from_secs(3);
    let pid = loop {
        let text = std::fs::read_to_string(&pid_file).unwrap_or_default();
        if text.ends_with('\n') {
            break first_pid(&text);
        }
        assert!(Instant::now() < deadline, "the pid file was never written");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(running(pid));
    drop(target);
    assert!(
        gone(pid).await,
        "background job {pid} outlived the dropped target"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn output_capture_keeps_the_tail() {
    // About 250 KB on stdout, far beyond the 64 KiB kept.
    let command = "i=0; while [ $i -lt 3000 ]; do \
                   echo \"line $i ...........................................................\"; \
                   i=$((i+1)); done; exit 3";
    let evidence =
        exited_before_ready(launch(&spec(command, closed_port(), Duration::from_secs(10))).await);
    assert!(evidence.truncated);
    assert!(evidence.stdout.len() <= CAPTURE_LIMIT);
    assert!(evidence.stdout.len() > CAPTURE_LIMIT - 100);
    assert!(evidence
        .stdout
        .ends_with("line 2999 ...........................................................\n"));
    assert!(!evidence.stdout.contains("line 0 "));
    assert!(evidence.stderr.is_empty());
}
