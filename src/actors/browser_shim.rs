//! A headless browser for clients under test that "open a browser": a directory holding
//! an `xdg-open` script that runs `mcp-authspec open-url`. Put first on `PATH` and named
//! by `BROWSER`, it follows the mock authorization server's redirects and delivers the
//! final one to the client's loopback callback, as a user's browser would.

use std::path::{Path, PathBuf};

/// Writes the shim into a fresh directory below the system's temporary directory.
/// `exe` is the mcp-authspec binary the shim runs.
pub fn write_browser_shim(exe: &Path) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "mcp-authspec-browser-{}-{}",
        std::process::id(),
        crate::actors::tokens::random_id()
    ));
    std::fs::create_dir_all(&dir)?;
    // Single-quoted for `sh`: the path reaches `exec` verbatim.
    let quoted = format!("'{}'", exe.display().to_string().replace('\'', r"'\''"));
    let script =
        format!("#!/bin/sh\n# Written by mcp-authspec: a headless browser.\nexec {quoted} open-url \"$1\"\n");
    let path = dir.join("xdg-open");
    std::fs::write(&path, script)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(dir)
}
