//! Conformant clients that made a different, allowed choice must pass. Each fixture is
//! the reference client with one conformant variation (a `ClientKnob`); every client case
//! runs against it in every revision and nothing may fail, warn or err. Each variation is
//! one a real client makes and the suite once failed unfairly (findings of the interop run
//! against the official everything client, the TypeScript and Python SDKs and rmcp).
//!
//! The opposite proof sits beside them: a client that registers an extra non-loopback
//! http redirect URI fails the redirect URI case in every revision, although it never uses
//! that URI.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

mod common;

use common::client_cases;
use mcp_authspec::actors::drivers::{ClientDriver, ClientUnderTest};
use mcp_authspec::engine::NoEvents;
use mcp_authspec::logic::case::Case;
use mcp_authspec::logic::run_plan::RunPlan;
use mcp_authspec::vocab::{ClientDefect, ClientKnob, Outcome, Revision, RunReport};

async fn run(defect: Option<ClientDefect>, knobs: &[ClientKnob], cases: &[Arc<Case>]) -> RunReport {
    let plan = RunPlan {
        revisions: Revision::ALL.to_vec(),
        case_timeout: Duration::from_secs(20),
        concurrency: 4,
        ..RunPlan::default()
    };
    let session = ClientDriver {
        client: ClientUnderTest::Reference {
            defect,
            knobs: knobs.iter().copied().collect::<BTreeSet<_>>(),
        },
        reference: false,
    };
    mcp_authspec::engine::run(&session, cases, &plan, Arc::new(NoEvents)).await
}

/// Every run that did not pass or skip.
fn unfair(report: &RunReport) -> Vec<String> {
    report
        .cases
        .iter()
        .filter(|c| !matches!(c.outcome, Outcome::Pass | Outcome::Skip))
        .map(|c| format!("{} [{}] {}: {:?}", c.id, c.revision, c.outcome, c.reason))
        .collect()
}

fn outcome(report: &RunReport, id: &str, revision: Revision) -> &'static str {
    report
        .cases
        .iter()
        .find(|c| c.id == id && c.revision == revision)
        .map(|c| c.outcome.as_str())
        .unwrap_or("not run")
}

async fn passes(knob: ClientKnob) -> RunReport {
    let cases = client_cases();
    let report = run(None, &[knob], &cases).await;
    assert!(report.cases.len() > 100, "{}", report.cases.len());
    let bad = unfair(&report);
    assert!(bad.is_empty(), "{knob}: {bad:#?}");
    report
}

/// MCP 2025-11-25 prefers client ID metadata documents to registering: the mock AS
/// fetches the client's document from its loopback port and verifies it, and the cases
/// that judge a registration skip, saying why; the others pass as for a registering client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_id_metadata_document_client_passes() {
    let report = passes(ClientKnob::CimdFirst).await;
    for revision in [Revision::R2025_11_25, Revision::R2026_07_28] {
        let c = report
            .cases
            .iter()
            .find(|c| c.id == "client/registration/dcr-request-shape" && c.revision == revision)
            .unwrap();
        assert_eq!(c.outcome, Outcome::Skip, "{c:?}");
        let reason = c.reason.as_deref().unwrap_or_default();
        assert!(reason.contains("client ID metadata document"), "{reason}");
        // It really used the document: no registration, a URL client_id everywhere.
        assert!(!c.exchanges.iter().any(|e| e.url.ends_with("/register")));
        let authorize = c
            .exchanges
            .iter()
            .find(|e| e.url.contains("/authorize?"))
            .expect("an authorization request");
        assert!(
            authorize
                .url
                .contains("client_id=http%3A%2F%2F127.0.0.1%3A"),
            "{}",
            authorize.url
        );
        assert_eq!(
            outcome(&report, "client/registration/token-auth-none", revision),
            "pass"
        );
    }
    // Before 2025-11-25 there are no such documents: it registers, and is judged on that.
    for revision in [Revision::R2025_03_26, Revision::R2025_06_18] {
        let id = "client/registration/dcr-request-shape";
        assert_eq!(outcome(&report, id, revision), "pass");
    }
}

/// RFC 7591 §2: without token_endpoint_auth_method the client is registered for
/// client_secret_basic; one that uses the issued secret as the response says is
/// conformant (the official everything client registers this way).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_without_an_auth_method_passes() {
    let report = passes(ClientKnob::DcrDefaultAuthMethod).await;
    let id = "client/registration/dcr-request-shape";
    assert_eq!(outcome(&report, id, Revision::R2025_06_18), "pass");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_application_type_passes() {
    let report = passes(ClientKnob::WebApplicationType).await;
    let id = "client/registration/application-type";
    assert_eq!(outcome(&report, id, Revision::R2026_07_28), "pass");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_localhost_redirect_uri_passes() {
    let report = passes(ClientKnob::LocalhostRedirect).await;
    // The pre-registered client (any loopback form) and registered ones (exact) alike.
    for id in [
        "client/registration/pre-registered-first",
        "client/registration/token-auth-basic",
        "client/registration/token-auth-post",
        "client/authorization/loopback-or-https-redirect",
    ] {
        assert_eq!(outcome(&report, id, Revision::R2026_07_28), "pass", "{id}");
    }
}

/// The extra URI is never used, and the mock AS refuses to register it, but registering
/// it at all breaks the rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extra_insecure_redirect_uri_fails_in_every_revision() {
    let cases: Vec<_> = client_cases()
        .into_iter()
        .filter(|c| c.id() == "client/authorization/loopback-or-https-redirect")
        .collect();
    assert_eq!(cases.len(), 1);
    let report = run(Some(ClientDefect::ExtraInsecureRedirectUri), &[], &cases).await;
    for revision in Revision::ALL {
        let c = report
            .cases
            .iter()
            .find(|c| c.revision == revision)
            .unwrap();
        assert_eq!(c.outcome, Outcome::Fail, "{revision}: {c:?}");
        let reason = c.reason.as_deref().unwrap_or_default();
        assert!(reason.contains("mcp-client.example"), "{reason}");
    }
}

/// A client that implements only earlier revisions is reported once for 2026-07-28, as
/// `unsupported` (`client/revision/implemented`), and judged by nothing of that revision;
/// the revisions it speaks pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_of_earlier_revisions_is_unsupported_once() {
    let cases = client_cases();
    let report = run(None, &[ClientKnob::ImplementsUpTo20251125], &cases).await;
    // Every stateless revision (2026-07-28 on) gets one finding instead of its cases.
    let stateless: Vec<Revision> = Revision::ALL
        .iter()
        .copied()
        .filter(|r| r.features().stateless_requests)
        .collect();
    assert!(!stateless.is_empty());
    for revision in &stateless {
        let modern: Vec<_> = report
            .cases
            .iter()
            .filter(|c| c.revision == *revision)
            .collect();
        assert_eq!(modern.len(), 1, "{modern:#?}");
        assert_eq!(modern[0].id, "client/revision/implemented");
        assert_eq!(modern[0].outcome, Outcome::Unsupported);
        let reason = modern[0].reason.as_deref().unwrap_or_default();
        assert!(reason.contains("speaks 2025-11-25"), "{reason}");
    }
    let bad = unfair(&report);
    assert_eq!(bad.len(), stateless.len(), "{bad:#?}");
}

/// RFC 7523 §3 item 3: the token endpoint URL identifies the authorization server as well
/// as its issuer does; the official scenario accepts only the issuer, this suite both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_assertion_for_the_token_endpoint_passes() {
    let report = passes(ClientKnob::CcAudienceTokenEndpoint).await;
    let id = "client/client-credentials/assertion-audience";
    assert_eq!(outcome(&report, id, Revision::R2026_07_28), "pass");
}

/// RFC 7521 §4.2: a client_id beside the assertion is allowed when it names the same
/// client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_id_beside_the_client_assertion_passes() {
    let report = passes(ClientKnob::CcClientIdWithAssertion).await;
    let id = "client/client-credentials/assertion-verifies";
    assert_eq!(outcome(&report, id, Revision::R2025_11_25), "pass");
}

/// Pydantic URLs add `/` to an origin: the same URI as the issuer without it (RFC 3986
/// §6.2.3). The official suite accepts both; so must every extension case here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issuer_written_with_a_trailing_slash_passes() {
    let report = passes(ClientKnob::IssuerWithTrailingSlash).await;
    for id in [
        "client/client-credentials/assertion-audience",
        "client/enterprise-managed/token-exchange-targets",
    ] {
        assert_eq!(outcome(&report, id, Revision::R2026_07_28), "pass", "{id}");
    }
}

/// RFC 7521 §4.1 and RFC 8693 §2.1: no client_id is needed with an assertion grant or a
/// token exchange by a client that does not authenticate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assertion_grant_without_a_client_id_passes() {
    let report = passes(ClientKnob::AssertionGrantWithoutClientId).await;
    for id in [
        "client/workload-identity/valid-assertion",
        "client/enterprise-managed/token-exchange",
    ] {
        assert_eq!(outcome(&report, id, Revision::R2025_11_25), "pass", "{id}");
    }
}
/// RFC 9449 §4.2: a DPoP proof MAY carry claims beyond the required ones; a client that
/// adds `exp` (several DPoP libraries do, to bound the proof's life) is conformant, and
/// the mocks ignore it as RFC 9449 §4.3 lets them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpop_proof_with_exp_passes() {
    let report = passes(ClientKnob::DpopProofWithExp).await;
    for id in ["client/dpop/token-proof", "client/dpop/resource-proof"] {
        assert_eq!(outcome(&report, id, Revision::R2025_11_25), "pass", "{id}");
    }
}

/// RFC 9110 §11.1: authentication scheme names are case-insensitive, so `dpop <token>`
/// presents the token with the DPoP scheme as `DPoP <token>` does (RFC 9449 §7.1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lowercase_dpop_scheme_passes() {
    let report = passes(ClientKnob::DpopLowercaseScheme).await;
    for id in ["client/dpop/dpop-scheme", "client/dpop/rs-nonce"] {
        assert_eq!(outcome(&report, id, Revision::R2026_07_28), "pass", "{id}");
    }
}
