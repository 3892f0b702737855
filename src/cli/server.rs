//! `mcp-authspec server --url URL`: test a running MCP server.

use super::args::ServerArgs;
use super::output::{cases_or_exit, limits, plan, run_and_finish};
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
    run_and_finish(session, &cases, &args.run).await
}
