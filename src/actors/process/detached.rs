//! Starting a helper program the harness does not supervise beyond its exit status: a
//! browser launcher such as `xdg-open` returns at once and the browser it opened lives on,
//! so its process group must not be stopped when the launcher exits.

use std::process::Stdio;

use tokio::process::{Child, Command};

use super::shell::SHELL;

/// Starts `command` (a shell command line) with `args` as its positional arguments
/// (`"$@"`): they reach the program verbatim, so a hostile URL cannot inject shell
/// syntax. Stdin and stdout are closed; stderr is inherited.
pub fn start_detached(command: &str, args: &[String]) -> std::io::Result<Child> {
    Command::new(SHELL)
        .arg("-c")
        .arg(format!("{command} \"$@\""))
        // `$0` names the program in error messages of the shell.
        .arg("mcp-authspec-helper")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
}
