//! `mcp-authspec demo`: start the reference implementations on loopback, run every case
//! against them, write the reports. What a newcomer runs first.

use std::sync::Arc;

use super::args::DemoArgs;
use super::output::{cases_or_exit, finish, limits, plan};
use super::progress::Progress;
use crate::actors::reference::{start_reference_server, ReferenceConfig};
use crate::engine::{AuthorizationServerSession, ClientSession, ClientUnderTest, ServerSession};
use crate::harness::reference_tokens;
use crate::logic::as_config::AsRunConfig;
use crate::vocab::exit_code;

pub async fn run(args: DemoArgs) -> i32 {
    let cases = match cases_or_exit(args.run.cases.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let server = match start_reference_server(ReferenceConfig::default()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the reference server on 127.0.0.1: {e}");
            return exit_code::HARNESS;
        }
    };
    let url = match url::Url::parse(&server.mcp_url) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: the reference server's URL does not parse: {e}");
            return exit_code::HARNESS;
        }
    };
    let session = ServerSession {
        url,
        plan: plan(&args.run),
        limits: limits(&args.run),
        reference: true,
        tokens: Arc::new(reference_tokens(&server)),
    };
    // The deployment's IdP is also the reference authorization server.
    let authorization_server = AuthorizationServerSession {
        issuer: server.issuer.clone(),
        config: AsRunConfig::default(),
        plan: plan(&args.run),
        limits: limits(&args.run),
        reference: true,
    };
    let clients = ClientSession {
        client: ClientUnderTest::Reference {
            defect: None,
            knobs: Default::default(),
        },
        plan: plan(&args.run),
        reference: true,
    };
    let progress = Arc::new(Progress::new(args.run.plain));
    let (servers, authorization_servers, clients) = tokio::join!(
        session.run(&cases, progress.clone()),
        authorization_server.run(&cases, progress.clone()),
        clients.run(&cases, progress.clone())
    );
    progress.done();
    let report = servers.combine(authorization_servers).combine(clients);
    finish(&report, &args.run)
}
