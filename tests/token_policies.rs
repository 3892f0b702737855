//! Verdict policies of the token cases that a single defect trial cannot show: the 403
//! tolerated for a foreign audience (requirements Appendix A-17), and a server that
//! validates by introspection instead of the JWKS.

use std::sync::Arc;
use std::time::Duration;

use mcp_authspec::actors::drivers::{reference_tokens, ServerDriver};
use mcp_authspec::actors::reference::{start_reference_server, ReferenceConfig, ValidationMode};
use mcp_authspec::engine::NoEvents;
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::case::Case;
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::transport::TransportLimits;
use mcp_authspec::vocab::{Outcome, Revision, RunReport, ServerDefect};

async fn run(config: ReferenceConfig, only: impl Fn(&Case) -> bool) -> RunReport {
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .unwrap()
        .into_iter()
        .filter(|c| only(c))
        .collect();
    let server = start_reference_server(config).await.unwrap();
    let plan = RunPlan {
        revisions: Revision::ALL.to_vec(),
        case_timeout: Duration::from_secs(20),
        ..RunPlan::default()
    };
    let session = ServerDriver {
        url: server.mcp_url.parse().unwrap(),
        limits: TransportLimits::default(),
        reference: true,
        tokens: Arc::new(reference_tokens(&server)),
        fixtures: Default::default(),
        upstream_log: None,
    };
    mcp_authspec::engine::run(&session, &cases, &plan, Arc::new(NoEvents)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_for_a_foreign_audience_is_a_warning_not_a_failure() {
    let audience_cases = |c: &Case| c.id().ends_with("audience-refused");
    let report = run(
        ReferenceConfig::with_defect(ServerDefect::WrongAudienceForbidden),
        audience_cases,
    )
    .await;
    assert!(report.cases.len() >= 6, "{}", report.cases.len());
    for c in &report.cases {
        assert_eq!(
            c.outcome,
            Outcome::Warn,
            "{} [{}]: {:?}",
            c.id,
            c.revision,
            c.reason
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_validating_by_introspection_passes_the_token_cases() {
    let config = ReferenceConfig {
        validation: ValidationMode::Introspection,
        ..ReferenceConfig::default()
    };
    let report = run(config, |c| c.id().starts_with("server/token/")).await;
    assert!(report.cases.len() > 60);
    let not_passed: Vec<_> = report
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| format!("{} [{}] {}: {:?}", c.id, c.revision, c.outcome, c.reason))
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
}
