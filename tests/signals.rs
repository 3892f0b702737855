//! Clean stops, with the built binary: SIGINT or SIGTERM during a run writes the partial
//! report (finished cases kept, the rest `error: interrupted`), exits 130 or 143 and leaves
//! no process behind, not even one that left its process group with `setsid()`; and a
//! normal run names such a process in its case's evidence and kills it.
//!
//! Every wait is on an event (a FIFO the target writes to, the harness's exit), bounded by
//! a watchdog that kills the harness after a minute and fails the test. Linux only: the
//! processes left behind are found through `/proc`.
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::Value;

/// The most any of these runs may take before the test gives up on it.
const WATCHDOG: Duration = Duration::from_secs(60);

const BIN: &str = env!("CARGO_BIN_EXE_mcp-authspec");

/// The mark every launched process carries (see `actors::process::marks`).
const MARK: &str = "MCP_AUTHSPEC_LAUNCH";

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "mcp-authspec-signals-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A named pipe, and the lines written to it, as they come, from a reader thread.
fn fifo(dir: &Path) -> (PathBuf, Receiver<String>) {
    let path = dir.join("fifo");
    let made = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    let (send, receive) = mpsc::channel();
    let reading = path.clone();
    std::thread::spawn(move || {
        // Opening blocks until the first writer; then every line is passed on, from
        // every writer, until the last one closes it.
        loop {
            let Ok(file) = std::fs::File::open(&reading) else {
                return;
            };
            for line in BufReader::new(file).lines() {
                let Ok(line) = line else { return };
                if send.send(line).is_err() {
                    return;
                }
            }
        }
    });
    (path, receive)
}

/// Three client cases copied from the built-in set, so that a run is short.
fn client_cases(dir: &Path) -> PathBuf {
    let root = dir.join("cases");
    let area = root.join("client/authorization");
    std::fs::create_dir_all(&area).unwrap();
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/client/authorization");
    for name in ["file-url-not-opened", "state-checked", "state-sent"] {
        std::fs::copy(
            builtin.join(format!("{name}.yaml")),
            area.join(format!("{name}.yaml")),
        )
        .unwrap();
    }
    root
}

/// The harness, killed with its launched processes if the test ends early.
struct Harness {
    child: Option<Child>,
    pid: u32,
}

impl Harness {
    /// `client --command CMD --cases CASES --no-share --jobs N --plain --out OUT`: one
    /// client start per case (the clients here count their starts).
    fn client_run(command: &str, cases: &Path, jobs: usize, out: &Path) -> Harness {
        let jobs = jobs.to_string();
        Harness::start(&[
            "client",
            "--no-share",
            "--command",
            command,
            "--cases",
            cases.to_str().unwrap(),
            "--jobs",
            &jobs,
            "--plain",
            "--out",
            out.to_str().unwrap(),
        ])
    }

    fn start(args: &[&str]) -> Harness {
        let child = Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the harness");
        let pid = child.id();
        Harness {
            child: Some(child),
            pid,
        }
    }

    /// The harness's standard error, line by line as it comes (`wait` then returns none).
    fn stderr_lines(&mut self) -> Receiver<String> {
        let stderr = self.child.as_mut().unwrap().stderr.take().unwrap();
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        receive
    }

    fn signal(&self, signal: i32) {
        // SAFETY: `kill` takes integers only; the pid is the harness's, our own child,
        // not yet reaped (so it cannot have been reused).
        unsafe {
            libc::kill(self.pid as libc::pid_t, signal);
        }
    }

    /// Waits for the harness to end (at most the watchdog's minute); its status, stdout
    /// and stderr.
    fn wait(mut self) -> (ExitStatus, String, String) {
        let child = self.child.take().unwrap();
        let pid = self.pid;
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(child.wait_with_output());
        });
        match receive.recv_timeout(WATCHDOG) {
            Ok(Ok(out)) => (
                out.status,
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ),
            Ok(Err(e)) => panic!("cannot wait for the harness: {e}"),
            Err(_) => {
                kill_marked(pid);
                // SAFETY: as in `signal`.
                unsafe {
                    libc::kill(pid as libc::pid_t, libc::SIGKILL);
                }
                panic!("the harness did not end within {} s", WATCHDOG.as_secs());
            }
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            kill_marked(self.pid);
        }
    }
}

/// Waits for the next line on the FIFO, at most the watchdog's minute.
fn next_line(lines: &Receiver<String>, what: &str) -> String {
    lines
        .recv_timeout(WATCHDOG)
        .unwrap_or_else(|_| panic!("no {what} within {} s", WATCHDOG.as_secs()))
}

/// Live processes that carry a mark of the harness `pid`, as `pid cmdline`.
fn marked(pid: u32) -> Vec<String> {
    let prefix = format!("{MARK}={pid}-");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name();
        let Some(p) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(environ) = std::fs::read(format!("/proc/{p}/environ")) else {
            continue;
        };
        let carries = environ
            .split(|b| *b == 0)
            .any(|e| e.starts_with(prefix.as_bytes()));
        let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
        let zombie = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            == Some("Z");
        if carries && !zombie {
            let cmdline = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
            found.push(format!(
                "{p} {}",
                String::from_utf8_lossy(&cmdline).replace('\0', " ")
            ));
        }
    }
    found
}

/// Clean-up after a failed test: nothing of it may outlive the test run.
fn kill_marked(pid: u32) {
    for line in marked(pid) {
        if let Some(p) = line.split(' ').next().and_then(|p| p.parse::<i32>().ok()) {
            // SAFETY: `kill` takes integers only; `p` is a positive pid read from /proc.
            unsafe {
                libc::kill(p, libc::SIGKILL);
            }
        }
    }
}

/// The report.json the run wrote, checked against the report's schema.
fn report(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("report.json")).expect("report.json written");
    let report = serde_json::from_str(&text).expect("report.json parses");
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json");
    common::validate(&schema, &report);
    report
}

fn case_reports(report: &Value) -> &Vec<Value> {
    report["cases"].as_array().expect("cases")
}

fn outlived(process: &Value) -> Vec<String> {
    process["outlived"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// A daemon that has left the script's session by the time the script goes on: it
/// writes its pid into a FIFO the script reads, after `setsid()`. The pid is printed (and
/// so captured as the case's stdout).
const SETSID_GRANDCHILD: &str = r#"f=$(mktemp -u); mkfifo "$f"
setsid sh -c 'trap "" TERM; echo $$ > "$0"; exec sleep 300' "$f" </dev/null >/dev/null 2>&1 &
read gc < "$f"; rm -f "$f"
echo "grandchild $gc"
"#;

/// A client that ignores SIGTERM: the probe of the client's revision and the first case
/// end at once (after leaving a daemon behind), the next case announces itself on the
/// FIFO and never ends.
fn never_ending_client(dir: &Path, fifo: &Path) -> PathBuf {
    script(
        dir,
        "client.sh",
        &format!(
            r#"#!/bin/sh
trap "" TERM
n=$(cat "{count}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "{count}"
{SETSID_GRANDCHILD}
if [ "$n" -le 2 ]; then exit 0; fi
echo "started $n" > "{fifo}"
sleep 300
"#,
            count = dir.join("count").display(),
            fifo = fifo.display()
        ),
    )
}

fn interrupted_client_run(signal: i32, name: &str, code: i32) {
    let dir = scratch(&format!("client-{}", name.to_lowercase()));
    let (fifo, lines) = fifo(&dir);
    let client = never_ending_client(&dir, &fifo);
    let cases = client_cases(&dir);
    let out = dir.join("reports");
    let harness = Harness::client_run(client.to_str().unwrap(), &cases, 1, &out);
    let pid = harness.pid;
    // The probe and the first case have ended; the second case's client runs.
    assert!(next_line(&lines, "client start").starts_with("started"));
    harness.signal(signal);
    let (status, stdout, stderr) = harness.wait();
    assert_eq!(status.code(), Some(code), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!("interrupted ({name})")),
        "{stderr}"
    );
    assert!(
        stdout.contains(&format!("interrupted by {name}")),
        "{stdout}"
    );
    assert_eq!(marked(pid), Vec::<String>::new(), "processes left behind");

    let report = report(&out);
    assert_eq!(report["interrupted"], name);
    assert_eq!(report["exit_code"], code);
    let cases = case_reports(&report);
    assert_eq!(cases.len(), 3, "{report}");
    let reason = format!("interrupted ({name})");
    let (unfinished, finished): (Vec<&Value>, Vec<&Value>) =
        cases.iter().partition(|c| c["reason"] == reason.as_str());
    assert_eq!(finished.len(), 1, "one case finished before the signal");
    assert_ne!(finished[0]["outcome"], "error", "{}", finished[0]);
    assert_eq!(unfinished.len(), 2);
    for case in &unfinished {
        assert_eq!(case["outcome"], "error");
        assert!(
            case["checks"].as_array().unwrap().is_empty(),
            "no verdict on a stopped client: {case}"
        );
    }
    // The running client was stopped, its daemon named; the third never started.
    let stopped: Vec<&&Value> = unfinished
        .iter()
        .filter(|c| c["process"].is_object())
        .collect();
    assert_eq!(stopped.len(), 1, "{unfinished:?}");
    let process = &stopped[0]["process"];
    assert!(
        process["ended"]
            .as_str()
            .unwrap()
            .contains(&format!("interrupted ({name})")),
        "{process}"
    );
    assert_eq!(outlived(process).len(), 1, "{process}");
    assert_eq!(
        outlived(&finished[0]["process"]).len(),
        1,
        "{}",
        finished[0]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigint_during_a_client_run_writes_the_partial_report_and_leaves_no_process() {
    interrupted_client_run(libc::SIGINT, "SIGINT", 130);
}

#[test]
fn sigterm_during_a_client_run_writes_the_partial_report_and_leaves_no_process() {
    interrupted_client_run(libc::SIGTERM, "SIGTERM", 143);
}

#[test]
fn a_daemon_the_client_leaves_behind_is_named_in_its_case_and_killed() {
    let dir = scratch("client-daemon");
    let client = script(
        &dir,
        "client.sh",
        &format!("#!/bin/sh\n{SETSID_GRANDCHILD}exit 0\n"),
    );
    let cases = client_cases(&dir);
    let out = dir.join("reports");
    // Three clients at once: each case's clean-up must find its own daemon only.
    let harness = Harness::client_run(client.to_str().unwrap(), &cases, 3, &out);
    let pid = harness.pid;
    let (status, stdout, stderr) = harness.wait();
    assert!(matches!(status.code(), Some(0 | 1)), "{stdout}\n{stderr}");
    assert_eq!(marked(pid), Vec::<String>::new(), "processes left behind");
    assert!(
        stdout.contains("note: still running after the client was stopped, killed: pid"),
        "{stdout}"
    );
    let report = report(&out);
    assert!(report.get("interrupted").is_none(), "{report}");
    for case in case_reports(&report) {
        let process = &case["process"];
        let printed = process["stdout"].as_str().unwrap();
        let daemon = printed
            .lines()
            .find_map(|l| l.strip_prefix("grandchild "))
            .unwrap_or_else(|| panic!("{process}"));
        // Its own daemon, by pid (the command may be read before or after its `exec`).
        let named = outlived(process);
        assert_eq!(named.len(), 1, "{}: {named:?}", case["id"]);
        assert!(
            named[0].starts_with(&format!("pid {daemon} `")),
            "{}: {named:?}",
            case["id"]
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigterm_during_a_server_command_run_stops_the_server_and_writes_the_report() {
    let dir = scratch("server-sigterm");
    let (fifo, lines) = fifo(&dir);
    let server = script(
        &dir,
        "server.sh",
        &format!(
            r#"#!/bin/sh
{SETSID_GRANDCHILD}
"{BIN}" reference server --port "$MCP_AUTHSPEC_PORT" --issuer "$MCP_AUTHSPEC_ISSUER" | tee "{fifo}"
"#,
            fifo = fifo.display()
        ),
    );
    let out = dir.join("reports");
    let harness = Harness::start(&[
        "server",
        "--command",
        server.to_str().unwrap(),
        "--plain",
        "--out",
        out.to_str().unwrap(),
    ]);
    let pid = harness.pid;
    // The reference server prints its endpoint once it listens.
    loop {
        if next_line(&lines, "server output").starts_with("mcp endpoint") {
            break;
        }
    }
    harness.signal(libc::SIGTERM);
    let (status, stdout, stderr) = harness.wait();
    assert_eq!(status.code(), Some(143), "{stdout}\n{stderr}");
    assert_eq!(marked(pid), Vec::<String>::new(), "processes left behind");
    let report = report(&out);
    assert_eq!(report["interrupted"], "SIGTERM");
    assert_eq!(report["exit_code"], 143);
    let cases = case_reports(&report);
    assert!(!cases.is_empty());
    assert!(
        cases
            .iter()
            .any(|c| c["reason"] == "interrupted (SIGTERM)" && c["outcome"] == "error"),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_signal_kills_at_once_and_the_report_is_still_written() {
    let dir = scratch("client-twice");
    let (fifo, lines) = fifo(&dir);
    let client = never_ending_client(&dir, &fifo);
    // The shell that runs the client ignores SIGTERM as well, so that the graceful stop
    // would have to wait out its grace.
    let command = format!("trap '' TERM; {}", client.display());
    let cases = client_cases(&dir);
    let out = dir.join("reports");
    let mut harness = Harness::client_run(&command, &cases, 1, &out);
    let pid = harness.pid;
    let errors = harness.stderr_lines();
    assert!(next_line(&lines, "client start").starts_with("started"));
    harness.signal(libc::SIGINT);
    while !next_line(&errors, "the notice of the stop").starts_with("interrupted (SIGINT)") {}
    harness.signal(libc::SIGINT);
    let (status, stdout, _) = harness.wait();
    assert_eq!(status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("interrupted by SIGINT"), "{stdout}");
    assert_eq!(marked(pid), Vec::<String>::new(), "processes left behind");
    let report = report(&out);
    assert_eq!(report["interrupted"], "SIGINT");
    let unfinished = case_reports(&report)
        .iter()
        .filter(|c| c["reason"] == "interrupted (SIGINT)" && c["outcome"] == "error")
        .count();
    assert_eq!(unfinished, 2, "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}
