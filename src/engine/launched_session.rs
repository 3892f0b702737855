//! `server --command`: the suite's IdP first, then the server under test started with
//! the IdP's coordinates, the cases, and the process stopped with its output kept as
//! evidence. The report is produced in every outcome, a failed start included.

use std::sync::Arc;
use std::time::Duration;

use super::events::RunEvents;
use super::run_frame::RunFrame;
use super::runner::RunPlan;
use super::server_session::ServerSession;
use super::token_supply::TokenSupply;
use crate::actors::idp::{start_idp, IdpConfig};
use crate::actors::process::{free_loopback_port, launch, LaunchSpec};
use crate::logic::case::Case;
use crate::logic::redaction::redact_text;
use crate::transport::TransportLimits;
use crate::vocab::{ProcessEvidence, Role, RunReport, TargetDescription};

pub struct LaunchedServer {
    /// The command line with `{port}`, `{issuer}`, … placeholders.
    pub command: String,
    /// Path of the MCP endpoint on the started server.
    pub path: String,
    /// Scope of valid minted tokens.
    pub scope: String,
    pub startup_timeout: Duration,
    pub plan: RunPlan,
    pub limits: TransportLimits,
}

impl LaunchedServer {
    pub async fn run(&self, cases: &[Arc<Case>], events: Arc<dyn RunEvents>) -> RunReport {
        let frame = RunFrame::start(
            TargetDescription {
                role: Role::Server,
                location: self.command.clone(),
                reference: false,
                process: None,
            },
            &self.plan,
        );
        let broken = |reason: String, process: Option<ProcessEvidence>| {
            let mut report = frame.finish(Some(reason), Vec::new());
            report.targets[0].process = process;
            report
        };
        let idp = match start_idp(IdpConfig::default()).await {
            Ok(i) => i,
            Err(e) => return broken(format!("cannot start the suite's IdP: {e}"), None),
        };
        let port = match free_loopback_port() {
            Ok(p) => p,
            Err(e) => return broken(format!("cannot find a free loopback port: {e}"), None),
        };
        let path = if self.path.starts_with('/') {
            self.path.clone()
        } else {
            format!("/{}", self.path)
        };
        let resource = format!("http://127.0.0.1:{port}{path}");
        let url = match url::Url::parse(&resource) {
            Ok(u) => u,
            Err(e) => {
                return broken(
                    format!("--path gives no usable URL `{resource}`: {e}"),
                    None,
                )
            }
        };
        let spec = LaunchSpec {
            command: self.command.clone(),
            placeholders: vec![
                ("port".into(), port.to_string()),
                ("issuer".into(), idp.issuer.clone()),
                ("jwks_uri".into(), idp.jwks_uri.clone()),
                (
                    "introspection_endpoint".into(),
                    idp.introspection_endpoint.clone(),
                ),
                ("resource".into(), resource.clone()),
            ],
            ready_port: port,
            startup_timeout: self.startup_timeout,
        };
        let process = match launch(&spec).await {
            Ok(p) => p,
            Err(e) => {
                let evidence = e.evidence().cloned().map(|mut ev| {
                    ev.stdout = redact_text(&ev.stdout);
                    ev.stderr = redact_text(&ev.stderr);
                    ev
                });
                return broken(
                    format!("the server under test did not start: {e}"),
                    evidence,
                );
            }
        };
        let session = ServerSession {
            url,
            plan: self.plan.clone(),
            limits: self.limits,
            reference: false,
            tokens: Arc::new(TokenSupply::minted(idp.minter(), self.scope.clone())),
        };
        let mut report = session.run(cases, events).await;
        let mut evidence = process.stop().await;
        evidence.stdout = redact_text(&evidence.stdout);
        evidence.stderr = redact_text(&evidence.stderr);
        for target in &mut report.targets {
            target.location = evidence.command.clone();
            target.process = Some(evidence.clone());
        }
        report
    }
}
