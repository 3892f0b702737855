//! `authorization-server` for `cargo test`: the cases against an issuer, with the run's
//! client, resource and consent strategy.

use std::sync::{Arc, OnceLock};

use libtest_mimic::{Failed, Trial};

use super::applicability::missing_variable;
use super::options::TrialOptions;
use super::runtime::block_on;
use super::trials::{judged, trials_for, TrialTarget};
use crate::actors::drivers::AuthorizationServerDriver;
use crate::engine::{run, NoEvents};
use crate::input::load_cases;
use crate::logic::as_config::AsRunConfig;
use crate::logic::run_plan::RunPlan;
use crate::transport::TransportLimits;
use crate::vocab::{Revision, Role, RunReport};

/// One trial per authorization-server case, against `issuer` (kept exactly as given),
/// with the run's config (`mcp_authspec::logic::as_config`; `parse_as_config` reads an
/// `as.toml`).
///
/// Building the trials sets the run up once, as the CLI does (reads the metadata; registers
/// a client through RFC 7591 when the config names none), to learn what the run cannot
/// do: the cases that read a variable it could not set (e.g. `{client_id}` when there is
/// neither a configured client nor registration) are ignored and listed with the reason
/// on stderr. An issuer that cannot be reached fails every trial with the reason. A
/// trial fails when a MUST check fails, the harness errs, or the case does not run (see
/// [`TrialOptions::allow_skips`]).
///
/// The cases run as one session, started by the first trial and shared by all: a run's
/// set-up registers a client and walks a flow, and servers rate-limit registration (the
/// TypeScript SDK allows 20 an hour per address), so one set-up per trial would trip
/// the limit that one run stays well under.
pub fn authorization_server_trials(
    issuer: &str,
    config: AsRunConfig,
    options: &TrialOptions,
) -> Vec<Trial> {
    let driver = Arc::new(AuthorizationServerDriver {
        issuer: issuer.to_string(),
        config,
        limits: TransportLimits::default(),
        reference: false,
    });
    let setup = block_on(driver.unavailable_variables());
    let unavailable = setup.clone().unwrap_or_default();
    let allow_skips = options.allow_skips;
    let target = TrialTarget {
        role: Role::AuthorizationServer,
        cannot_run: |case: &_| missing_variable(&unavailable, case),
        footer: None,
    };
    let cases: Vec<_> = load_cases(&options.source)
        .map(|cs| {
            cs.into_iter()
                .filter(|c| c.role == Role::AuthorizationServer)
                .collect()
        })
        .unwrap_or_default();
    let whole = RunPlan {
        revisions: options
            .revisions
            .clone()
            .unwrap_or_else(|| Revision::ALL.to_vec()),
        profile: options.profile,
        case_timeout: options.case_timeout,
        ..RunPlan::default()
    };
    let shared: Arc<OnceLock<RunReport>> = Arc::new(OnceLock::new());
    trials_for(target, options, move |case, plan| {
        if let Err(reason) = &setup {
            return Err(Failed::from(reason));
        }
        let run = shared
            .get_or_init(|| block_on(run(driver.as_ref(), &cases, &whole, Arc::new(NoEvents))));
        judged(&of_case(run, case.id(), &plan), allow_skips)
    })
}

/// The part of the shared run's report about one case and the trial's revisions.
fn of_case(run: &RunReport, id: &str, plan: &RunPlan) -> RunReport {
    let cases = run
        .cases
        .iter()
        .filter(|c| c.id == id && plan.revisions.contains(&c.revision))
        .cloned()
        .collect();
    RunReport::assemble(
        run.targets.clone(),
        plan.revisions.clone(),
        run.profile,
        run.started_at.clone(),
        run.duration_ms,
        run.error.clone(),
        cases,
    )
}
