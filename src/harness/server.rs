//! `server --url` for `cargo test`: the cases against a server that is already running,
//! with the token the vendor gives, if any.

use std::sync::Arc;

use libtest_mimic::{Failed, Trial};
use tokio::sync::OnceCell;
use url::Url;

use super::applicability::missing_token;
use super::options::TrialOptions;
use super::runtime::block_on;
use super::trials::{judged, trials_for, TrialTarget};
use crate::actors::drivers::{check_reachable, ServerDriver};
use crate::actors::tokens::TokenSupply;
use crate::engine::{run, NoEvents};
use crate::transport::TransportLimits;
use crate::vocab::Role;

/// The CLI words in the token reasons, for the `cargo test` entry.
const TOKEN_FOOTER: &str = "from `cargo test`, `--token` is `TrialOptions::token`, and \
                            `server --command` is `harness::server_trials_with_command`";

/// One trial per server case, run against the MCP server at `url`, which must be running
/// when the trials run. A trial fails when a required (MUST) check fails, the harness
/// errs, or the case does not run (see [`TrialOptions::allow_skips`]); warnings are
/// printed, not failed. The token cases that `options.token` cannot serve (all of them
/// without a token; those needing tokens with chosen claims with one) are ignored, and
/// listed with the reason on stderr: [`server_trials_with_command`] runs them all.
///
/// [`server_trials_with_command`]: super::server_trials_with_command
pub fn server_trials(url: &str, options: &TrialOptions) -> Vec<Trial> {
    let tokens = Arc::new(TokenSupply::given(options.token.clone()));
    let parsed = Url::parse(url).map_err(|e| format!("bad server URL `{url}`: {e}"));
    // Probed once, by the first trial: an unreachable server then fails every trial at
    // once with one reason, instead of each after its own connection timeout.
    let reachable: Arc<OnceCell<Result<(), String>>> = Arc::default();
    let allow_skips = options.allow_skips;
    let target = TrialTarget {
        role: Role::Server,
        cannot_run: |case: &_| missing_token(&tokens, case),
        footer: Some(TOKEN_FOOTER),
    };
    let run_tokens = tokens.clone();
    trials_for(target, options, move |case, plan| {
        let url = parsed.clone().map_err(Failed::from)?;
        let (tokens, reachable) = (run_tokens.clone(), reachable.clone());
        block_on(async move {
            reachable
                .get_or_init(|| check_reachable(&url))
                .await
                .clone()
                .map_err(Failed::from)?;
            let driver = ServerDriver {
                url,
                limits: TransportLimits::default(),
                reference: false,
                tokens,
                fixtures: Default::default(),
                upstream_log: None,
            };
            let report = run(
                &driver,
                std::slice::from_ref(&case),
                &plan,
                Arc::new(NoEvents),
            )
            .await;
            judged(&report, allow_skips)
        })
    })
}
