//! The shell that runs the command lines a user gives (`--command`, a browser launcher),
//! so that pipes, `&&` and variables work as the user wrote them.

/// By absolute path: given a bare name and a changed `PATH` (a client's environment holds
/// the browser shim's folder), the standard library must search `PATH` itself and fork
/// instead of using `posix_spawn`, which costs every case about a millisecond; and no
/// folder early on the user's `PATH` can stand in for the system shell.
#[cfg(unix)]
pub const SHELL: &str = "/bin/sh";

#[cfg(windows)]
pub const SHELL: &str = "cmd";
