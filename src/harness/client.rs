//! `client --command` for `cargo test`: each case starts the vendor's client against
//! fresh mocks.

use std::sync::Arc;

use libtest_mimic::Trial;

use super::options::TrialOptions;
use super::runtime::block_on;
use super::trials::{every_case_can_run, judged, trials_for, TrialTarget};
use crate::actors::drivers::{ClientDriver, ClientUnderTest};
use crate::engine::{run, NoEvents};
use crate::vocab::Role;

/// One trial per client case: the client is started with `command` (the conformance
/// launch protocol: server URL last, `MCP_CONFORMANCE_*` set) against fresh mocks. No
/// browser shim is installed here; clients that open a browser need the CLI's. A trial
/// fails when a MUST check fails, the harness errs, or the case does not run (see
/// [`TrialOptions::allow_skips`]).
pub fn client_trials(command: &str, options: &TrialOptions) -> Vec<Trial> {
    let command = command.to_string();
    let allow_skips = options.allow_skips;
    let target = TrialTarget {
        role: Role::Client,
        cannot_run: every_case_can_run,
        footer: None,
    };
    trials_for(target, options, move |case, plan| {
        let driver = ClientDriver {
            client: ClientUnderTest::Command {
                command: command.clone(),
                browser_shim: None,
            },
            reference: false,
        };
        let report = block_on(run(
            &driver,
            std::slice::from_ref(&case),
            &plan,
            Arc::new(NoEvents),
        ));
        judged(&report, allow_skips)
    })
}
