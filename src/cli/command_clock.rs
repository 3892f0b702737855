//! The command's own clock: a run report's `duration_ms` is the command's wall time, from
//! its start (loading and checking the case files included) to the finished report, not
//! only the engine's part of it. Writing the report files comes after, so it is the one
//! part a report cannot count.

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Marks the command's start; the first call counts.
pub fn start() {
    STARTED.get_or_init(Instant::now);
}

/// Milliseconds since [`start`] (0 if it was never called).
pub fn elapsed_ms() -> u64 {
    STARTED
        .get()
        .map_or(0, |started| started.elapsed().as_millis() as u64)
}
