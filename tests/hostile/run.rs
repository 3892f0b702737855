//! Running the built harness (`target/debug/mcp-authspec`) as a child process against a
//! hostile target, under a watchdog, and the properties every item of the matrix checks:
//! it ended, with the documented exit code, no panic, bounded peak memory (the child's
//! `ru_maxrss` from `wait4`), every report written and under the report size bound, no
//! process of the target left behind.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mcp-authspec");

/// A hostile target must end the run long before this; past it the harness (its whole
/// process group) is killed and the item fails. Not a timing assertion: only a hang
/// reaches it.
pub const WATCHDOG: Duration = Duration::from_secs(60);

/// Every report file of any run stays under this (the README's "Budgets").
pub const REPORT_BOUND_BYTES: u64 = mcp_authspec::logic::report_budget::REPORT_FILE_BOUND as u64;

/// A generous bound on the harness's peak resident memory in a matrix run (one case
/// selection of a few cases); the 200 MB goal for the 10,000-request run over every client
/// case is measured by `cargo bench --bench hostile_memory`, not asserted here.
pub const PEAK_RSS_BOUND_KIB: i64 = 400 * 1024;

/// RLIMIT_DATA of the harness in the matrix (private writable memory).
pub const MEMORY_CEILING_BYTES: libc::rlim_t = 2 << 30;

/// Report files larger than this are not parsed by the test (it would cost the test
/// process more memory than the harness is allowed).
const PARSE_LIMIT_BYTES: u64 = 50 * 1000 * 1000;

/// The variable that marks every process of a hostile client (set in its `--command`, so
/// inherited by whatever it forks), to find survivors in `/proc`.
pub const MARK_VAR: &str = "MCP_AUTHSPEC_HOSTILE_MARK";

pub const REPORT_FILES: [&str; 4] = ["report.json", "junit.xml", "report.md", "report.html"];

/// A scratch folder for one item: its case selection, reports and the harness's output.
/// Emptied at the start of the item, and kept after it for a look at a failure; one per
/// item, so a harness that writes huge reports fills the disk only once.
pub fn scratch(item: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(item);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Copies the built-in case files `ids` (`role/area/name`) into `dir/cases`, laid out as
/// `--cases` expects; returns that folder.
pub fn case_selection(dir: &Path, ids: &[&str]) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let cases = dir.join("cases");
    for id in ids {
        let to = cases.join(format!("{id}.yaml"));
        std::fs::create_dir_all(to.parent().expect("parent")).expect("case folder");
        std::fs::copy(repo.join(format!("{id}.yaml")), &to)
            .unwrap_or_else(|e| panic!("copy case {id}: {e}"));
    }
    cases
}

/// How the harness ended.
pub struct Finished {
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    /// `ru_maxrss` of the harness (and of what it waited for), KiB.
    pub peak_rss_kib: i64,
    pub wall: Duration,
    pub watchdog_fired: bool,
    pub stdout: String,
    pub stderr: String,
    pub out: PathBuf,
}

/// Runs the harness with `args` (plus `--out`, `--plain`) and waits for it, or for the
/// watchdog; `memory_ceiling` bounds its private writable memory (RLIMIT_DATA).
pub fn run_harness(
    dir: &Path,
    args: &[String],
    watchdog: Duration,
    memory_ceiling: Option<libc::rlim_t>,
) -> Finished {
    let out = dir.join("reports");
    let stdout_path = dir.join("stdout.txt");
    let stderr_path = dir.join("stderr.txt");
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("--out")
        .arg(&out)
        .arg("--plain")
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).expect("stdout file"))
        .stderr(File::create(&stderr_path).expect("stderr file"));
    // Its own process group, so that the watchdog can kill it with all it started there.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    // A hard ceiling that protects the shared machine from a harness that does not bound
    // its memory (the assertion is PEAK_RSS_BOUND_KIB, far below): past it an allocation
    // fails and the harness aborts, which the item reports.
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    if let Some(ceiling) = memory_ceiling {
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
                let limit = libc::rlimit {
                    rlim_cur: ceiling,
                    rlim_max: ceiling,
                };
                libc::setrlimit(libc::RLIMIT_DATA, &limit);
                Ok(())
            });
        }
    }
    let start = Instant::now();
    let child = cmd.spawn().expect("start the harness");
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut status = 0;
        // SAFETY: rusage is plain data; wait4 fills it.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: waits for our own child, by its id.
            let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            if r == pid {
                break;
            }
            if r == -1 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
            {
                panic!("wait4: {}", std::io::Error::last_os_error());
            }
        }
        let _ = tx.send((status, usage.ru_maxrss));
    });
    let (watchdog_fired, (status, peak_rss_kib)) = match rx.recv_timeout(watchdog) {
        Ok(waited) => (false, waited),
        Err(_) => {
            // SAFETY: the group of the harness we started.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            (true, rx.recv().expect("wait4 result"))
        }
    };
    let wall = start.elapsed();
    // Reaped by wait4 above; dropping the handle neither waits nor kills.
    drop(child);
    let (exit_code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    Finished {
        exit_code,
        signal,
        peak_rss_kib,
        wall,
        watchdog_fired,
        stdout: read_capped(&stdout_path),
        stderr: read_capped(&stderr_path),
        out,
    }
}

/// The first 256 KiB of a file, as text (the harness's own output, for messages).
fn read_capped(path: &Path) -> String {
    let mut text = Vec::new();
    if let Ok(f) = File::open(path) {
        let _ = std::io::Read::read_to_end(&mut std::io::Read::take(f, 256 * 1024), &mut text);
    }
    String::from_utf8_lossy(&text).into_owned()
}

/// The end of a text, for a failure message.
pub fn tail(text: &str, chars: usize) -> String {
    let start = text.char_indices().rev().nth(chars).map_or(0, |(i, _)| i);
    text[start..].to_string()
}

/// Checks what every item must hold whatever the target; returns report.json, parsed,
/// when it could be read.
pub fn check_common(
    finished: &Finished,
    expected_exit: i32,
    problems: &mut Vec<String>,
) -> Option<serde_json::Value> {
    if finished.watchdog_fired {
        problems.push(format!(
            "the harness had not ended after {} s: the watchdog killed it",
            WATCHDOG.as_secs()
        ));
    }
    if let Some(sig) = finished.signal {
        problems.push(format!("the harness was ended by signal {sig}"));
    }
    if finished.exit_code != Some(expected_exit) && !finished.watchdog_fired {
        problems.push(format!(
            "exit code {:?}, expected {expected_exit}",
            finished.exit_code
        ));
    }
    for (stream, text) in [("stderr", &finished.stderr), ("stdout", &finished.stdout)] {
        if text.contains("panicked") {
            problems.push(format!("a panic on {stream}: {}", tail(text, 600)));
        }
    }
    if finished.peak_rss_kib > PEAK_RSS_BOUND_KIB {
        problems.push(format!(
            "peak RSS of the harness {} MiB, over the bound of {} MiB",
            finished.peak_rss_kib / 1024,
            PEAK_RSS_BOUND_KIB / 1024
        ));
    }
    let mut report = None;
    for name in REPORT_FILES {
        let path = finished.out.join(name);
        match std::fs::metadata(&path) {
            Err(e) => problems.push(format!("{name} not written: {e}")),
            Ok(meta) if meta.len() > REPORT_BOUND_BYTES => problems.push(format!(
                "{name} is {} bytes, over the report bound of {REPORT_BOUND_BYTES}",
                meta.len()
            )),
            Ok(_) => {}
        }
    }
    let json = finished.out.join("report.json");
    if std::fs::metadata(&json).is_ok_and(|m| m.len() <= PARSE_LIMIT_BYTES) {
        match std::fs::read(&json).map(|b| serde_json::from_slice::<serde_json::Value>(&b)) {
            Ok(Ok(value)) => {
                if value["exit_code"].as_i64() != finished.exit_code.map(i64::from) {
                    problems.push(format!(
                        "report.json says exit code {}, the process exited with {:?}",
                        value["exit_code"], finished.exit_code
                    ));
                }
                report = Some(value);
            }
            Ok(Err(e)) => problems.push(format!("report.json is not JSON: {e}")),
            Err(e) => problems.push(format!("report.json unreadable: {e}")),
        }
    }
    report
}

/// The processes carrying `MARK_VAR=mark` in their environment that are still alive (a
/// zombie, or a process with SIGKILL already pending, is on its way out and not counted).
pub fn marked_processes(mark: &str) -> Vec<(i32, String)> {
    let needle = format!("{MARK_VAR}={mark}");
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let dir = entry.path();
        let Ok(environ) = std::fs::read(dir.join("environ")) else {
            continue;
        };
        if !environ.split(|b| *b == 0).any(|v| v == needle.as_bytes()) || leaving(&dir) {
            continue;
        }
        let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        found.push((pid, cmdline.trim().to_string()));
    }
    found
}

/// A zombie, an exiting process, or one that SIGKILL has been sent to: it no longer runs
/// any code of the target.
fn leaving(dir: &Path) -> bool {
    let Ok(status) = std::fs::read_to_string(dir.join("status")) else {
        return true;
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or("")
            .to_string()
    };
    let state = field("State:");
    if state.starts_with('Z') || state.starts_with('X') {
        return true;
    }
    // PF_EXITING (include/linux/sched.h), field 9 of /proc/PID/stat: already in do_exit.
    const PF_EXITING: u64 = 0x4;
    let exiting = std::fs::read_to_string(dir.join("stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(6)?.parse::<u64>().ok())
            .is_some_and(|flags| flags & PF_EXITING != 0)
    });
    if exiting {
        return true;
    }
    let sigkill = 1u64 << (libc::SIGKILL - 1);
    ["SigPnd:", "ShdPnd:"]
        .iter()
        .any(|name| u64::from_str_radix(&field(name), 16).is_ok_and(|mask| mask & sigkill != 0))
}

/// Fails the item for every marked process still alive, and kills them (they are the
/// matrix's own, found by its mark), so one item's leftovers do not outlive the test.
pub fn check_no_survivors(mark: &str, problems: &mut Vec<String>) {
    let survivors = marked_processes(mark);
    for (pid, cmdline) in &survivors {
        problems.push(format!(
            "process {pid} of the target outlived the run: {cmdline}"
        ));
        // SAFETY: a process this test started (it carries the test's mark).
        unsafe { libc::kill(*pid, libc::SIGKILL) };
    }
}

/// One line of figures for the item, printed with its result.
pub fn figures(finished: &Finished) -> String {
    let size = |name: &str| {
        std::fs::metadata(finished.out.join(name)).map_or("none".to_string(), |m| {
            format!("{:.1} KB", m.len() as f64 / 1000.0)
        })
    };
    format!(
        "exit {:?}, wall {:.1} s, peak RSS {} MiB, report.json {}, junit.xml {}, report.md {}, \
         report.html {}",
        finished.exit_code,
        finished.wall.as_secs_f64(),
        finished.peak_rss_kib / 1024,
        size("report.json"),
        size("junit.xml"),
        size("report.md"),
        size("report.html")
    )
}
