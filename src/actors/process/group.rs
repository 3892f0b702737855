//! Signalling the target's whole process group, and naming how a process ended.
//!
//! The target runs through `sh -c`, and servers often fork workers or are started by a
//! wrapper script; signalling only the direct child would leave the real server running,
//! holding its port into the next run. The child is therefore started as the leader of a
//! new process group (its pid is the group id) and every signal goes to the group.

use std::process::ExitStatus;

/// Which signal to send to the group.
// Without process groups nothing is ever sent, so the variants go unused there.
#[cfg_attr(not(unix), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Signal {
    /// Asks the processes to shut down cleanly.
    Terminate,
    /// Ends them outright.
    Kill,
}

/// Kills every process in the group led by `leader` at once: the last resort when the
/// harness process is exiting and nothing can be awaited any more.
pub fn kill_group_now(leader: u32) {
    signal_group(leader, Signal::Kill);
}

/// Sends `signal` to every process in the group led by `leader`.
///
/// Errors are ignored on purpose: the usual one is "no such process", meaning the group
/// has already gone, which is what the caller wants anyway.
#[cfg(unix)]
pub(super) fn signal_group(leader: u32, signal: Signal) {
    let Ok(pgid) = libc::pid_t::try_from(leader) else {
        return;
    };
    // Never signal group 0 or 1: `kill(0, ..)` would hit the harness's own group and
    // `kill(-1, ..)` every process the user may signal.
    if pgid <= 1 {
        return;
    }
    let signal = match signal {
        Signal::Terminate => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    // SAFETY: `kill` only takes integers and touches no memory of this process; a negative
    // pid addresses the process group, which the child leads because it was spawned with
    // `process_group(0)`. The group id cannot be taken by an unrelated group while any of
    // its members is alive, and the kernel cycles through all pids before reusing one, so
    // a late signal after the group emptied reaches nobody.
    unsafe {
        libc::kill(-pgid, signal);
    }
}

/// Without process groups only the direct child can be stopped, which
/// [`tokio::process::Child::start_kill`] does; this is a no-op.
#[cfg(not(unix))]
pub(super) fn signal_group(_leader: u32, _signal: Signal) {}

/// `exit status 3`, or `signal 15 (SIGTERM)` when a signal ended the process.
pub(super) fn describe(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return match signal_name(signal) {
                Some(name) => format!("signal {signal} ({name})"),
                None => format!("signal {signal}"),
            };
        }
    }
    status.to_string()
}

/// Whether the process was ended by SIGTERM, i.e. by the harness's polite stop.
#[cfg(unix)]
pub(super) fn ended_by_terminate(status: ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(libc::SIGTERM)
}

#[cfg(unix)]
fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        _ => return None,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn statuses_are_described() {
        // Raw wait statuses: exit code in the second byte, signal number in the first.
        assert_eq!(describe(ExitStatus::from_raw(3 << 8)), "exit status 3");
        assert_eq!(
            describe(ExitStatus::from_raw(libc::SIGTERM)),
            "signal 15 (SIGTERM)"
        );
        assert!(ended_by_terminate(ExitStatus::from_raw(libc::SIGTERM)));
        assert!(!ended_by_terminate(ExitStatus::from_raw(0)));
    }
}
