//! `mcp-authspec authorization-server --issuer URL [--config FILE]`: test an
//! authorization server as MCP clients rely on it.

use std::sync::Arc;

use super::args::AuthorizationServerArgs;
use super::output::{cases_or_exit, finish, limits, plan};
use super::progress::Progress;
use crate::engine::AuthorizationServerSession;
use crate::logic::as_config::{parse_as_config, AsRunConfig};
use crate::vocab::exit_code;

pub async fn run(args: AuthorizationServerArgs) -> i32 {
    let cases = match cases_or_exit(args.run.cases.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let config = match &args.config {
        None => AsRunConfig::default(),
        Some(path) => {
            let parsed = std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|text| parse_as_config(&text));
            match parsed {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {}: {e}", path.display());
                    return exit_code::USAGE;
                }
            }
        }
    };
    let session = AuthorizationServerSession {
        issuer: args.issuer.clone(),
        config,
        plan: plan(&args.run),
        limits: limits(&args.run),
        reference: false,
    };
    let progress = Arc::new(Progress::new(args.run.plain));
    let report = session.run(&cases, progress.clone()).await;
    progress.done();
    finish(&report, &args.run)
}
