//! Conformant servers that made a different, allowed choice must pass. Each fixture is
//! the reference server with one conformant variation (a `ServerKnob`); every server
//! case runs against it for 2025-06-18, 2025-11-25 and 2026-07-28 and nothing may fail,
//! warn or err. Each variation was once failed unfairly by the suite (findings of the
//! interop run against the TypeScript and Python SDKs).
//!
//! The opposite proof sits beside them: a server that accepts a token for another
//! audience fails at MUST level in every revision that requires audience validation,
//! also when it enforces the 2026-07-28 request fields (a malformed request's 400 must
//! never pass for a refusal).

use std::sync::Arc;
use std::time::Duration;

use mcp_authspec::actors::drivers::{reference_tokens, ServerDriver};
use mcp_authspec::actors::reference::{start_reference_server, ReferenceConfig};
use mcp_authspec::engine::NoEvents;
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::transport::TransportLimits;
use mcp_authspec::vocab::{Outcome, Profile, Revision, RunReport, ServerDefect, ServerKnob};

const REVISIONS: [Revision; 3] = [
    Revision::R2025_06_18,
    Revision::R2025_11_25,
    Revision::R2026_07_28,
];

async fn run(config: ReferenceConfig, profile: Profile) -> RunReport {
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .unwrap()
        .into_iter()
        .filter(|c| c.id().starts_with("server/"))
        .collect();
    let server = start_reference_server(config).await.unwrap();
    let plan = RunPlan {
        revisions: REVISIONS.to_vec(),
        profile,
        case_timeout: Duration::from_secs(20),
        ..RunPlan::default()
    };
    let session = ServerDriver {
        url: server.mcp_url.parse().unwrap(),
        limits: TransportLimits::default(),
        reference: false,
        tokens: Arc::new(reference_tokens(&server)),
        fixtures: Default::default(),
        upstream_log: None,
    };
    mcp_authspec::engine::run(&session, &cases, &plan, Arc::new(NoEvents)).await
}

fn with_knob(knob: ServerKnob) -> ReferenceConfig {
    let mut config = ReferenceConfig::default();
    config.knobs.insert(knob);
    config
}

/// Every case that did not pass, skip or report information.
fn unfair(report: &RunReport) -> Vec<String> {
    report
        .cases
        .iter()
        .filter(|c| !matches!(c.outcome, Outcome::Pass | Outcome::Skip | Outcome::Info))
        .map(|c| format!("{} [{}] {}: {:?}", c.id, c.revision, c.outcome, c.reason))
        .collect()
}

async fn passes(config: ReferenceConfig) {
    let report = run(config, Profile::Strict).await;
    assert!(report.cases.len() > 100, "{}", report.cases.len());
    let bad = unfair(&report);
    assert!(bad.is_empty(), "{bad:#?}");
    // The token cases really ran: none of them was skipped.
    let skipped: Vec<_> = report
        .cases
        .iter()
        .filter(|c| c.id.starts_with("server/token/") && c.outcome == Outcome::Skip)
        .map(|c| format!("{} [{}]: {:?}", c.id, c.revision, c.reason))
        .collect();
    assert!(skipped.is_empty(), "{skipped:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_answering_with_a_priming_event_passes() {
    passes(with_knob(ServerKnob::SsePriming)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_enforcing_the_2026_request_fields_passes() {
    passes(with_knob(ServerKnob::EnforcesRequestFields)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_its_metadata_only_at_a_custom_url_passes() {
    passes(with_knob(ServerKnob::PrmCustomLocation)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_no_tools_passes() {
    passes(with_knob(ServerKnob::NoTools)).await;
}

/// RFC 9728 §3.3 read strictly wants the resource of header-advertised metadata to equal
/// the URL requested; the lenient profile (requirements Appendix A-2) takes the origin.
/// So in the strict profile only the exact-match cases may fail, and on the comparison,
/// not on a metadata URL the server never named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_resource_is_its_origin_passes_the_lenient_profile() {
    let report = run(with_knob(ServerKnob::ResourceIsOrigin), Profile::Lenient).await;
    let bad = unfair(&report);
    assert!(bad.is_empty(), "{bad:#?}");

    let strict = run(with_knob(ServerKnob::ResourceIsOrigin), Profile::Strict).await;
    let bad: Vec<_> = strict
        .cases
        .iter()
        .filter(|c| !matches!(c.outcome, Outcome::Pass | Outcome::Skip | Outcome::Info))
        .collect();
    assert!(!bad.is_empty());
    // The two exact-match cases: the metadata found by a client, and the one the
    // challenge names.
    let exact = [
        "server/prm/resource-matches-url",
        "server/prm/advertised-resource-matches-url",
    ];
    for c in bad {
        assert!(exact.contains(&c.id.as_str()), "{c:?}");
        let reason = c.reason.as_deref().unwrap_or_default();
        assert!(reason.contains("/resource"), "{reason}");
        assert!(!reason.contains("404"), "{reason}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_another_audience_fails_in_every_revision_even_with_strict_requests() {
    for knob in [None, Some(ServerKnob::EnforcesRequestFields)] {
        let mut config = ReferenceConfig::with_defect(ServerDefect::SkipsAudienceCheck);
        config.knobs.extend(knob);
        let report = run(config, Profile::Strict).await;
        for revision in REVISIONS {
            let case = report
                .cases
                .iter()
                .find(|c| c.id == "server/token/other-audience-refused" && c.revision == revision)
                .unwrap_or_else(|| panic!("no run for {revision}"));
            assert_eq!(case.outcome, Outcome::Fail, "{knob:?} {revision}: {case:?}");
        }
    }
}

/// A server of the 2025-11-25 era run for 2026-07-28: one `unsupported` finding for that
/// revision, no case of it judged, the other revisions judged as usual, exit code 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revision_the_server_does_not_implement_is_one_unsupported_finding() {
    let report = run(
        with_knob(ServerKnob::ImplementsUpTo2025_11_25),
        Profile::Strict,
    )
    .await;
    let newest: Vec<_> = report
        .cases
        .iter()
        .filter(|c| c.revision == Revision::R2026_07_28)
        .collect();
    assert_eq!(newest.len(), 1, "{newest:#?}");
    assert_eq!(newest[0].outcome, Outcome::Unsupported);
    assert_eq!(newest[0].id, "server/revision/implemented");
    let reason = newest[0].reason.as_deref().unwrap_or_default();
    assert!(reason.contains("No valid session ID"), "{reason}");
    assert!(!newest[0].exchanges.is_empty());
    assert_eq!(report.summary.unsupported, 1);
    let judged: Vec<_> = unfair(&report)
        .into_iter()
        .filter(|c| !c.starts_with("server/revision/implemented [2026-07-28] unsupported"))
        .collect();
    assert!(judged.is_empty(), "{judged:#?}");
    assert_eq!(report.exit_code, 0);
}
