//! `mcp-authspec demo`: start the reference implementations on loopback, run every case
//! against them, write the reports. What a newcomer runs first.

use std::sync::Arc;

use super::args::DemoArgs;
use super::output::{finish, limits, plan, run_cases_or_exit};
use super::progress::Progress;
use crate::engine;
use crate::vocab::{exit_code, Role};

pub async fn run(args: DemoArgs) -> i32 {
    let (cases, baseline) = match run_cases_or_exit(&args.run, &Role::ALL).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    super::interrupt::listen();
    let progress = Arc::new(Progress::new(&args.run));
    let demo = engine::demo(
        &cases,
        &plan(&args.run),
        limits(&args.run),
        progress.clone(),
    )
    .await;
    progress.done();
    match demo {
        Ok(report) => finish(report, baseline.as_ref(), &args.run).await,
        Err(e) => {
            eprintln!("error: {e}");
            exit_code::HARNESS
        }
    }
}
