//! What the engine needs from a target of any role: a description for the report, the
//! set-up before the cases (reachability, the suite's IdP, a launched process, metadata,
//! a registered client, the revisions the target implements), and then either a way to
//! send a case's steps (servers, authorization servers) or a way to watch one run of the
//! target against fresh mocks (clients). The engine frames, plans, runs with the
//! concurrency cap, judges, redacts and assembles the report the same way for all.

use std::sync::Arc;
use std::time::Duration;

use crate::actors::tokens::TokenSupply;
use crate::logic::as_config::Consent;
use crate::logic::builtins::Builtins;
use crate::logic::client_set_up::ClientSetUp;
use crate::logic::observation::Observation;
use crate::logic::redaction::SecretValues;
use crate::logic::run_plan::RunPlan;
use crate::transport::{BoxFuture, HttpClient};
use crate::vocab::{CaseReport, ProcessEvidence, Revision, TargetDescription};

/// A target of one role, ready to be set up for a run.
pub trait Driver: Send + Sync {
    /// The target as the report names it.
    fn describe(&self) -> TargetDescription;

    /// Secrets the run hands the target (a pre-registered client secret, a configured
    /// one), which need not show up in any exchange but must be redacted everywhere.
    fn secrets(&self) -> SecretValues {
        SecretValues::default()
    }

    /// Everything before the cases. `Err`: the run cannot start; the report says why.
    fn prepare<'a>(&'a self, plan: &'a RunPlan) -> BoxFuture<'a, Result<Prepared, SetupFailure>>;
}

/// Why a run could not start, with a launched process's output if it ran.
#[derive(Debug, Clone)]
pub struct SetupFailure {
    pub reason: String,
    pub process: Option<ProcessEvidence>,
}

impl From<String> for SetupFailure {
    fn from(reason: String) -> Self {
        SetupFailure {
            reason,
            process: None,
        }
    }
}

/// A target set up for its cases.
pub struct Prepared {
    pub cases: CaseTarget,
    /// One finding per planned revision the target does not implement; the cases of
    /// those revisions do not run.
    pub findings: Vec<CaseReport>,
    /// Runs once every case has ended: stops what the set-up started and returns the
    /// output of a process it launched.
    pub teardown: Teardown,
}

/// Stops what a set-up started.
pub type Teardown = Box<dyn FnOnce() -> BoxFuture<'static, Option<ProcessEvidence>> + Send>;

/// Nothing to stop: what the set-up started ends when its handles drop.
pub fn keep_until_teardown<T: Send + 'static>(handles: T) -> Teardown {
    Box::new(move || {
        Box::pin(async move {
            drop(handles);
            None
        })
    })
}

/// How a role's cases reach the target.
pub enum CaseTarget {
    /// Server and authorization-server cases: the engine sends each step.
    Requests(Box<RequestTarget>),
    /// Client cases: the driver runs the client once per case and revision against fresh
    /// mocks; the engine judges what the mocks saw.
    Observes(Arc<dyn ClientObserver>),
}

/// What sending a case's steps needs.
pub struct RequestTarget {
    pub client: Arc<dyn HttpClient>,
    pub builtins: Builtins,
    pub tokens: Arc<TokenSupply>,
    /// How authorization requests get through the server's consent.
    pub consent: Arc<Consent>,
    /// Whether a case that does not read `{revision}` runs once and stands for every
    /// planned revision: an authorization server does not know which MCP revision its
    /// client follows, and the same requests four times would only spend its rate limits.
    pub one_run_per_case: bool,
    /// A last look at each finished report (e.g. a rate-limited run becomes `error`).
    pub review: fn(&mut CaseReport),
}

/// Runs a client under test once against the mocks of a set-up.
pub trait ClientObserver: Send + Sync {
    fn observe<'a>(
        &'a self,
        set_up: &'a ClientSetUp,
        revision: Revision,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<ClientRunSeen, String>>;
}

/// What one run of the client against a case's mocks showed.
#[derive(Clone)]
pub struct ClientRunSeen {
    pub observation: Arc<Observation>,
    pub process: ProcessEvidence,
    /// No request in the last moments before it ended (or was stopped).
    pub quiet: bool,
    /// The mock authorization server's issuer.
    pub issuer: String,
    /// Its token endpoint (an RFC 7523 assertion may name it as audience).
    pub token_endpoint: String,
    /// Why the mocks stopped recording, when the client sent more than a case records
    /// (it was stopped then).
    pub over_budget: Option<String>,
}

/// No report change.
pub fn no_review(_: &mut CaseReport) {}
