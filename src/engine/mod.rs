//! Layer 4: running cases against a target of any role, concurrently and within time
//! limits: one [`run`] over any driver (`actors::drivers`).

mod case_run;
mod client_case_run;
mod demo;
mod events;
mod evidence_bound;
mod interrupt;
mod run_frame;
mod runner;
mod time;

pub use client_case_run::{client_units, run_client_case, run_client_cases, Unit};
pub use demo::demo;
pub use events::{NoEvents, RunEvents};
pub use runner::run;
pub use time::rfc3339_utc_now;
