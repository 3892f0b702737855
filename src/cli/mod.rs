//! Layer 5: the command line.

mod args;
mod authorization_server;
mod baseline;
mod client;
mod command_clock;
mod coverage;
mod demo;
mod dispatch;
mod explain;
mod interrupt;
mod list;
mod matrix;
mod merge;
mod output;
mod progress;
mod selection;
mod server;
mod standalone;
mod step_summary;

pub use args::{Cli, Command, MockCommand, ReferenceCommand};
pub use dispatch::run;
