//! The driver of `server --command`: the suite's IdP first, then the server under test started with
//! the IdP's coordinates, the cases, and the process stopped with its output kept as
//! evidence. The report is produced in every outcome, a failed start included.

use std::sync::Arc;
use std::time::Duration;

use super::driver::{CaseTarget, Driver, Prepared, SetupFailure};
use super::server::ServerDriver;
use crate::actors::idp::{start_idp, IdpConfig, MockIdp};
use crate::actors::process::{free_loopback_port, launch, LaunchSpec, TargetProcess};
use crate::actors::tokens::TokenSupply;
use crate::actors::upstream::{start_upstream, UpstreamApi};
use crate::logic::redaction::redact_text;
use crate::logic::run_plan::RunPlan;
use crate::logic::server_config::ServerRunConfig;
use crate::transport::{BoxFuture, TransportLimits};
use crate::vocab::{ProcessEvidence, Role, TargetDescription};

pub struct LaunchedServer {
    /// The command line with `{port}`, `{issuer}`, … placeholders.
    pub command: String,
    /// Path of the MCP endpoint on the started server.
    pub path: String,
    /// Scope of valid minted tokens.
    pub scope: String,
    pub startup_timeout: Duration,
    pub limits: TransportLimits,
    /// What the target names for fixture cases (`--config`).
    pub fixtures: ServerRunConfig,
}

impl Driver for LaunchedServer {
    fn describe(&self) -> TargetDescription {
        TargetDescription {
            role: Role::Server,
            location: self.command.clone(),
            reference: false,
            process: None,
        }
    }

    fn prepare<'a>(&'a self, plan: &'a RunPlan) -> BoxFuture<'a, Result<Prepared, SetupFailure>> {
        Box::pin(async move {
            let started = self.start().await.map_err(|f| SetupFailure {
                reason: f.reason,
                process: f.process,
            })?;
            let set_up = started.driver(self.limits).set_up(plan).await;
            let (target, findings) = match set_up {
                Ok(ready) => ready,
                Err(reason) => {
                    return Err(SetupFailure {
                        reason,
                        process: Some(started.stop().await),
                    })
                }
            };
            Ok(Prepared {
                cases: CaseTarget::Requests(Box::new(target)),
                findings,
                teardown: Box::new(move || Box::pin(async move { Some(started.stop().await) })),
            })
        })
    }
}

impl LaunchedServer {
    /// Starts the suite's IdP, then the server under test with its coordinates, and
    /// returns once the server's port accepts connections. The `cargo test` entry runs
    /// one [`ServerDriver`] per trial against one launch ([`StartedServer::driver`]).
    pub async fn start(&self) -> Result<StartedServer, StartFailure> {
        let broken = |reason: String| StartFailure {
            reason,
            process: None,
        };
        let idp = start_idp(IdpConfig::default())
            .await
            .map_err(|e| broken(format!("cannot start the suite's IdP: {e}")))?;
        // The upstream API a tool of the server may call (`{upstream}`): started for
        // every launch, so that the command line can name it whether or not the config
        // names the tool.
        let upstream = start_upstream()
            .await
            .map_err(|e| broken(format!("cannot start the upstream API fixture: {e}")))?;
        let port = free_loopback_port()
            .map_err(|e| broken(format!("cannot find a free loopback port: {e}")))?;
        let path = if self.path.starts_with('/') {
            self.path.clone()
        } else {
            format!("/{}", self.path)
        };
        let resource = format!("http://127.0.0.1:{port}{path}");
        let url = url::Url::parse(&resource)
            .map_err(|e| broken(format!("--path gives no usable URL `{resource}`: {e}")))?;
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
                ("upstream".into(), upstream.url.clone()),
            ],
            ready_port: port,
            startup_timeout: self.startup_timeout,
        };
        let process = launch(&spec).await.map_err(|e| StartFailure {
            reason: format!("the server under test did not start: {e}"),
            process: e.evidence().cloned().map(redacted),
        })?;
        Ok(StartedServer {
            tokens: Arc::new(TokenSupply::minted(idp.minter(), self.scope.clone())),
            url,
            process,
            fixtures: self.fixtures.clone(),
            upstream,
            _idp: idp,
        })
    }
}

/// Why the server under test could not be started, with its output if it ran.
#[derive(Debug, Clone)]
pub struct StartFailure {
    pub reason: String,
    pub process: Option<ProcessEvidence>,
}

/// A server under test that trusts the suite's IdP and serves its MCP endpoint. Dropping
/// it kills the server's process group and stops the IdP; [`StartedServer::stop`] stops
/// it gracefully and returns its output.
pub struct StartedServer {
    /// The MCP endpoint.
    pub url: url::Url,
    /// Tokens minted by the IdP the server trusts.
    pub tokens: Arc<TokenSupply>,
    process: TargetProcess,
    fixtures: ServerRunConfig,
    upstream: UpstreamApi,
    _idp: MockIdp,
}

impl StartedServer {
    /// The driver of this server: every token case can run.
    pub fn driver(&self, limits: TransportLimits) -> ServerDriver {
        ServerDriver {
            url: self.url.clone(),
            limits,
            reference: false,
            tokens: self.tokens.clone(),
            fixtures: self.fixtures.clone(),
            upstream_log: Some(self.upstream.log_url.clone()),
        }
    }

    /// The command as run, placeholders filled in.
    pub fn command(&self) -> &str {
        self.process.command()
    }

    /// Whether the server has ended on its own (e.g. crashed during the run).
    pub fn has_exited(&mut self) -> bool {
        self.process.has_exited()
    }

    /// The id of the server's process group, for a last-resort kill when the harness
    /// process exits without stopping it (see `harness`).
    pub fn process_group(&self) -> Option<u32> {
        self.process.group_leader()
    }

    /// Stops the server and everything it started; returns its output, redacted.
    pub async fn stop(self) -> ProcessEvidence {
        redacted(self.process.stop().await)
    }
}

fn redacted(mut evidence: ProcessEvidence) -> ProcessEvidence {
    evidence.stdout = redact_text(&evidence.stdout);
    evidence.stderr = redact_text(&evidence.stderr);
    evidence
}
