//! `mcp-authspec authorization-server --issuer URL [--config FILE]`: test an
//! authorization server as MCP clients rely on it.

use super::args::AuthorizationServerArgs;
use super::output::{limits, run_and_finish, run_cases_or_exit};
use crate::actors::drivers::AuthorizationServerDriver;
use crate::logic::as_config::{parse_as_config, AsRunConfig};
use crate::transport::TransportLimits;
use crate::vocab::{exit_code, Role};

pub async fn run(args: AuthorizationServerArgs) -> i32 {
    let (cases, baseline) = match run_cases_or_exit(&args.run, &[Role::AuthorizationServer]).await {
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
    let driver = AuthorizationServerDriver {
        issuer: args.issuer.clone(),
        config,
        limits: TransportLimits {
            connections: args.transport.connections,
            ..limits(&args.run)
        },
        reference: false,
    };
    run_and_finish(&driver, &cases, baseline.as_ref(), &args.run).await
}
