//! `mcp-authspec client --command 'CMD …'`: test an MCP client. It is launched the way the
//! official MCP conformance suite launches clients (server URL last, `MCP_CONFORMANCE_*`
//! variables), once per case and revision, against fresh mocks.

use std::sync::Arc;

use super::args::{ClientArgs, ReferenceClientArgs};
use super::output::{finish, plan, run_cases_or_exit};
use super::progress::Progress;
use crate::actors::browser_shim::write_browser_shim;
use crate::actors::drivers::{ClientDriver, ClientUnderTest};
use crate::actors::reference_client::{launch_from_env, run_reference_client, BrowserMode};
use crate::engine;
use crate::logic::run_plan::RunPlan;
use crate::vocab::{exit_code, Role};

pub async fn run(args: ClientArgs) -> i32 {
    let (cases, baseline) = match run_cases_or_exit(&args.run, &[Role::Client]).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    let shim = if args.no_browser_shim {
        None
    } else {
        let shim = std::env::current_exe().and_then(|exe| write_browser_shim(&exe));
        match shim {
            Ok(dir) => Some(dir),
            Err(e) => {
                eprintln!("error: cannot write the headless browser shim: {e}");
                return exit_code::HARNESS;
            }
        }
    };
    let driver = ClientDriver {
        client: ClientUnderTest::Command {
            command: args.command.clone(),
            browser_shim: shim.clone(),
        },
        reference: false,
    };
    super::interrupt::listen();
    let progress = Arc::new(Progress::new(&args.run));
    let plan = RunPlan {
        share_client_runs: !args.no_share,
        ..plan(&args.run)
    };
    let report = engine::run(&driver, &cases, &plan, progress.clone()).await;
    progress.done();
    if let Some(dir) = shim {
        let _ = std::fs::remove_dir_all(dir);
    }
    finish(report, baseline.as_ref(), &args.run).await
}

/// `mcp-authspec reference client URL`: the reference client as its own process, speaking
/// the conformance launch protocol.
pub async fn reference_client(args: ReferenceClientArgs) -> i32 {
    let browser = if args.browser {
        BrowserMode::System
    } else {
        BrowserMode::Fetch
    };
    let launch = match launch_from_env(args.url, args.defects.into_iter().collect(), browser) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return exit_code::USAGE;
        }
    };
    match run_reference_client(launch).await {
        Ok(()) => {
            println!("authorized and called the tool");
            exit_code::OK
        }
        Err(e) => {
            eprintln!("gave up: {e}");
            exit_code::FAILED
        }
    }
}
