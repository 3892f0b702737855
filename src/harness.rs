//! The `cargo test` entry (libtest-mimic): one trial per case. The suite's own tests use
//! it to prove every case passes against the reference implementation and fails against
//! its named defect; vendors use [`server_trials`] to run the cases against their server
//! from their own `tests/` file.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libtest_mimic::{Failed, Trial};

use crate::actors::idp::{start_idp, IdpConfig, DEFAULT_SCOPE};
use crate::actors::reference::ReferenceServer;
use crate::actors::reference::{start_reference_server, ReferenceConfig};
use crate::engine::{
    AuthorizationServerSession, ClientSession, ClientUnderTest, NoEvents, RunPlan, ServerSession,
    TokenSupply,
};
use crate::input::{load_cases, CaseSource};
use crate::logic::as_config::AsRunConfig;
use crate::logic::case::{Case, DefectRef};
use crate::logic::case_model::Profile;
use crate::outputs::render_console;
use crate::transport::{BoxFuture, TransportLimits};
use crate::vocab::{Outcome, Revision, Role, RunReport};

/// Which cases to run and how.
#[derive(Debug, Clone)]
pub struct TrialOptions {
    /// `None`: every revision each case applies to.
    pub revisions: Option<Vec<Revision>>,
    pub profile: Profile,
    pub case_timeout: Duration,
    pub source: CaseSource,
    /// A valid access token for the server (`--token`): enables the token cases that
    /// need no minting.
    pub token: Option<String>,
}

impl Default for TrialOptions {
    fn default() -> Self {
        TrialOptions {
            revisions: Some(vec![Revision::LATEST]),
            profile: Profile::Strict,
            case_timeout: Duration::from_secs(30),
            source: CaseSource::Builtin,
            token: None,
        }
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime for the test harness")
    })
}

/// Runs one case against a server for the given revisions.
async fn run_one(
    case: &Arc<Case>,
    url: &str,
    plan: RunPlan,
    tokens: Arc<TokenSupply>,
) -> Result<RunReport, Failed> {
    let url =
        url::Url::parse(url).map_err(|e| Failed::from(format!("bad server URL `{url}`: {e}")))?;
    let session = ServerSession {
        url,
        plan,
        limits: TransportLimits::default(),
        reference: false,
        tokens,
    };
    Ok(session
        .run(std::slice::from_ref(case), Arc::new(NoEvents))
        .await)
}

fn profile_for(case: &Case, wanted: Profile) -> Profile {
    if case.file.profiles.is_empty() || case.file.profiles.contains(&wanted) {
        wanted
    } else {
        case.file.profiles[0]
    }
}

/// One trial per case of `role`, each run by `run` for the revisions the options pick.
fn trials_for<F>(role: Role, options: &TrialOptions, run: F) -> Vec<Trial>
where
    F: Fn(Arc<Case>, RunPlan) -> BoxFuture<'static, Result<RunReport, Failed>>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let cases = match load_cases(&options.source) {
        Ok(c) => c,
        Err(e) => {
            let message = e.to_string();
            return vec![Trial::test("case-files", move || Err(message.into()))];
        }
    };
    cases
        .into_iter()
        .filter(|c| c.role == role)
        .filter_map(|case| {
            let revisions: Vec<Revision> = match &options.revisions {
                Some(rs) => rs
                    .iter()
                    .copied()
                    .filter(|r| case.file.revisions.contains(r))
                    .collect(),
                None => case.file.revisions.clone(),
            };
            if revisions.is_empty() || !case.applies_to(revisions[0], options.profile) {
                return None;
            }
            let plan = RunPlan {
                revisions,
                profile: options.profile,
                concurrency: 4,
                case_timeout: options.case_timeout,
            };
            let run = run.clone();
            Some(Trial::test(case.test_name(), move || {
                let report = runtime().block_on(run(case, plan))?;
                judge_required(&report)
            }))
        })
        .collect()
}

/// One trial per server case, run against the MCP server at `url`. A trial fails when a
/// required (MUST) check fails or the harness errs; warnings are printed, not failed.
pub fn server_trials(url: &str, options: &TrialOptions) -> Vec<Trial> {
    let url = url.to_string();
    let tokens = Arc::new(TokenSupply::given(options.token.clone()));
    trials_for(Role::Server, options, move |case, plan| {
        let (url, tokens) = (url.clone(), tokens.clone());
        Box::pin(async move { run_one(&case, &url, plan, tokens).await })
    })
}

/// One trial per client case: the client is started with `command` (the conformance
/// launch protocol: server URL last, `MCP_CONFORMANCE_*` set) against fresh mocks. No
/// browser shim is installed here; clients that open a browser need the CLI's.
pub fn client_trials(command: &str, options: &TrialOptions) -> Vec<Trial> {
    let command = command.to_string();
    trials_for(Role::Client, options, move |case, plan| {
        let session = ClientSession {
            client: ClientUnderTest::Command {
                command: command.clone(),
                browser_shim: None,
            },
            plan,
            reference: false,
        };
        Box::pin(async move {
            Ok(session
                .run(std::slice::from_ref(&case), Arc::new(NoEvents))
                .await)
        })
    })
}

/// One trial per authorization-server case, against the issuer, with the run's config
/// (client, resource, consent strategy).
pub fn authorization_server_trials(
    issuer: &str,
    config: AsRunConfig,
    options: &TrialOptions,
) -> Vec<Trial> {
    // A bad issuer ends each trial as a harness error naming it (see the session).
    let issuer = issuer.to_string();
    trials_for(Role::AuthorizationServer, options, move |case, plan| {
        let session = AuthorizationServerSession {
            issuer: issuer.clone(),
            config: config.clone(),
            plan,
            limits: TransportLimits::default(),
            reference: false,
        };
        Box::pin(async move {
            Ok(session
                .run(std::slice::from_ref(&case), Arc::new(NoEvents))
                .await)
        })
    })
}

fn judge_required(report: &RunReport) -> Result<(), Failed> {
    if report.exit_code == 0 {
        let notes: Vec<String> = report
            .cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Warn | Outcome::Info))
            .map(|c| {
                format!(
                    "{} [{}] {}: {}",
                    c.outcome,
                    c.revision,
                    c.id,
                    c.reason.clone().unwrap_or_default()
                )
            })
            .collect();
        if !notes.is_empty() {
            eprintln!("{}", notes.join("\n"));
        }
        return Ok(());
    }
    Err(render_console(report, false).into())
}

/// The suite's self-test: for every case, one trial against the conformant reference
/// server (every revision must pass) and one against the reference server with the
/// case's defect (every revision must yield the level's violation: fail for MUST, warn
/// for SHOULD, info for MAY).
pub fn self_test_trials(source: &CaseSource) -> Vec<Trial> {
    let cases = match load_cases(source) {
        Ok(c) => c,
        Err(e) => {
            let message = e.to_string();
            return vec![Trial::test("case-files", move || Err(message.into()))];
        }
    };
    let mut trials = Vec::new();
    for case in cases {
        let c = case.clone();
        trials.push(Trial::test(case.test_name(), move || {
            reference_trial(&c, None, |o| o == Outcome::Pass, "pass")
        }));
        let c = case.clone();
        let defect = case.defect;
        let expected = case.file.level.violation();
        trials.push(Trial::test(
            format!("{}::fails-with::{}", case.test_name(), defect.name()),
            move || reference_trial(&c, Some(defect), |o| o == expected, expected.as_str()),
        ));
    }
    trials
}

/// Runs the case, every revision, against the reference implementation of its role,
/// conformant or with the defect.
async fn run_against_reference(
    case: &Arc<Case>,
    defect: Option<DefectRef>,
) -> Result<RunReport, Failed> {
    let plan = RunPlan {
        revisions: case.file.revisions.clone(),
        profile: profile_for(case, Profile::Strict),
        concurrency: 4,
        case_timeout: Duration::from_secs(30),
    };
    match defect {
        Some(DefectRef::Client(_)) | None if case.role == Role::Client => {
            let defect = match defect {
                Some(DefectRef::Client(d)) => Some(d),
                _ => None,
            };
            let session = ClientSession {
                client: ClientUnderTest::Reference { defect },
                plan,
                reference: true,
            };
            Ok(session
                .run(std::slice::from_ref(case), Arc::new(NoEvents))
                .await)
        }
        Some(DefectRef::Idp(_)) | None if case.role == Role::AuthorizationServer => {
            let config = match defect {
                Some(DefectRef::Idp(d)) => IdpConfig::with_defects([d]),
                _ => IdpConfig::default(),
            };
            let idp = start_idp(config)
                .await
                .map_err(|e| Failed::from(format!("cannot start the mock IdP: {e}")))?;
            let session = AuthorizationServerSession {
                issuer: idp.issuer.clone(),
                config: AsRunConfig::default(),
                plan,
                limits: TransportLimits::default(),
                reference: true,
            };
            Ok(session
                .run(std::slice::from_ref(case), Arc::new(NoEvents))
                .await)
        }
        Some(DefectRef::Server(_)) | None => {
            let config = match defect {
                Some(DefectRef::Server(d)) => ReferenceConfig::with_defect(d),
                _ => ReferenceConfig::default(),
            };
            let server = start_reference_server(config)
                .await
                .map_err(|e| Failed::from(format!("cannot start the reference server: {e}")))?;
            let tokens = Arc::new(reference_tokens(&server));
            run_one(case, &server.mcp_url, plan, tokens).await
        }
        Some(other) => Err(format!(
            "{} names `{}`, a defect of another role's reference",
            case.id(),
            other.name()
        )
        .into()),
    }
}

fn reference_trial(
    case: &Arc<Case>,
    defect: Option<DefectRef>,
    accept: impl Fn(Outcome) -> bool,
    wanted: &str,
) -> Result<(), Failed> {
    runtime().block_on(async {
        let report = run_against_reference(case, defect).await?;
        if report.cases.len() != case.file.revisions.len() {
            return Err(format!(
                "expected {} runs (one per revision), got {}:\n{}",
                case.file.revisions.len(),
                report.cases.len(),
                render_console(&report, false)
            )
            .into());
        }
        match report.cases.iter().find(|c| !accept(c.outcome)) {
            None => Ok(()),
            Some(bad) => Err(format!(
                "expected every revision to {wanted}, but {} gave {}:\n{}",
                bad.revision,
                bad.outcome,
                render_console(&report, false)
            )
            .into()),
        }
    })
}

/// Tokens for a run against the reference deployment: minted by its IdP.
pub fn reference_tokens(server: &ReferenceServer) -> TokenSupply {
    TokenSupply::minted(server.minter(), DEFAULT_SCOPE)
}
