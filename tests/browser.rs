//! The HTML report and the matrix, opened in a real browser: headless Chromium renders the
//! page, and what it shows (`document.body.innerText`, which holds only rendered text,
//! nothing inside a closed `<details>`) must hold the summary and a failing case's evidence:
//! its reason and the request line of one of its exchanges.
//!
//! Chromium is driven over the DevTools protocol on `--remote-debugging-pipe` (fds 3 and 4,
//! NUL-terminated JSON), so no port is opened and no crate is needed. Without Chromium the
//! tests say why and pass, unless `MCP_AUTHSPEC_REQUIRE_BROWSER=1` (CI) makes them fail.

mod common;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use common::temp_dir;
use serde_json::{json, Value};

/// A watchdog, not a timing assertion: a browser that never answers must not hang the test.
const WATCHDOG: Duration = Duration::from_secs(120);

/// Chromium, if installed; otherwise `None` after saying so (or a panic in CI).
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/bin")])
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
        .find(|p| p.is_file());
    if found.is_none() {
        let why = "Chromium is not installed (Debian: apt-get install chromium)";
        if std::env::var("MCP_AUTHSPEC_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("{why}, and MCP_AUTHSPEC_REQUIRE_BROWSER=1 requires it");
        }
        eprintln!("skipped: {why}");
    }
    found
}

/// Headless Chromium with a DevTools session over its pipe.
struct Browser {
    child: Child,
    to_browser: File,
    messages: Receiver<Value>,
    /// Events that arrived while waiting for something else.
    pending: VecDeque<Value>,
    next_id: u64,
    profile: PathBuf,
}

/// A pipe whose ends sit at fd 10 or above, close-on-exec, so that the child can `dup2`
/// them onto 3 and 4 without clobbering one with the other.
fn high_pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let high = fds.map(|fd| {
        // SAFETY: fd was just returned by pipe2; F_DUPFD_CLOEXEC returns a new fd or -1.
        let moved = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) };
        assert!(moved >= 10, "fcntl F_DUPFD_CLOEXEC failed");
        // SAFETY: fd is ours and no longer needed.
        unsafe { libc::close(fd) };
        // SAFETY: moved is a fresh fd owned by nothing else.
        unsafe { OwnedFd::from_raw_fd(moved) }
    });
    let [read, write] = high;
    (read, write)
}

impl Browser {
    fn launch(binary: &Path, scratch: &Path) -> Browser {
        use std::os::fd::AsRawFd;
        let profile = scratch.join("chromium-profile");
        std::fs::create_dir_all(&profile).unwrap();
        let (commands_read, commands_write) = high_pipe();
        let (answers_read, answers_write) = high_pipe();
        let (child_in, child_out) = (commands_read.as_raw_fd(), answers_write.as_raw_fd());
        let log = File::create(scratch.join("chromium.log")).unwrap();
        let mut command = Command::new(binary);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        // SAFETY: only async-signal-safe calls (dup2) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::dup2(child_in, 3) < 0 || libc::dup2(child_out, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("start chromium");
        // The child holds its own copies now.
        drop(commands_read);
        drop(answers_write);

        let (tx, messages) = mpsc::channel();
        let mut reader = BufReader::new(File::from(answers_read));
        std::thread::spawn(move || loop {
            let mut message = Vec::new();
            match reader.read_until(0, &mut message) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    if message.last() == Some(&0) {
                        message.pop();
                    }
                    let Ok(value) = serde_json::from_slice(&message) else {
                        continue;
                    };
                    if tx.send(value).is_err() {
                        return;
                    }
                }
            }
        });
        Browser {
            child,
            to_browser: File::from(commands_write),
            messages,
            pending: VecDeque::new(),
            next_id: 1,
            profile,
        }
    }

    fn next_message(&mut self, waiting_for: &str) -> Value {
        match self.messages.recv_timeout(WATCHDOG) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => panic!("Chromium sent nothing while {waiting_for}"),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("Chromium closed its pipe while {waiting_for} (see chromium.log)")
            }
        }
    }

    /// Sends a command (to the page's session when given) and returns its result.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to_browser.write_all(&bytes).unwrap();
        loop {
            let m = self.next_message(method);
            if m["id"] == json!(id) {
                assert!(m.get("error").is_none(), "{method} failed: {m}");
                return m["result"].clone();
            }
            if m.get("method").is_some() {
                self.pending.push_back(m);
            }
        }
    }

    fn wait_event(&mut self, session: &str, method: &str) {
        let matches = |m: &Value| m["method"] == json!(method) && m["sessionId"] == json!(session);
        if let Some(i) = self.pending.iter().position(matches) {
            self.pending.remove(i);
            return;
        }
        while !matches(&self.next_message(method)) {}
    }

    /// Opens `page` in a new tab and returns the text it renders once loaded.
    fn rendered_text(&mut self, page: &Path) -> String {
        let url = format!("file://{}", page.canonicalize().unwrap().display());
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        let session = attached["sessionId"].as_str().unwrap().to_string();
        self.call(Some(&session), "Page.enable", json!({}));
        let navigated = self.call(Some(&session), "Page.navigate", json!({"url": url}));
        assert!(navigated.get("errorText").is_none(), "{navigated}");
        self.wait_event(&session, "Page.loadEventFired");
        let evaluated = self.call(
            Some(&session),
            "Runtime.evaluate",
            json!({"expression": "document.body.innerText", "returnByValue": true}),
        );
        evaluated["result"]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("no text: {evaluated}"))
            .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Runs the reference server with `defect` (or none) through `server --command` on the
/// two challenge cases, writing every report format into `out`; returns the report.
fn reference_run(scratch: &Path, defect: Option<&str>, out: &Path) -> Value {
    let cases = scratch.join("cases");
    let challenge = cases.join("server/challenge");
    if !challenge.exists() {
        std::fs::create_dir_all(&challenge).unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/server/challenge");
        for name in ["header-present.yaml", "bearer-scheme.yaml"] {
            std::fs::copy(root.join(name), challenge.join(name)).unwrap();
        }
    }
    let defect = defect.map(|d| format!(" --defect {d}")).unwrap_or_default();
    let command = format!(
        "'{}' reference server --port {{port}} --issuer {{issuer}}{defect}",
        env!("CARGO_BIN_EXE_mcp-authspec")
    );
    let output = common::run_binary(&[
        "server",
        "--command",
        &command,
        "--cases",
        cases.to_str().unwrap(),
        "--revision",
        "2025-06-18,2025-11-25",
        "--out",
        out.to_str().unwrap(),
        "--plain",
    ]);
    let written = std::fs::read_to_string(out.join("report.json")).unwrap_or_else(|e| {
        panic!(
            "no report.json ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let report: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(
        output.status.code(),
        Some(report["exit_code"].as_i64().unwrap() as i32)
    );
    report
}

/// The first failing case run of `report`: its id, reason and first request line.
fn first_failure(report: &Value) -> (String, String, String) {
    let case = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["outcome"] == "fail")
        .expect("a failing case");
    let exchange = &case["exchanges"][0];
    (
        case["id"].as_str().unwrap().to_string(),
        case["reason"].as_str().unwrap().to_string(),
        format!(
            "{} {}",
            exchange["method"].as_str().unwrap(),
            exchange["url"].as_str().unwrap()
        ),
    )
}

#[test]
fn report_html_shows_the_summary_and_a_failures_evidence() {
    let Some(chromium) = chromium() else { return };
    let scratch = temp_dir("browser-report");
    let out = scratch.join("reports");
    let report = reference_run(&scratch, Some("no-www-authenticate"), &out);
    assert_eq!(report["exit_code"], 1, "{report}");
    let (id, reason, request_line) = first_failure(&report);

    let mut browser = Browser::launch(&chromium, &scratch);
    let text = browser.rendered_text(&out.join("report.html"));
    // The summary's fail row: per revision, then in all.
    let fails_in = |revision: &str| {
        report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["outcome"] == "fail" && c["revision"] == revision)
            .count()
    };
    let fail_row = format!(
        "FAIL\t{}\t{}\t{}",
        fails_in("2025-06-18"),
        fails_in("2025-11-25"),
        report["summary"]["fail"]
    );
    for visible in [
        "MCP authorization conformance report",
        "Summary",
        "Exit code\t1 at least one case failed",
        &fail_row,
        &id,
        &reason,
        &request_line,
    ] {
        assert!(
            text.contains(visible),
            "`{visible}` is not visible in:\n{text}"
        );
    }
    drop(browser);
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn matrix_html_shows_the_counts_and_a_failures_evidence() {
    let Some(chromium) = chromium() else { return };
    let scratch = temp_dir("browser-matrix");
    let failing = reference_run(
        &scratch,
        Some("no-www-authenticate"),
        &scratch.join("broken"),
    );
    let passing = reference_run(&scratch, None, &scratch.join("conformant"));
    assert_eq!(passing["exit_code"], 0, "{passing}");
    let (id, reason, request_line) = first_failure(&failing);

    let out = scratch.join("matrix");
    let output = common::run_binary(&[
        "matrix",
        "--name",
        &format!(
            "broken-server={}",
            scratch.join("broken/report.json").display()
        ),
        "--name",
        &format!(
            "conformant-server={}",
            scratch.join("conformant/report.json").display()
        ),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");

    let mut browser = Browser::launch(&chromium, &scratch);
    let text = browser.rendered_text(&out.join("matrix.html"));
    let fail_row = format!(
        "FAIL\t{}\t{}",
        failing["summary"]["fail"], passing["summary"]["fail"]
    );
    for visible in [
        "MCP authorization conformance matrix",
        "broken-server",
        "conformant-server",
        &fail_row,
        &id,
        &reason,
        &request_line,
    ] {
        assert!(
            text.contains(visible),
            "`{visible}` is not visible in:\n{text}"
        );
    }
    drop(browser);
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The interop matrix committed in `docs/interop/` (written by `scripts/interop` with
/// `mcp-authspec matrix` over real implementations' runs) renders too: its summary and
/// the first failure's reason, as `matrix.md` of the same run gives it, are visible.
#[test]
fn the_committed_interop_matrix_shows_its_summary_and_a_failures_evidence() {
    let Some(chromium) = chromium() else { return };
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/interop");
    let markdown = std::fs::read_to_string(docs.join("matrix.md")).expect("docs/interop/matrix.md");
    let mut lines = markdown.lines();
    let heading = lines
        .find(|l| l.starts_with("#### FAIL `"))
        .expect("the interop matrix shows a failure");
    let id = heading.split('`').nth(1).unwrap().to_string();
    let reason = lines
        .find_map(|l| l.strip_prefix("**Reason:** "))
        .expect("the failure has a reason")
        .to_string();

    let scratch = temp_dir("browser-interop");
    let mut browser = Browser::launch(&chromium, &scratch);
    let text = browser.rendered_text(&docs.join("matrix.html"));
    for visible in [
        "MCP authorization conformance matrix",
        "Summary",
        &id,
        &reason,
    ] {
        assert!(
            text.contains(visible),
            "`{visible}` is not visible in the rendered docs/interop/matrix.html"
        );
    }
    drop(browser);
    let _ = std::fs::remove_dir_all(&scratch);
}
