//! Process exit codes (documented in the README): what a run's report implies, and
//! what ends a run that was interrupted.

/// Every case that is required (MUST) passed; warnings and info do not count.
pub const OK: i32 = 0;
/// At least one case failed.
pub const FAILED: i32 = 1;
/// Bad usage or an invalid case file: nothing was run.
pub const USAGE: i32 = 2;
/// The harness or the environment broke (target unreachable, timeouts, …).
pub const HARNESS: i32 = 3;
/// SIGINT (Ctrl-C) stopped the run; the partial report was written.
pub const INTERRUPTED_SIGINT: i32 = 130;
/// SIGTERM stopped the run; the partial report was written.
pub const INTERRUPTED_SIGTERM: i32 = 143;
