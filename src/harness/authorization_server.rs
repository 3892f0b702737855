//! `authorization-server` for `cargo test`: the cases against an issuer, with the run's
//! client, resource and consent strategy.

use std::sync::Arc;

use libtest_mimic::{Failed, Trial};

use super::applicability::missing_variable;
use super::options::TrialOptions;
use super::runtime::block_on;
use super::trials::{judged, trials_for, TrialTarget};
use crate::engine::{AuthorizationServerSession, NoEvents, RunPlan};
use crate::logic::as_config::AsRunConfig;
use crate::transport::TransportLimits;
use crate::vocab::Role;

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
pub fn authorization_server_trials(
    issuer: &str,
    config: AsRunConfig,
    options: &TrialOptions,
) -> Vec<Trial> {
    let session = {
        let issuer = issuer.to_string();
        move |plan: RunPlan| AuthorizationServerSession {
            issuer: issuer.clone(),
            config: config.clone(),
            plan,
            limits: TransportLimits::default(),
            reference: false,
        }
    };
    let setup = block_on(session(RunPlan::default()).unavailable_variables());
    let unavailable = setup.clone().unwrap_or_default();
    let allow_skips = options.allow_skips;
    let target = TrialTarget {
        role: Role::AuthorizationServer,
        cannot_run: |case: &_| missing_variable(&unavailable, case),
        footer: None,
    };
    trials_for(target, options, move |case, plan| {
        if let Err(reason) = &setup {
            return Err(Failed::from(reason));
        }
        let report = block_on(session(plan).run(std::slice::from_ref(&case), Arc::new(NoEvents)));
        judged(&report, allow_skips)
    })
}
