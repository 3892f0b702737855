//! Live progress as a CI log sees it, with the built binary and its standard output
//! piped: one line per finished case run, written while the run goes on, and a heartbeat
//! naming the case run that hangs while it hangs.
//!
//! Every wait is on an event (a line of the harness's output, a FIFO the client reads),
//! bounded by a watchdog that fails the test after a minute. Unix only: the client is a
//! shell script that blocks on a FIFO.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// The most the run may take before the test gives up on it.
const WATCHDOG: Duration = Duration::from_secs(60);

const BIN: &str = env!("CARGO_BIN_EXE_mcp-authspec");

const CASES: [&str; 3] = ["file-url-not-opened", "state-checked", "state-sent"];

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "mcp-authspec-progress-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Three client cases copied from the built-in set, so that a run is short.
fn client_cases(dir: &Path) -> PathBuf {
    let root = dir.join("cases");
    let area = root.join("client/authorization");
    std::fs::create_dir_all(&area).unwrap();
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/client/authorization");
    for name in CASES {
        std::fs::copy(
            builtin.join(format!("{name}.yaml")),
            area.join(format!("{name}.yaml")),
        )
        .unwrap();
    }
    root
}

/// A client that ends at once for the revision probe and the first two cases (one at a
/// time: `--jobs 1`), and for the third waits until a line arrives on `release`.
fn client(dir: &Path, release: &Path) -> PathBuf {
    let path = dir.join("client.sh");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nn=$(cat \"{count}\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"{count}\"\n\
             if [ \"$n\" -ge 4 ]; then read line < \"{release}\"; fi\nexit 0\n",
            count = dir.join("count").display(),
            release = release.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The harness; stopped with SIGTERM (which stops its clients) if the test ends early.
struct Harness(Option<Child>);

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            // SAFETY: `kill` takes integers only; the pid is our own child, not reaped.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
            let _ = child.wait();
        }
    }
}

/// The lines of `stdout` as they come, from a reader thread.
fn lines_of(stdout: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if send.send(line).is_err() {
                return;
            }
        }
    });
    receive
}

/// The next line of the harness's output, or `None` at its end.
fn next(lines: &Receiver<String>, seen: &[String]) -> Option<String> {
    match lines.recv_timeout(WATCHDOG) {
        Ok(line) => Some(line),
        Err(mpsc::RecvTimeoutError::Disconnected) => None,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "no output within {} s; so far:\n{}",
            WATCHDOG.as_secs(),
            seen.join("\n")
        ),
    }
}

/// `[1/3] FAIL  client/authorization/x [2026-07-28] 12 ms` → the case id.
fn finished_case(line: &str, n: usize) -> Option<String> {
    let rest = line.strip_prefix(&format!("[{n}/3] "))?;
    let mut words = rest.split_whitespace();
    let _outcome = words.next()?;
    let id = words.next()?;
    (words.next()? == "[2026-07-28]").then(|| id.to_string())
}

#[test]
fn a_client_run_with_stdout_piped_shows_each_case_as_it_finishes_and_the_hanging_one() {
    let dir = scratch("lines");
    let release = dir.join("release");
    let made = Command::new("mkfifo").arg(&release).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    let client = client(&dir, &release);
    let cases = client_cases(&dir);
    let out = dir.join("reports");
    let mut child = Command::new(BIN)
        .args(["client", "--command", client.to_str().unwrap(), "--cases"])
        .arg(&cases)
        // One client start per case (the client counts its starts), not shared runs.
        .args([
            "--no-share",
            "--jobs",
            "1",
            "--case-timeout",
            "300",
            "--heartbeat-secs",
            "1",
        ])
        .args(["--format", "json", "--out"])
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the harness");
    let lines = lines_of(child.stdout.take().unwrap());
    let mut harness = Harness(Some(child));
    let mut seen = Vec::new();

    // Two cases finish while the third one's client waits for us: their lines are out
    // while the harness still runs (it cannot end before the third case does).
    let mut finished = Vec::new();
    while finished.len() < 2 {
        let line = next(&lines, &seen).expect("the harness ended early");
        if let Some(id) = finished_case(&line, finished.len() + 1) {
            finished.push(id);
        }
        seen.push(line);
    }
    let running = harness.0.as_mut().unwrap().try_wait().unwrap();
    assert!(running.is_none(), "the harness ended: {running:?}");

    // The heartbeat names the one still running, and how long it has run.
    let hanging = CASES
        .iter()
        .map(|c| format!("client/authorization/{c}"))
        .find(|id| !finished.contains(id))
        .unwrap();
    let heartbeat = loop {
        let line = next(&lines, &seen).expect("the harness ended early");
        seen.push(line.clone());
        if line.starts_with("… still running") {
            break line;
        }
    };
    let prefix = format!("… still running (1): {hanging} [2026-07-28] ");
    assert!(
        heartbeat.starts_with(&prefix) && heartbeat.ends_with(" s"),
        "{heartbeat}"
    );

    // Released, the third case finishes; the console report follows the lines.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&release)
        .unwrap()
        .write_all(b"go\n")
        .unwrap();
    while let Some(line) = next(&lines, &seen) {
        seen.push(line);
    }
    let status = harness.0.take().unwrap().wait().unwrap();
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
    let last_case = seen
        .iter()
        .position(|l| finished_case(l, 3).as_deref() == Some(hanging.as_str()))
        .unwrap_or_else(|| panic!("no line for {hanging}:\n{}", seen.join("\n")));
    let summary = seen
        .iter()
        .position(|l| l.contains(" passed, "))
        .expect("the console report");
    assert!(last_case < summary, "{}", seen.join("\n"));
    // Progress lines name the case run only: never a reason (not redacted yet).
    for line in seen.iter().filter(|l| l.starts_with('[')) {
        assert!(!line.contains('—'), "{line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
