//! A whole run against one server target: reachability first (so that an unreachable
//! target ends at once with one clear reason instead of N timeouts), then the cases,
//! then the report.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use url::Url;

use super::events::RunEvents;
use super::revision_probe::{probe, Support};
use super::run_frame::RunFrame;
use super::runner::{run_cases, RunPlan, Target};
use super::server_discovery::discover;
use super::token_supply::TokenSupply;
use crate::logic::case::Case;
use crate::transport::{HttpClient, ReqwestClient, TransportLimits};
use crate::vocab::{Revision, Role, RunReport, TargetDescription};

/// How long the reachability probe waits for a TCP connection.
pub const REACHABILITY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct ServerSession {
    pub url: Url,
    pub plan: RunPlan,
    pub limits: TransportLimits,
    /// Marks the target as the suite's reference implementation in the report.
    pub reference: bool,
    /// Where token cases get their tokens.
    pub tokens: Arc<TokenSupply>,
}

impl ServerSession {
    pub async fn run(&self, cases: &[Arc<Case>], events: Arc<dyn RunEvents>) -> RunReport {
        let frame = RunFrame::start(
            TargetDescription {
                role: Role::Server,
                location: self.url.to_string(),
                reference: self.reference,
                process: None,
            },
            &self.plan,
        );
        let finish = |error, cases| frame.finish(error, cases);
        if let Err(reason) = check_reachable(&self.url).await {
            return finish(Some(reason), Vec::new());
        }
        let client: Arc<dyn HttpClient> = match ReqwestClient::new(self.limits) {
            Ok(c) => Arc::new(c),
            Err(e) => return finish(Some(e.message), Vec::new()),
        };
        let mut target = Target::new(Role::Server, self.url.clone());
        let first = self
            .plan
            .revisions
            .first()
            .copied()
            .unwrap_or(Revision::LATEST);
        // Bounded like a case: a server that never answers costs one case time limit here.
        let discovered = discover(client.clone(), &self.url, first, self.plan.case_timeout).await;
        target
            .session_vars
            .insert("resource".into(), discovered.resource.clone());
        match discovered.required_scope {
            Ok(scope) => {
                target.session_vars.insert("required_scope".into(), scope);
            }
            Err(reason) => {
                target.unavailable = Arc::new(
                    [("required_scope".to_string(), reason)]
                        .into_iter()
                        .collect(),
                );
            }
        }
        // Revisions the server does not implement get one finding each, and their
        // cases do not run.
        let mut findings = Vec::new();
        let mut plan = self.plan.clone();
        for revision in &self.plan.revisions {
            let answer = probe(
                client.clone(),
                self.url.as_str(),
                &discovered.resource,
                *revision,
                &self.tokens,
            )
            .await;
            if let Support::Unsupported(finding) = answer {
                plan.revisions.retain(|r| r != revision);
                findings.push(*finding);
            }
        }
        let mut reports =
            run_cases(cases, &target, &plan, client, self.tokens.clone(), events).await;
        reports.extend(findings);
        reports.sort_by(|a, b| (a.id.as_str(), a.revision).cmp(&(b.id.as_str(), b.revision)));
        finish(None, reports)
    }
}

/// Connects to the target's host and port once.
pub async fn check_reachable(url: &Url) -> Result<(), String> {
    let host = url.host_str().ok_or_else(|| format!("{url} has no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url
        .port_or_known_default()
        .ok_or_else(|| format!("{url} has no port and no default port"))?;
    match tokio::time::timeout(REACHABILITY_TIMEOUT, TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("cannot connect to {host}:{port}: {e}")),
        Err(_) => Err(format!(
            "cannot connect to {host}:{port}: no answer within {} s",
            REACHABILITY_TIMEOUT.as_secs()
        )),
    }
}
