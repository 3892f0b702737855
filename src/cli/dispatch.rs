//! The command line's dispatch: one async runtime, one command.

use super::args::{Cli, Command, MockCommand, ReferenceCommand};
use super::{
    authorization_server, client, coverage, demo, explain, list, matrix, merge, server, standalone,
};
use crate::vocab::exit_code;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    super::command_clock::start();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit_code::HARNESS;
        }
    };
    match cli.command {
        Command::Server(a) => runtime.block_on(server::run(a)),
        Command::AuthorizationServer(a) => runtime.block_on(authorization_server::run(a)),
        Command::Client(a) => runtime.block_on(client::run(a)),
        Command::Demo(a) => runtime.block_on(demo::run(a)),
        Command::List(a) => list::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Coverage(a) => coverage::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Matrix(a) => matrix::run(a),
        Command::OpenUrl(a) => runtime.block_on(standalone::open_url(a)),
        Command::Mock(MockCommand::Idp(a)) => runtime.block_on(standalone::mock_idp(a)),
        Command::Reference(ReferenceCommand::Client(a)) => {
            runtime.block_on(client::reference_client(a))
        }
        Command::Reference(ReferenceCommand::Server(a)) => {
            runtime.block_on(standalone::reference_server(a))
        }
    }
}
