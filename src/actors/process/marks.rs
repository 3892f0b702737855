//! Finding the processes a launched target left behind, even those that left its process
//! group (a daemon that called `setsid()`): every process the harness launches carries a
//! mark in its environment, `MCP_AUTHSPEC_LAUNCH=<harness pid>-<launch number>`, which
//! its descendants inherit whatever group or session they move to. After a launch is
//! stopped, the processes still carrying its mark are killed and named in its evidence;
//! at the end of a run the same is done for every mark of the harness process.
//!
//! The mark is the harness's own bookkeeping, not part of any launch protocol; the
//! official conformance variables are untouched. It carries the launch number so that one
//! case's clean-up never touches the processes of another case running at the same time
//! (`--jobs`). It is read back from `/proc/<pid>/environ` (the environment a program was
//! started with), so this works on Linux; elsewhere nothing is found. A process that
//! clears its environment before it starts a program escapes the mark.
//!
//! A launch's own clean-up reads only the processes created after its leader: Linux hands
//! out pids in increasing order (wrapping at `pid_max`), so every descendant of the leader
//! has a larger pid unless the counter wrapped, which `/proc/sys/kernel/ns_last_pid`
//! (the last pid given out) shows by being below the leader's. After a wrap the whole of
//! `/proc` is read, as it always is by the run's last clean-up: a descendant missed
//! because the counter went all the way round within one launch is still killed there.

use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that marks a launch.
pub const LAUNCH_MARK_VAR: &str = "MCP_AUTHSPEC_LAUNCH";

/// The longest command line quoted for a process left behind.
const QUOTED_COMMAND: usize = 200;

/// One launch's mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchMark(String);

impl LaunchMark {
    /// A mark no other launch of this harness process has.
    pub fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        LaunchMark(format!("{}{n}", run_mark_prefix()))
    }

    /// The variable's value, `<harness pid>-<n>`.
    pub fn value(&self) -> &str {
        &self.0
    }
}

/// What every mark of this harness process begins with: `<pid>-`.
pub fn run_mark_prefix() -> String {
    format!("{}-", std::process::id())
}

/// Which marks a clean-up is about.
#[derive(Debug, Clone)]
enum Wanted {
    /// One launch's mark, exactly (`1234-1` is not `1234-12`).
    Launch(String),
    /// Every mark of this harness process.
    AnyOfThisRun(String),
}

impl Wanted {
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    fn matches(&self, value: &[u8]) -> bool {
        match self {
            Wanted::Launch(mark) => value == mark.as_bytes(),
            Wanted::AnyOfThisRun(prefix) => value.starts_with(prefix.as_bytes()),
        }
    }
}

/// Kills every process still carrying `mark` once the launch was stopped, except its
/// leader (`leader`, the harness's own child, reaped by its owner). Returns the processes
/// that had left the launch's process group (`pid 1234 \`cmd\``): members of the group
/// are only being killed with it and are not news.
pub async fn kill_left_behind(mark: &LaunchMark, leader: Option<u32>) -> Vec<String> {
    kill_marked(Wanted::Launch(mark.0.clone()), leader).await
}

/// Kills every process carrying any mark of this harness process: the last clean-up of a
/// run, for launches that ended without one (a case cancelled by an interrupt). Returns
/// what it killed.
pub async fn kill_all_left_behind() -> Vec<String> {
    kill_marked(Wanted::AnyOfThisRun(run_mark_prefix()), None).await
}

/// [`kill_all_left_behind`] without waiting and without naming them: the last resort of
/// a process that is exiting (an `atexit` hook), where nothing can be awaited any more.
pub fn kill_all_left_behind_now() {
    #[cfg(target_os = "linux")]
    {
        let wanted = Wanted::AnyOfThisRun(run_mark_prefix());
        for process in linux::scan(&wanted, None, None) {
            // Dropping the pidfd is all the waiting there is.
            drop(linux::kill(&process, &wanted));
        }
    }
}

/// How many times the processes are looked for: a process caught in the middle of an
/// `exec` cannot have its environment read, and one may fork while the harness kills its
/// parent; the next look finds them. Bounded, so a fork bomb cannot hold the run.
#[cfg(target_os = "linux")]
const LOOKS: usize = 4;

#[cfg(target_os = "linux")]
async fn kill_marked(wanted: Wanted, leader: Option<u32>) -> Vec<String> {
    let mut named = Vec::new();
    for _ in 0..LOOKS {
        let scan = {
            let wanted = wanted.clone();
            // The leader is the first process of its launch (see the module's comment).
            let first = matches!(wanted, Wanted::Launch(_))
                .then_some(leader)
                .flatten();
            tokio::task::spawn_blocking(move || linux::scan(&wanted, leader, first))
        };
        let Ok(found) = scan.await else {
            break;
        };
        if found.is_empty() {
            break;
        }
        let mut dying = Vec::new();
        for process in found {
            let Some(killed) = linux::kill(&process, &wanted) else {
                continue;
            };
            // A member of the leader's group is only going with it; anything else left.
            if leader.is_none() || process.group != leader {
                named.push(process.describe());
            }
            dying.push(killed);
        }
        linux::await_ends(dying).await;
    }
    named
}

#[cfg(not(target_os = "linux"))]
async fn kill_marked(_wanted: Wanted, _leader: Option<u32>) -> Vec<String> {
    Vec::new()
}

#[cfg(target_os = "linux")]
mod linux {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::Duration;

    use tokio::io::unix::AsyncFd;
    use tokio::io::Interest;

    use super::{Wanted, LAUNCH_MARK_VAR, QUOTED_COMMAND};

    /// How long the harness waits for a killed process to be gone. SIGKILL cannot be
    /// refused; only a process stuck in the kernel takes longer.
    const DEATH_GRACE: Duration = Duration::from_secs(2);

    #[derive(Debug)]
    pub(super) struct Found {
        pid: u32,
        pub(super) group: Option<u32>,
        command: String,
    }

    impl Found {
        pub(super) fn describe(&self) -> String {
            format!("pid {} `{}`", self.pid, self.command)
        }
    }

    /// A killed process: its pidfd, readable once it has ended.
    pub(super) struct Killed {
        pid: u32,
        fd: Option<OwnedFd>,
    }

    /// Every live process whose environment carries a wanted mark, other than the
    /// harness itself and `leader`. With `first`, the pid of the first process that can
    /// carry it, only the pids created since are read, unless the pid counter wrapped.
    pub(super) fn scan(wanted: &Wanted, leader: Option<u32>, first: Option<u32>) -> Vec<Found> {
        let own = std::process::id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        let lowest = first.filter(|&first| no_wrap_since(first)).unwrap_or(0);
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if pid < lowest || pid == own || Some(pid) == leader {
                continue;
            }
            let Some(stat) = stat(pid) else {
                continue;
            };
            // A zombie has ended already; its parent reaps it. Skipped before its
            // environment is read: a zombie's reads empty, which the read would take for
            // a process in the middle of `exec` and try again, 1 ms apart.
            if matches!(stat.state, 'Z' | 'X') {
                continue;
            }
            if !carries_settled(pid, &stat, wanted) {
                continue;
            }
            found.push(Found {
                pid,
                group: Some(stat.group),
                command: command_line(pid),
            });
        }
        found
    }

    /// Whether every pid given out since `first` is above it: the last one given out is
    /// not below it. Unknown (no `ns_last_pid`) counts as wrapped, so all is read.
    fn no_wrap_since(first: u32) -> bool {
        std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
            .ok()
            .and_then(|last| last.trim().parse::<u32>().ok())
            .is_some_and(|last| last >= first)
    }

    /// How often an environment that reads empty is read again: a process in the middle
    /// of `execve` (a daemon's `exec sleep 300` just as its client exits) shows none for
    /// an instant, and would otherwise be missed by the scan.
    const EMPTY_ENVIRONMENT_READS: usize = 5;

    /// Whether the process carries a wanted mark in its environment. Kernel threads
    /// (children of kthreadd, pid 2) have none and are not read again.
    fn carries_settled(pid: u32, stat: &Stat, wanted: &Wanted) -> bool {
        let kernel_thread = pid == 2 || stat.parent == 2;
        for _ in 0..EMPTY_ENVIRONMENT_READS {
            match environment(pid) {
                Some(environ) if !environ.is_empty() => return carries(&environ, wanted),
                Some(_) if !kernel_thread => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                _ => return false,
            }
        }
        false
    }

    /// The mark checked again, just before the signal.
    fn still_carries(pid: u32, wanted: &Wanted) -> bool {
        stat(pid).is_some_and(|stat| carries_settled(pid, &stat, wanted))
    }

    /// The process's environment as started (`/proc/<pid>/environ`), if readable.
    fn environment(pid: u32) -> Option<Vec<u8>> {
        std::fs::read(format!("/proc/{pid}/environ")).ok()
    }

    /// Whether an environment holds a wanted mark.
    fn carries(environ: &[u8], wanted: &Wanted) -> bool {
        let name = format!("{LAUNCH_MARK_VAR}=");
        environ
            .split(|b| *b == 0)
            .filter_map(|entry| entry.strip_prefix(name.as_bytes()))
            .any(|value| wanted.matches(value))
    }

    /// What `/proc/<pid>/stat` says of a process.
    struct Stat {
        state: char,
        parent: u32,
        group: u32,
    }

    /// Reads `/proc/<pid>/stat`: `pid (comm) S ppid pgrp …`, where `comm` may hold spaces
    /// and parentheses, so the fields are read after its last `)`.
    fn stat(pid: u32) -> Option<Stat> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest = &stat[stat.rfind(')')? + 1..];
        let mut fields = rest.split_whitespace();
        let state = fields.next()?.chars().next()?;
        let parent = fields.next()?.parse().ok()?;
        let group = fields.next()?.parse().ok()?;
        Some(Stat {
            state,
            parent,
            group,
        })
    }

    /// The command line, arguments joined by spaces, cut to a readable length.
    fn command_line(pid: u32) -> String {
        let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let mut text = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        if text.is_empty() {
            text = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .unwrap_or_default()
                .trim()
                .to_string();
        }
        if text.chars().count() > QUOTED_COMMAND {
            text = text.chars().take(QUOTED_COMMAND).collect::<String>() + "…";
        }
        text.replace('`', "'")
    }

    /// Kills the process. Through a pidfd where the kernel has them (Linux 5.3): once it
    /// is open, the pid cannot be taken by another process, so the mark is checked again
    /// and the signal reaches the process that carries it, never a newcomer that reused
    /// its pid. `None` when the process was already gone.
    pub(super) fn kill(process: &Found, wanted: &Wanted) -> Option<Killed> {
        let pid = libc::pid_t::try_from(process.pid).ok()?;
        // SAFETY: `pidfd_open` takes a pid and flags and returns a new descriptor or -1;
        // it touches no memory of this process.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd < 0 {
            if std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH) {
                return None;
            }
            // No pidfds: the plain signal, after checking the mark once more.
            if !still_carries(process.pid, wanted) {
                return None;
            }
            // SAFETY: `kill` takes integers only; `pid` is positive (a process id read
            // from /proc), so it addresses one process, never a group.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            return Some(Killed {
                pid: process.pid,
                fd: None,
            });
        }
        // SAFETY: the descriptor was just returned by the kernel and is owned by no one else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
        if !still_carries(process.pid, wanted) {
            return None;
        }
        // SAFETY: `pidfd_send_signal` takes a descriptor we own, a signal number and a
        // null info pointer (allowed: the kernel fills in the sender itself).
        let sent = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                fd.as_raw_fd(),
                libc::SIGKILL,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
        (sent == 0).then_some(Killed {
            pid: process.pid,
            fd: Some(fd),
        })
    }

    /// Waits (bounded) until every killed process has ended, so that a later scan does not
    /// find one that is still dying; reaps those that are the harness's own children
    /// (orphans re-parented to it).
    pub(super) async fn await_ends(killed: Vec<Killed>) {
        // All were signalled already and end side by side; waiting in turn costs no more
        // than the slowest.
        for k in killed {
            if let Some(fd) = k.fd {
                // SAFETY: `fd` is an `OwnedFd`, open and the same descriptor for as long
                // as the `AsyncFd` owns it.
                if let Ok(readable) =
                    unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }
                {
                    let _ = tokio::time::timeout(DEATH_GRACE, readable.readable()).await;
                }
            }
            reap_if_own_child(k.pid);
        }
    }

    /// Collects the exit status of an ended process whose parent is the harness, so it
    /// does not stay a zombie. Processes the harness started through tokio are never
    /// scanned (see [`scan`]'s `leader`), so this takes no status tokio waits for.
    fn reap_if_own_child(pid: u32) {
        if stat(pid).map(|s| s.parent) != Some(std::process::id()) {
            return;
        }
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return;
        };
        let mut status = 0;
        // SAFETY: `waitpid` for one given child, without blocking; `status` is a valid
        // place for the kernel to write to.
        unsafe {
            libc::waitpid(pid, &mut status, libc::WNOHANG);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_unique_and_carry_the_harness_pid() {
        let a = LaunchMark::next();
        let b = LaunchMark::next();
        assert_ne!(a, b);
        assert!(a.value().starts_with(&format!("{}-", std::process::id())));
    }

    #[test]
    fn a_launch_matches_its_own_mark_exactly() {
        let wanted = Wanted::Launch("7-1".into());
        assert!(wanted.matches(b"7-1"));
        assert!(!wanted.matches(b"7-12"));
        assert!(!wanted.matches(b"71-1"));
        let run = Wanted::AnyOfThisRun("7-".into());
        assert!(run.matches(b"7-12"));
        assert!(!run.matches(b"77-1"));
    }
}
