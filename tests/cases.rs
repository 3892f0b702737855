//! `cargo test --test cases`: every case against the reference server (must pass) and
//! against its named defect (must fail at the case's level), and the lints every case
//! file is held to.

use libtest_mimic::{Failed, Trial};
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::case_body::CaseBody;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let mut trials = mcp_authspec::harness::self_test_trials(&CaseSource::Builtin);
    trials.push(Trial::test(
        "lint::no-step-judged-by-absence-alone",
        no_step_judged_by_absence_alone,
    ));
    libtest_mimic::run(&args, trials).exit();
}

/// Steps whose every expectation is an absence or a negation and that have nothing
/// else to show that the answer was of the kind the checks are about, each with the
/// reason that makes that fair.
const ABSENCE_ONLY_ALLOWED: &[(&str, &str)] = &[];

/// DESIGN "Fairness rules": an absence or refusal check passes only when the step it is
/// about was reached with a well-formed answer. A step whose expectations all hold on a
/// missing value (`absent`, `not …`, `not_contains`, `not_equals`) passes on an answer
/// that says nothing (a redirect, a 404, an error page) unless a `control`, a positive
/// `when`, or a positive expectation on the same step proves the answer was the one the
/// checks judge. (An answer that is no valid HTTP fails every check anyway, in the engine.)
///
/// One form is fair by construction and not listed one by one: a refusal judged after a
/// positive control in an earlier step of the same case (DESIGN: "a refusal is judged only
/// after a positive control … in the same case"). The control shows the target grants the
/// valid variant of the request; the refusal step then judges exactly that the altered
/// request is not granted (no code, no 2xx, no result), which any valid HTTP answer
/// without the grant shows.
fn no_step_judged_by_absence_alone() -> Result<(), Failed> {
    let cases = load_cases(&CaseSource::Builtin).map_err(|e| Failed::from(e.to_string()))?;
    let mut found = Vec::new();
    let mut allowed_seen = Vec::new();
    for case in &cases {
        let CaseBody::Steps(steps) = &case.body else {
            continue;
        };
        let mut controlled_before = false;
        for (i, step) in steps.iter().enumerate() {
            let negative_only =
                !step.expect.is_empty() && step.expect.iter().all(|e| e.is.accepts_absence());
            let proved =
                !step.control.is_empty() || step.when.iter().any(|e| !e.is.accepts_absence());
            let refusal_after_control = controlled_before;
            controlled_before |= !step.control.is_empty();
            if !negative_only || proved || refusal_after_control {
                continue;
            }
            let at = format!("{} {}", case.id(), step.label(i));
            match ABSENCE_ONLY_ALLOWED.iter().find(|(a, _)| *a == at) {
                Some(_) => allowed_seen.push(at),
                None => found.push(at),
            }
        }
    }
    let stale: Vec<&str> = ABSENCE_ONLY_ALLOWED
        .iter()
        .map(|(a, _)| *a)
        .filter(|a| !allowed_seen.iter().any(|s| s == a))
        .collect();
    if found.is_empty() && stale.is_empty() {
        return Ok(());
    }
    Err(format!(
        "steps judged by absence or negation checks alone (add a control, a positive `when` or a \
         positive expectation to the step, or allow it with a reason):\n  {}\n\
         allow-list entries that match no such step:\n  {}",
        found.join("\n  "),
        stale.join("\n  ")
    )
    .into())
}
