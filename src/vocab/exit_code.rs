//! Process exit codes (documented in the README, "Verdicts and exit codes"): what a run's
//! report implies, and what ends a run that was interrupted.

/// Every case run passed, or failed only as the baseline expects; warnings, info, skips
/// and unsupported revisions do not count.
pub const OK: i32 = 0;
/// A case run failed that the baseline does not list, or a baseline entry is stale (it
/// wins over [`HARNESS`]); for `coverage --check`, a requirement without a case.
pub const FAILED: i32 = 1;
/// Bad usage or bad input, and nothing was run: an unknown flag or value, an invalid case
/// file, baseline or config file, no case selected, a bad report given to `merge` or
/// `matrix`.
pub const USAGE: i32 = 2;
/// The harness or the environment broke (target unreachable, timeouts, a case run that
/// ended `error`, the run's set-up failed), and no case failed unexpectedly; or the
/// reports could not be written, which wins over every other code.
pub const HARNESS: i32 = 3;
/// The first signal was SIGINT (Ctrl-C): the run stopped; the partial report was written.
pub const INTERRUPTED_SIGINT: i32 = 130;
/// The first signal was SIGTERM: the run stopped; the partial report was written.
pub const INTERRUPTED_SIGTERM: i32 = 143;

/// The text the reader needs beside an exit code; `baseline`: the run was judged with one.
pub fn meaning(code: i32, baseline: bool) -> &'static str {
    match code {
        OK => "no case failed and nothing errored (warnings and info do not count)",
        FAILED if baseline => {
            "at least one case failed that the baseline does not expect, or a baseline \
             entry is stale"
        }
        FAILED => "at least one case failed",
        USAGE => "bad usage or bad input: nothing was run",
        HARNESS => {
            "the harness or the environment broke (unreachable target, time limits): \
             an error is not a verdict on the target"
        }
        INTERRUPTED_SIGINT => "interrupted by SIGINT (Ctrl-C): a partial report",
        INTERRUPTED_SIGTERM => "interrupted by SIGTERM: a partial report",
        _ => "not an exit code mcp-authspec documents",
    }
}
