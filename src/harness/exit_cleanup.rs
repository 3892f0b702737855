//! The last resort for a server the harness launched. It runs in a process group of its
//! own (so that it and its workers can be stopped as one), so it would outlive a test
//! process that ends without stopping it: `Conclusion::exit` runs no destructors, and
//! Ctrl-C or a CI timeout kills the process. Registered groups are therefore killed when
//! the process exits, and SIGINT and SIGTERM end the process through `exit` so that
//! this happens (with the shell's codes, 130 and 143); processes that left the groups are
//! found by their launch mark (`actors::process`) and killed too.
//!
//! This is the `cargo test` entry's own handling, installed only when it launches a
//! server; the command line never installs it: it handles the signals itself, so that
//! the partial report gets written (`cli::interrupt`).

use std::sync::{Mutex, Once};

/// The process groups of launched servers that are still running.
static GROUPS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

pub(super) fn register(leader: u32) {
    static HOOKS: Once = Once::new();
    HOOKS.call_once(install_hooks);
    GROUPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(leader);
}

/// Called once the group was stopped (and its leader reaped).
pub(super) fn unregister(leader: u32) {
    GROUPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|g| *g != leader);
}

/// Kills every registered group. Never blocks: at exit another thread may be stopped
/// anywhere, so a held lock means losing the cleanup rather than hanging the exit.
#[cfg(unix)]
extern "C" fn kill_registered() {
    use std::sync::TryLockError;
    let groups = match GROUPS.try_lock() {
        Ok(g) => g,
        Err(TryLockError::Poisoned(e)) => e.into_inner(),
        Err(TryLockError::WouldBlock) => return,
    };
    for leader in groups.iter() {
        crate::actors::process::kill_group_now(*leader);
    }
    // What left the groups (a daemon that called `setsid()`) still carries the launch
    // mark of this process.
    if !groups.is_empty() {
        crate::actors::process::kill_all_left_behind_now();
    }
}

#[cfg(unix)]
fn install_hooks() {
    // SAFETY: `atexit` only records the pointer to a function that takes nothing and
    // returns nothing; `kill_registered` cannot unwind (it never panics, and a panic in an
    // `extern "C"` function aborts).
    unsafe {
        libc::atexit(kill_registered);
    }
    super::runtime::runtime().spawn(async {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        let code = tokio::select! {
            _ = interrupt.recv() => 130,
            _ = terminate.recv() => 143,
        };
        eprintln!("mcp-authspec: interrupted; stopping the server under test");
        std::process::exit(code);
    });
}

/// Without process groups a launched server is stopped only by the guard; see
/// `ServerLaunch`.
#[cfg(not(unix))]
fn install_hooks() {}
