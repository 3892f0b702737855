//! `mcp-authspec server --url URL`: test a running MCP server.

use std::sync::Arc;

use super::args::ServerArgs;
use super::output::{cases_or_exit, finish, limits, plan};
use super::progress::Progress;
use crate::engine::ServerSession;

pub async fn run(args: ServerArgs) -> i32 {
    let cases = match cases_or_exit(args.run.cases.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let session = ServerSession {
        url: args.url.clone(),
        plan: plan(&args.run),
        limits: limits(&args.run),
        reference: false,
    };
    let progress = Arc::new(Progress::new(args.run.plain));
    let report = session.run(&cases, progress.clone()).await;
    progress.done();
    finish(&report, &args.run)
}
