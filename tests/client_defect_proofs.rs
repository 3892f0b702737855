//! Non-conformant clients that a case must fail besides the defect the case names: the
//! reference client with one further defect, run for every revision of the case, and
//! the outcome it must get (the case's level violated). Each is a way real clients were
//! seen to break the rule while an earlier form of the case passed them (findings of
//! the interop run against real clients, "Too lax").

use std::time::Duration;

use mcp_authspec::actors::drivers::ClientUnderTest;
use mcp_authspec::engine::run_client_case;
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::vocab::{CaseReport, ClientDefect as D, Outcome};

/// Runs the builtin case `id` for each of its revisions with the reference client
/// showing `defect`.
async fn run(id: &str, defect: D) -> Vec<CaseReport> {
    let case = load_cases(&CaseSource::Builtin)
        .unwrap()
        .into_iter()
        .find(|c| c.id() == id)
        .unwrap_or_else(|| panic!("no case {id}"));
    let client = ClientUnderTest::Reference {
        defect: Some(defect),
        knobs: Default::default(),
    };
    let mut reports = Vec::new();
    for revision in case.file.revisions.iter().copied() {
        reports.push(run_client_case(&case, revision, &client, Duration::from_secs(20)).await);
    }
    reports
}

async fn fails(id: &str, defect: D, outcome: Outcome) {
    let reports = run(id, defect).await;
    assert!(!reports.is_empty());
    for r in reports {
        assert_eq!(
            r.outcome, outcome,
            "{id} [{}] with {defect}: {:?}",
            r.revision, r.reason
        );
    }
}

/// The GET that opens the server's event stream is a request to the MCP server like any
/// other (rust-sdk #464, gemini-cli #25473 sent it without the token). 2026-07-28 has no
/// GET stream, so only the earlier revisions run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_stream_without_the_token_fails() {
    let reports = run(
        "client/token/bearer-on-every-request",
        D::GetStreamWithoutToken,
    )
    .await;
    for r in reports {
        if r.revision >= mcp_authspec::vocab::Revision::R2026_07_28 {
            assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.reason);
        } else {
            assert_eq!(r.outcome, Outcome::Fail, "[{}] {:?}", r.revision, r.reason);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_once_in_a_url_query_under_another_name_fails() {
    fails(
        "client/token/never-in-query",
        D::TokenInQueryOtherName,
        Outcome::Fail,
    )
    .await;
}

/// The official scope-from-scopes-supported scenario's `auth-test-partial-scopes`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requesting_only_the_first_metadata_scope_warns() {
    fails(
        "client/scope/from-metadata",
        D::FirstScopeOnly,
        Outcome::Warn,
    )
    .await;
}

/// A client that never got a token has not reached what these cases judge: that is its
/// verdict (the level violated, naming where the flow stopped), never a skip.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_gets_a_token_fails_the_cases_about_using_it() {
    for id in [
        "client/token/bearer-on-every-request",
        "client/token/never-in-query",
        "client/resource/on-refresh",
    ] {
        for r in run(id, D::WrongCodeVerifier).await {
            assert_eq!(
                r.outcome,
                Outcome::Fail,
                "{id} [{}]: {:?}",
                r.revision,
                r.reason
            );
            let reason = r.reason.unwrap_or_default();
            assert!(reason.contains("/token"), "{id} [{}]: {reason}", r.revision);
        }
    }
}

/// The catalog's Appendix A-10: the extension's text sends a client secret in the body,
/// its metadata rule and the official scenario name HTTP Basic. A client that sends it in
/// the body is accepted; only the SHOULD case about the advertised method warns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_client_secret_in_the_body_is_accepted() {
    fails(
        "client/client-credentials/secret-authentication",
        D::SecretInBodyForBasic,
        Outcome::Pass,
    )
    .await;
}

/// Both ways of not authenticating as the pre-registered client fail the secret case:
/// no secret at all (its defect), and a Basic header with the right id but a body secret
/// too (two methods at once, RFC 6749 §2.3).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_client_with_two_authentication_methods_fails() {
    fails(
        "client/client-credentials/secret-authentication",
        D::BasicAndPost,
        Outcome::Fail,
    )
    .await;
}

/// The assertion cases judge what they name: an expired assertion fails the signature
/// case too (the token response is its verdict), but leaves the claim cases passing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_assertion_fails_only_where_the_server_decides() {
    fails(
        "client/client-credentials/assertion-verifies",
        D::CcAssertionExpired,
        Outcome::Fail,
    )
    .await;
    fails(
        "client/client-credentials/assertion-names-client",
        D::CcAssertionExpired,
        Outcome::Pass,
    )
    .await;
}

/// The official scenario's other broken client: an expired workload JWT is refused by
/// the authorization server, so the valid-assertion case fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_workload_jwt_fails() {
    fails(
        "client/workload-identity/valid-assertion",
        D::WifSendsExpired,
        Outcome::Fail,
    )
    .await;
}

/// An ID token sent where the ID-JAG belongs is also a token exchange never made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_token_as_the_grant_fails_the_exchange_case() {
    fails(
        "client/enterprise-managed/token-exchange",
        D::EmaSendsIdToken,
        Outcome::Fail,
    )
    .await;
}

/// The DPoP aspect cases judge what they name (RFC 9449 §4.3 lists the checks apart): a
/// wrong htu fails the htm/htu case, naming the htu, and leaves the ath case passing;
/// a wrong ath the other way round.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpop_proof_fault_fails_only_its_own_case() {
    for r in run("client/dpop/htm-htu", D::DpopWrongHtu).await {
        assert_eq!(r.outcome, Outcome::Fail, "[{}] {:?}", r.revision, r.reason);
        let reason = r.reason.unwrap_or_default();
        assert!(reason.contains("htu is"), "[{}] {reason}", r.revision);
    }
    fails("client/dpop/ath", D::DpopWrongHtu, Outcome::Pass).await;
    fails("client/dpop/htm-htu", D::DpopWrongAth, Outcome::Pass).await;
}

/// A client that sends no proof to the token endpoint gets no DPoP-bound token, so it
/// never reaches what the MCP request cases judge: that fails them (the flow stopped at
/// /token), it does not pass them for want of proofs to fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpop_client_without_a_token_fails_the_resource_cases() {
    for id in [
        "client/dpop/ath",
        "client/dpop/fresh-jti",
        "client/dpop/dpop-scheme",
    ] {
        fails(id, D::DpopNoTokenProof, Outcome::Fail).await;
    }
}

/// A client that never retries at the token endpoint never presents a token, so the MCP
/// server's nonce round is not reached: the rs-nonce case fails rather than passing
/// without a challenge to honour (the official scenario's "challenged && honored").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpop_client_stopped_at_the_as_nonce_fails_the_rs_nonce_case() {
    fails("client/dpop/rs-nonce", D::DpopIgnoresAsNonce, Outcome::Fail).await;
}
