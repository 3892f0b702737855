//! A run against MCP clients: for every case and revision, fresh mocks (the reference MCP
//! server and its IdP, with the case's knobs, both recording), one run of the client
//! under test against them, bounded by the case time limit, then the expectations judged
//! over what the client sent and how it ended. Cases run in parallel: each has its own
//! ports.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::case_run::{case_report, judge_expectation};
use super::events::RunEvents;
use super::run_frame::RunFrame;
use super::runner::{planned_work, run_each, RunPlan};
use crate::actors::idp::{Client, IdpConfig};
use crate::actors::process::{run_to_end, RunSpec};
use crate::actors::reference::{start_reference_server, ReferenceConfig};
use crate::actors::reference_client::{run_reference_client, BrowserMode, ClientLaunch};
use crate::actors::traffic::TrafficLog;
use crate::logic::answer::Answer;
use crate::logic::case::Case;
use crate::logic::case_model::ClientRun;
use crate::logic::observation::Observation;
use crate::logic::redaction::SecretValues;
use crate::logic::template::Vars;
use crate::logic::verdict::{case_verdict, unmet_precondition};
use crate::logic::well_known::origin_of;
use crate::vocab::{
    CaseReport, ClientDefect, ClientKnob, IdpDefect, IdpKnob, Outcome, ProcessEvidence, Revision,
    Role, RunReport, ServerDefect, ServerKnob, TargetDescription,
};

/// The pre-registered client a case may give the client under test.
const PREREGISTERED_ID: &str = "mcp-authspec-preregistered";
const PREREGISTERED_SECRET: &str = "mcp-authspec-preregistered-secret";

/// Which client runs.
#[derive(Debug, Clone)]
pub enum ClientUnderTest {
    /// The embedded reference client, in-process, with at most one defect and any
    /// conformant variations (`ClientKnob`).
    Reference {
        defect: Option<ClientDefect>,
        knobs: BTreeSet<ClientKnob>,
    },
    /// A program speaking the official conformance suite's launch protocol: the server
    /// URL as its last argument, `MCP_CONFORMANCE_*` in the environment.
    Command {
        command: String,
        /// A directory with an `xdg-open` shim, put first on `PATH`; `BROWSER` names it
        /// too, so clients that open a browser get the headless one.
        browser_shim: Option<PathBuf>,
    },
}

pub struct ClientSession {
    pub client: ClientUnderTest,
    pub plan: RunPlan,
    pub reference: bool,
}

impl ClientSession {
    pub async fn run(&self, cases: &[Arc<Case>], events: Arc<dyn RunEvents>) -> RunReport {
        let location = match &self.client {
            ClientUnderTest::Reference { .. } => "the embedded reference client".to_string(),
            ClientUnderTest::Command { command, .. } => command.clone(),
        };
        // Handed to the client in `MCP_CONFORMANCE_CONTEXT`: a client that prints it
        // never sends it anywhere the exchanges would show.
        let mut secrets = SecretValues::default();
        secrets.add(PREREGISTERED_SECRET);
        let frame = RunFrame::start(
            TargetDescription {
                role: Role::Client,
                location,
                reference: self.reference,
                process: None,
            },
            &self.plan,
        )
        .with_secrets(&secrets);
        let work = planned_work(cases, Role::Client, &self.plan);
        let client = Arc::new(self.client.clone());
        let timeout = self.plan.case_timeout;
        let reports = run_each(
            work,
            self.plan.concurrency,
            events,
            move |case, revision| {
                let client = client.clone();
                Box::pin(async move { run_client_case(&case, revision, &client, timeout).await })
            },
        )
        .await;
        frame.finish(None, reports)
    }
}

/// One case, one revision: mocks up, client run, verdict. The evidence is as recorded,
/// secrets included: the session's report (`RunFrame::finish`) redacts it.
pub async fn run_client_case(
    case: &Case,
    revision: Revision,
    client: &ClientUnderTest,
    timeout: Duration,
) -> CaseReport {
    let started = Instant::now();
    let Some(run) = &case.file.client else {
        return case_report(
            case,
            revision,
            Outcome::Error,
            Some("not a client case".into()),
        );
    };
    let log = TrafficLog::default();
    let server = match start_reference_server(mocks(run, &log, revision)).await {
        Ok(s) => s,
        Err(e) => {
            let reason = format!("cannot start the mocks on 127.0.0.1: {e}");
            return case_report(case, revision, Outcome::Error, Some(reason));
        }
    };
    let context = match &run.preregistered {
        None => json!({}),
        Some(p) if p.auth_method.value == "none" => json!({
            "client_id": PREREGISTERED_ID,
            "token_endpoint_auth_method": "none",
        }),
        Some(p) => json!({
            "client_id": PREREGISTERED_ID,
            "client_secret": PREREGISTERED_SECRET,
            "token_endpoint_auth_method": p.auth_method.value,
        }),
    };
    let (exit_code, process) =
        run_client(client, case, revision, &server.mcp_url, &context, timeout).await;
    let issuer = server.issuer.clone();
    let observation = Arc::new(Observation {
        exchanges: log.snapshot(),
        mcp_url: server.mcp_url.clone(),
        exit_code,
        ended: process.ended.clone(),
    });
    drop(server);
    let mut vars = Vars::new();
    vars.insert("target".into(), observation.mcp_url.clone());
    if let Ok(u) = url::Url::parse(&observation.mcp_url) {
        vars.insert("target_origin".into(), origin_of(&u));
    }
    vars.insert("revision".into(), revision.as_str().into());
    vars.insert("issuer".into(), issuer);
    let answer = Answer {
        observation: Some(observation.clone()),
        ..Answer::default()
    };
    let label = "client run";
    let mut report = case_report(case, revision, Outcome::Pass, None);
    let skipped = run.when.iter().find_map(|e| {
        let e = &e.value;
        let j = e.is.judge(&e.query.evaluate(&answer, &vars), &vars);
        (!j.holds)
            .then(|| unmet_precondition(&e.query.to_string(), &e.is, &j, e.why.as_deref(), &vars))
    });
    match skipped {
        // A client that never ended by itself cannot be "not applicable": its unfinished
        // run is the verdict (a hang must not hide behind a precondition).
        Some(reason) if observation.exit_code.is_none() => {
            report.outcome = case.file.level.violation();
            report.reason = Some(format!(
                "the client did not end by itself ({}), so the case could not be judged: {reason}",
                process.ended
            ));
        }
        Some(reason) => {
            report.outcome = Outcome::Skip;
            report.reason = Some(reason);
        }
        None => {
            report.checks = run
                .expect
                .iter()
                .map(|e| judge_expectation(&e.value, &answer, &vars, case.file.level, label))
                .collect();
            let (outcome, reason) = case_verdict(&report.checks);
            report.outcome = outcome;
            report.reason = reason.map(|r| format!("{r} (the client {})", process.ended));
        }
    }
    // As recorded: the run's report redacts them (`RunFrame`).
    report.exchanges = observation.exchanges.clone();
    report.process = Some(process);
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

/// The mocks of a case: its server defects and knobs, its IdP knobs, recording. The
/// deployment gives its IdP every scope the server's knobs require or advertise. The MCP
/// server is a server of the revision under test only: a client that asks it which
/// versions it speaks learns that one.
fn mocks(run: &ClientRun, log: &TrafficLog, revision: Revision) -> ReferenceConfig {
    let mut defects = BTreeSet::new();
    let mut knobs = BTreeSet::new();
    for name in &run.server {
        if let Ok(d) = name.value.parse::<ServerDefect>() {
            defects.insert(d);
        } else if let Ok(k) = name.value.parse::<ServerKnob>() {
            knobs.insert(k);
        }
    }
    let idp_defects: BTreeSet<IdpDefect> = run
        .idp
        .iter()
        .filter_map(|n| n.value.parse().ok())
        .collect();
    let idp_knobs: BTreeSet<IdpKnob> = run
        .idp
        .iter()
        .filter_map(|n| n.value.parse().ok())
        .collect();
    // Any loopback redirect URI (RFC 8252 §7.3): the client never learns a registered one.
    let preregistered = run
        .preregistered
        .iter()
        .map(|p| {
            let secret = (p.auth_method.value != "none").then(|| PREREGISTERED_SECRET.into());
            Client::preregistered(PREREGISTERED_ID, secret, p.auth_method.value.clone())
        })
        .collect();
    ReferenceConfig {
        defects,
        knobs,
        traffic: Some(log.clone()),
        idp: IdpConfig {
            issuer_path: run.issuer_path.clone(),
            defects: idp_defects,
            knobs: idp_knobs,
            preregistered,
            ..IdpConfig::default()
        },
        only_revision: Some(revision),
        ..ReferenceConfig::default()
    }
}

/// Runs the client once; returns its exit code (`None`: stopped) and the evidence.
async fn run_client(
    client: &ClientUnderTest,
    case: &Case,
    revision: Revision,
    mcp_url: &str,
    context: &serde_json::Value,
    timeout: Duration,
) -> (Option<i32>, ProcessEvidence) {
    match client {
        ClientUnderTest::Reference { defect, knobs } => {
            let launch = ClientLaunch {
                server_url: mcp_url.to_string(),
                revision,
                context: context.clone(),
                defects: defect.iter().copied().collect(),
                knobs: knobs.clone(),
                browser: BrowserMode::Fetch,
                browser_command: None,
                callback_timeout: timeout,
            };
            let evidence = |ended: String| ProcessEvidence {
                command: reference_command(defect.as_ref(), knobs),
                ended,
                stdout: String::new(),
                stderr: String::new(),
                truncated: false,
            };
            match tokio::time::timeout(timeout, run_reference_client(launch)).await {
                Ok(Ok(())) => (Some(0), evidence("exit status 0".into())),
                Ok(Err(why)) => (Some(1), evidence(format!("exit status 1: {why}"))),
                Err(_) => (
                    None,
                    evidence(format!(
                        "still running at the case time limit of {} s; stopped",
                        timeout.as_secs_f32()
                    )),
                ),
            }
        }
        ClientUnderTest::Command {
            command,
            browser_shim,
        } => {
            let mut env = vec![
                (
                    "MCP_CONFORMANCE_SCENARIO".to_string(),
                    case.file
                        .client
                        .as_ref()
                        .and_then(|c| c.scenario.clone())
                        .unwrap_or_default(),
                ),
                (
                    "MCP_CONFORMANCE_PROTOCOL_VERSION".to_string(),
                    revision.as_str().to_string(),
                ),
                ("MCP_CONFORMANCE_CONTEXT".to_string(), context.to_string()),
            ];
            if let Some(dir) = browser_shim {
                let path = std::env::var("PATH").unwrap_or_default();
                env.push(("PATH".into(), format!("{}:{path}", dir.display())));
                env.push(("BROWSER".into(), dir.join("xdg-open").display().to_string()));
            }
            let spec = RunSpec {
                command: command.clone(),
                args: vec![mcp_url.to_string()],
                env,
                timeout,
            };
            match run_to_end(&spec).await {
                Ok(outcome) => (outcome.exit_code, outcome.evidence),
                Err(e) => (
                    None,
                    ProcessEvidence {
                        command: command.clone(),
                        ended: format!("could not be started: {e}"),
                        stdout: String::new(),
                        stderr: String::new(),
                        truncated: false,
                    },
                ),
            }
        }
    }
}

/// How the in-process reference client is named in the evidence.
fn reference_command(defect: Option<&ClientDefect>, knobs: &BTreeSet<ClientKnob>) -> String {
    let mut command = "reference client (in-process)".to_string();
    if let Some(d) = defect {
        command.push_str(&format!(" with defect {d}"));
    }
    if !knobs.is_empty() {
        let names: Vec<&str> = knobs.iter().map(|k| k.name()).collect();
        command.push_str(&format!(" with knobs {}", names.join(", ")));
    }
    command
}
