//! The driver of MCP clients: for every case and revision, fresh mocks (the reference MCP
//! server and its IdP, with the case's knobs, both recording) and one run of the client
//! under test against them, bounded by the case time limit; the engine judges what the
//! client sent and how it ended. Cases run in parallel: each has its own ports.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::client_revision_probe::probe_revisions;
use super::driver::{
    keep_until_teardown, CaseTarget, ClientObserver, ClientRunSeen, Driver, Prepared, SetupFailure,
};
use super::kept_plain_runs::KeptPlainRuns;
use crate::actors::browser_shim::{browser_log_url, BROWSER_LOG_VAR};
use crate::actors::idp::{
    enterprise_id_token, enterprise_issuer_at, enterprise_token_endpoint, AssertionGrantConfig,
    Client, IdpConfig, MachineCredential,
};
use crate::actors::process::{run_until, RunSpec};
use crate::actors::reference::{start_reference_server, ReferenceConfig};
use crate::actors::reference_client::{run_reference_client, BrowserMode, ClientLaunch};
use crate::actors::tokens::{
    machine_client_jwk, random_id, unix_now, workload_issuer, MACHINE_CLIENT_ALGORITHM,
    MACHINE_CLIENT_KEY_PEM,
};
use crate::actors::traffic::TrafficLog;
use crate::logic::client_set_up::{AssertionGrant, ClientSetUp, MachineClient};
use crate::logic::client_verdict::quiet_after;
use crate::logic::observation::Observation;
use crate::logic::redaction::SecretValues;
use crate::logic::run_plan::RunPlan;
use crate::transport::BoxFuture;
use crate::vocab::launch_protocol::{CONTEXT_VAR, PROTOCOL_VERSION_VAR, SCENARIO_VAR};
use crate::vocab::oauth_urns::JWT_BEARER_GRANT;
use crate::vocab::{ClientDefect, ClientKnob, ProcessEvidence, Revision, Role, TargetDescription};

/// The pre-registered client a case may give the client under test.
const PREREGISTERED_ID: &str = "mcp-authspec-preregistered";
const PREREGISTERED_SECRET: &str = "mcp-authspec-preregistered-secret";
/// The machine client of the client credentials scenarios, and its secret.
const MACHINE_CLIENT_ID: &str = "mcp-authspec-machine-client";
const MACHINE_CLIENT_SECRET: &str = "mcp-authspec-machine-secret";
/// The enterprise-managed authorization scenario's client at the MCP authorization
/// server, its secret, and its client at the enterprise identity provider.
const ENTERPRISE_CLIENT_ID: &str = "mcp-authspec-enterprise-client";
const ENTERPRISE_CLIENT_SECRET: &str = "mcp-authspec-enterprise-secret";
const IDP_CLIENT_ID: &str = "mcp-authspec-idp-client";
/// The workload identity federation scenario's public client and its JWTs' issuer.
const WORKLOAD_CLIENT_ID: &str = "mcp-authspec-workload";
const WORKLOAD_ISSUER: &str = "https://workload-issuer.mcp-authspec.invalid";

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

/// The driver of a client target.
pub struct ClientDriver {
    pub client: ClientUnderTest,
    /// Marks the target as the suite's reference implementation in the report.
    pub reference: bool,
}

impl Driver for ClientDriver {
    fn describe(&self) -> TargetDescription {
        let location = match &self.client {
            ClientUnderTest::Reference { .. } => "the embedded reference client".to_string(),
            ClientUnderTest::Command { command, .. } => command.clone(),
        };
        TargetDescription {
            role: Role::Client,
            location,
            reference: self.reference,
            process: None,
        }
    }

    fn secrets(&self) -> SecretValues {
        // Handed to the client in `MCP_CONFORMANCE_CONTEXT`: a client that prints it
        // never sends it anywhere the exchanges would show.
        let mut secrets = SecretValues::default();
        secrets.add(PREREGISTERED_SECRET);
        secrets.add(MACHINE_CLIENT_SECRET);
        secrets.add(ENTERPRISE_CLIENT_SECRET);
        secrets.add(MACHINE_CLIENT_KEY_PEM);
        secrets
    }

    fn prepare<'a>(&'a self, plan: &'a RunPlan) -> BoxFuture<'a, Result<Prepared, SetupFailure>> {
        Box::pin(async move {
            // Revisions the client does not speak get one finding each, and their cases
            // do not run. Probes respect the cap: a client on a fixed callback port runs
            // alone. A probe's plain run is kept for the plain cases when runs are shared.
            let observer = Arc::new(KeptPlainRuns::new(
                self.client.clone(),
                plan.share_client_runs,
            ));
            let key = format!("{:?}", self.client);
            let findings = probe_revisions(observer.clone(), key, &plan.revisions, plan).await;
            Ok(Prepared {
                cases: CaseTarget::Observes(observer),
                findings,
                teardown: keep_until_teardown(()),
            })
        })
    }
}

impl ClientObserver for ClientUnderTest {
    fn observe<'a>(
        &'a self,
        set_up: &'a ClientSetUp,
        revision: Revision,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<ClientRunSeen, String>> {
        Box::pin(observe(set_up, revision, self, timeout))
    }
}

/// Starts the mocks of `set_up`, runs the client once against them, and keeps what they
/// recorded. `Err` only when the mocks cannot start. Reads nothing but the set-up, the
/// revision and the time limit: cases with equal set-ups may share the run.
pub(super) async fn observe(
    set_up: &ClientSetUp,
    revision: Revision,
    client: &ClientUnderTest,
    timeout: Duration,
) -> Result<ClientRunSeen, String> {
    let log = TrafficLog::default();
    let server = start_reference_server(mocks(set_up, &log, revision))
        .await
        .map_err(|e| format!("cannot start the mocks on 127.0.0.1: {e}"))?;
    let scenario = set_up.scenario.as_str();
    let context = launch_context(set_up, &server.issuer)?;
    let browser_log = browser_log_url(&server.issuer);
    let launch = Launch {
        scenario,
        revision,
        mcp_url: &server.mcp_url,
        context: &context,
        browser_log: &browser_log,
        timeout,
    };
    // A client that floods the mocks is stopped once the log's budget is spent: the
    // case cannot record more, and waiting for the time limit would only burn it.
    let over_budget = async {
        log.exceeded().await;
        log.over_budget()
            .unwrap_or_else(|| "over the recording budget".into())
    };
    let (exit_code, mut process) = run_client(client, &launch, over_budget).await;
    let quiet = log.quiet_for().is_none_or(|q| q >= quiet_after(timeout));
    process.notes = log.notes();
    let observation = Arc::new(Observation {
        exchanges: log.take(),
        mcp_url: server.mcp_url.clone(),
        exit_code,
        ended: process.ended.clone(),
    });
    Ok(ClientRunSeen {
        observation,
        process,
        quiet,
        issuer: server.issuer.clone(),
        token_endpoint: server.idp.token_endpoint(),
        over_budget: log.over_budget(),
    })
}

/// The mocks of a case: its server defects and knobs, its IdP knobs, recording. The
/// deployment gives its IdP every scope the server's knobs require or advertise. The MCP
/// server is a server of the revision under test only: a client that asks it which
/// versions it speaks learns that one.
fn mocks(set_up: &ClientSetUp, log: &TrafficLog, revision: Revision) -> ReferenceConfig {
    // Any loopback redirect URI (RFC 8252 §7.3): the client never learns a registered one.
    let mut preregistered: Vec<Client> = set_up
        .preregistered
        .iter()
        .map(|method| {
            let secret = method.has_secret().then(|| PREREGISTERED_SECRET.into());
            Client::preregistered(PREREGISTERED_ID, secret, method.name())
        })
        .collect();
    // The client credentials extension ("Overview"): the credentials are registered out
    // of band, before the client runs.
    preregistered.extend(set_up.machine_client.map(|machine| {
        let credential = match machine {
            MachineClient::PrivateKeyJwt => MachineCredential::Key(Box::new(machine_client_jwk())),
            MachineClient::ClientSecretBasic => {
                MachineCredential::Secret(MACHINE_CLIENT_SECRET.into())
            }
        };
        Client::machine(MACHINE_CLIENT_ID, credential)
    }));
    let assertion_grant = set_up.assertion_grant.map(|grant| {
        let jwt_bearer = vec![JWT_BEARER_GRANT.to_string()];
        match grant {
            AssertionGrant::EnterpriseManaged => {
                let mut client = Client::preregistered(
                    ENTERPRISE_CLIENT_ID,
                    Some(ENTERPRISE_CLIENT_SECRET.into()),
                    "client_secret_basic",
                );
                client.grant_types = jwt_bearer;
                preregistered.push(client);
                AssertionGrantConfig::Enterprise {
                    idp_client_id: IDP_CLIENT_ID.into(),
                    mcp_client_id: ENTERPRISE_CLIENT_ID.into(),
                }
            }
            AssertionGrant::Workload => {
                let mut client = Client::preregistered(WORKLOAD_CLIENT_ID, None, "none");
                client.grant_types = jwt_bearer;
                preregistered.push(client);
                AssertionGrantConfig::Workload {
                    issuer: WORKLOAD_ISSUER.into(),
                    client_id: WORKLOAD_CLIENT_ID.into(),
                }
            }
        }
    });
    ReferenceConfig {
        defects: set_up.server_defects.clone(),
        knobs: set_up.server_knobs.clone(),
        traffic: Some(log.clone()),
        idp: IdpConfig {
            issuer_path: set_up.issuer_path.clone(),
            defects: set_up.idp_defects.clone(),
            knobs: set_up.idp_knobs.clone(),
            preregistered,
            assertion_grant,
            // The DPoP extension's official scenarios: both mocks require proofs.
            dpop: set_up.dpop,
            ..IdpConfig::default()
        },
        only_revision: Some(revision),
        ..ReferenceConfig::default()
    }
}

/// `MCP_CONFORMANCE_CONTEXT` in the official schema (`{"name": <scenario>, …}`, the
/// conformance suite's `ClientConformanceContextSchema`): a pre-registered client is the
/// `auth/pre-registration` variant's `client_id`, `client_secret` and `issuer`; a machine
/// client the client credentials variants' `client_id` with `private_key_pem` and
/// `signing_algorithm`, or with `client_secret`. Nothing else: no verdict may depend on
/// a field the official schema does not have. A JWT the harness cannot sign for it is the
/// harness's error, never the client's.
fn launch_context(set_up: &ClientSetUp, issuer: &str) -> Result<serde_json::Value, String> {
    let unsigned = |e: String| format!("cannot sign the launch context's JWTs: {e}");
    let mut context = json!({ "name": set_up.scenario });
    match set_up.machine_client {
        Some(MachineClient::PrivateKeyJwt) => {
            context["client_id"] = json!(MACHINE_CLIENT_ID);
            context["private_key_pem"] = json!(MACHINE_CLIENT_KEY_PEM);
            context["signing_algorithm"] = json!(MACHINE_CLIENT_ALGORITHM);
        }
        Some(MachineClient::ClientSecretBasic) => {
            context["client_id"] = json!(MACHINE_CLIENT_ID);
            context["client_secret"] = json!(MACHINE_CLIENT_SECRET);
        }
        None => {}
    }
    // The enterprise-managed authorization variant: the client's credentials at the MCP
    // authorization server and what single sign-on left it with at the enterprise
    // identity provider; the workload variant: the workload's JWTs, a valid one and the
    // two the official scenario's broken clients send.
    let origin = url::Url::parse(issuer)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    match set_up.assertion_grant {
        Some(AssertionGrant::EnterpriseManaged) => {
            let idp = enterprise_issuer_at(&origin);
            context["client_id"] = json!(ENTERPRISE_CLIENT_ID);
            context["client_secret"] = json!(ENTERPRISE_CLIENT_SECRET);
            context["idp_client_id"] = json!(IDP_CLIENT_ID);
            context["idp_id_token"] =
                json!(enterprise_id_token(&origin, IDP_CLIENT_ID).map_err(unsigned)?);
            context["idp_issuer"] = json!(idp);
            context["idp_token_endpoint"] = json!(enterprise_token_endpoint(&idp));
        }
        Some(AssertionGrant::Workload) => {
            let workload_jwt = |aud: &str, lifetime: i64| {
                let now = unix_now();
                let claims = json!({
                    "iss": WORKLOAD_ISSUER,
                    "sub": "mcp-authspec-workload-identity",
                    "aud": aud,
                    "iat": now,
                    "exp": now + lifetime,
                    "jti": random_id(),
                });
                workload_issuer().sign(&claims, None).map_err(unsigned)
            };
            context["client_id"] = json!(WORKLOAD_CLIENT_ID);
            context["valid_jwt"] = json!(workload_jwt(issuer, 300)?);
            context["wrong_audience_jwt"] = json!(workload_jwt(
                "https://wrong-audience.mcp-authspec.invalid",
                300
            )?);
            context["expired_jwt"] = json!(workload_jwt(issuer, -60)?);
        }
        None => {}
    }
    if let Some(method) = set_up.preregistered {
        context["client_id"] = json!(PREREGISTERED_ID);
        if method.has_secret() {
            context["client_secret"] = json!(PREREGISTERED_SECRET);
        }
        context["issuer"] = json!(issuer);
    }
    Ok(context)
}

/// What one run of the client is given.
struct Launch<'a> {
    scenario: &'a str,
    revision: Revision,
    mcp_url: &'a str,
    context: &'a serde_json::Value,
    browser_log: &'a str,
    timeout: Duration,
}

/// Runs the client once, or until `stop` says why it must end early; returns its exit
/// code (`None`: stopped) and the evidence. The headless browser (the shim, or the
/// reference client's Fetch mode) reports every URL it is asked to open to
/// `browser_log`.
async fn run_client(
    client: &ClientUnderTest,
    launch: &Launch<'_>,
    stop: impl std::future::Future<Output = String>,
) -> (Option<i32>, ProcessEvidence) {
    let Launch {
        scenario,
        revision,
        mcp_url,
        context,
        browser_log,
        timeout,
    } = *launch;
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
                browser_log: Some(browser_log.to_string()),
                callback_timeout: timeout,
            };
            let evidence = |ended: String| ProcessEvidence {
                command: reference_command(defect.as_ref(), knobs),
                ended,
                stdout: String::new(),
                stderr: String::new(),
                truncated: false,
                notes: Vec::new(),
                outlived: Vec::new(),
            };
            let run = tokio::time::timeout(timeout, run_reference_client(launch));
            tokio::select! {
                ran = run => match ran {
                    Ok(Ok(())) => (Some(0), evidence("exit status 0".into())),
                    Ok(Err(why)) => (Some(1), evidence(format!("exit status 1: {why}"))),
                    Err(_) => (
                        None,
                        evidence(format!(
                            "still running at the case time limit of {} s; stopped",
                            timeout.as_secs_f32()
                        )),
                    ),
                },
                why = stop => (None, evidence(why)),
            }
        }
        ClientUnderTest::Command {
            command,
            browser_shim,
        } => {
            let mut env = vec![
                (SCENARIO_VAR.to_string(), scenario.to_string()),
                (
                    PROTOCOL_VERSION_VAR.to_string(),
                    revision.as_str().to_string(),
                ),
                (CONTEXT_VAR.to_string(), context.to_string()),
            ];
            if let Some(dir) = browser_shim {
                let path = std::env::var("PATH").unwrap_or_default();
                env.push(("PATH".into(), format!("{}:{path}", dir.display())));
                env.push(("BROWSER".into(), dir.join("xdg-open").display().to_string()));
                env.push((BROWSER_LOG_VAR.into(), browser_log.to_string()));
            }
            let spec = RunSpec {
                command: command.clone(),
                args: vec![mcp_url.to_string()],
                env,
                timeout,
            };
            match run_until(&spec, stop).await {
                Ok(outcome) => (outcome.exit_code, outcome.evidence),
                Err(e) => (
                    None,
                    ProcessEvidence {
                        command: command.clone(),
                        ended: format!("could not be started: {e}"),
                        stdout: String::new(),
                        stderr: String::new(),
                        truncated: false,
                        notes: Vec::new(),
                        outlived: Vec::new(),
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
