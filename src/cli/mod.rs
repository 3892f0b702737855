//! Layer 5: the command line.

mod args;
mod authorization_server;
mod client;
mod coverage;
mod demo;
mod dispatch;
mod explain;
mod interrupt;
mod list;
mod matrix;
mod output;
mod progress;
mod server;
mod standalone;

pub use args::{Cli, Command, MockCommand, ReferenceCommand};
pub use dispatch::run;
