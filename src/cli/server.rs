//! `mcp-authspec server`: test an MCP server, running (`--url`) or started by the harness
//! with the suite's IdP as its trusted issuer (`--command`).

use std::sync::Arc;
use std::time::Duration;

use super::args::ServerArgs;
use super::output::{limits, run_and_finish, run_cases_or_exit};
use crate::actors::drivers::{LaunchedServer, ServerDriver};
use crate::actors::tokens::TokenSupply;
use crate::logic::server_config::{parse_server_config, ServerRunConfig};
use crate::transport::TransportLimits;
use crate::vocab::{exit_code, Role};

pub async fn run(args: ServerArgs) -> i32 {
    let (cases, baseline) = match run_cases_or_exit(&args.run, &[Role::Server]).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    let fixtures = match &args.config {
        None => ServerRunConfig::default(),
        Some(path) => {
            let shown = path.display().to_string();
            let parsed = std::fs::read_to_string(path)
                .map_err(|e| format!("error: {shown}: {e}"))
                .and_then(|text| parse_server_config(&shown, &text).map_err(|d| d.to_string()));
            match parsed {
                Ok(c) => c,
                Err(e) => {
                    eprint!("{}", e.trim_end_matches('\n'));
                    eprintln!();
                    return exit_code::USAGE;
                }
            }
        }
    };
    if let Some(command) = &args.command {
        let launched = LaunchedServer {
            command: command.clone(),
            path: args.path.clone(),
            scope: args.scope.clone(),
            startup_timeout: Duration::from_secs(args.startup_timeout.max(1)),
            limits: TransportLimits {
                connections: args.transport.connections,
                ..limits(&args.run)
            },
            fixtures,
            oauth_proxy: args.oauth_proxy,
        };
        // The server runs in its own process group, so Ctrl-C reaches only the harness,
        // which stops the run, then the server (SIGTERM, SIGKILL after the grace), and
        // writes the report (see `interrupt`).
        return run_and_finish(&launched, &cases, baseline.as_ref(), &args.run).await;
    }
    let Some(url) = args.url.clone() else {
        eprintln!("error: give --url or --command");
        return exit_code::USAGE;
    };
    let driver = ServerDriver {
        url,
        limits: TransportLimits {
            connections: args.transport.connections,
            ..limits(&args.run)
        },
        reference: false,
        tokens: Arc::new(TokenSupply::given(args.token.clone())),
        fixtures,
        upstream_log: None,
        launched_here: false,
        oauth_proxy: None,
    };
    run_and_finish(&driver, &cases, baseline.as_ref(), &args.run).await
}
