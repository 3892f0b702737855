//! The authorization-server target beyond the self-test: the `form` and `command`
//! consent strategies against an IdP that demands a login, and hostile or broken servers
//! (unreachable, HTML metadata, a 10 MB body, a redirect loop) that must end in clear
//! verdicts within the case time limit.

mod common;

use common::not_passed;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, StatusCode};
use axum::routing::get;
use axum::Router;
use mcp_authspec::actors::idp::{start_idp, Consent as IdpConsent, IdpConfig};
use mcp_authspec::actors::listener::{bind_loopback, serve_listener};
use mcp_authspec::engine::{AuthorizationServerSession, NoEvents, RunPlan};
use mcp_authspec::input::{load_cases, CaseSource};
use mcp_authspec::logic::as_config::{parse_as_config, AsRunConfig};
use mcp_authspec::transport::TransportLimits;
use mcp_authspec::vocab::{Outcome, Revision, Role, RunReport};

async fn run(issuer: &str, config: AsRunConfig) -> RunReport {
    let cases: Vec<_> = load_cases(&CaseSource::Builtin)
        .unwrap()
        .into_iter()
        .filter(|c| c.role == Role::AuthorizationServer)
        .collect();
    let session = AuthorizationServerSession {
        issuer: issuer.to_string(),
        config,
        plan: RunPlan {
            revisions: Revision::ALL.to_vec(),
            case_timeout: Duration::from_secs(10),
            ..RunPlan::default()
        },
        limits: TransportLimits {
            request_timeout: Duration::from_secs(3),
            ..TransportLimits::default()
        },
        reference: false,
    };
    session.run(&cases, Arc::new(NoEvents)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_strategy_logs_in_with_the_hidden_field_and_the_cookie() {
    let idp = start_idp(IdpConfig {
        consent: IdpConsent::LoginForm,
        ..IdpConfig::default()
    })
    .await
    .unwrap();
    let config = parse_as_config(
        r#"
        [consent]
        strategy = "form"
        [[consent.steps]]
        capture = { csrf = 'name="csrf" value="([^"]+)"', request = 'name="request" value="([^"]+)"' }
        url = "{issuer}/login"
        form = { username = "alice", password = "wonderland", csrf = "{csrf}", request = "{request}" }
        "#,
    )
    .unwrap();
    let report = run(&idp.issuer, config).await;
    assert_eq!(report.error, None);
    assert!(not_passed(&report).is_empty(), "{:#?}", not_passed(&report));
    // Without the login the same server gives no code: the strategy is what made it pass.
    let auto = run(&idp.issuer, AsRunConfig::default()).await;
    let code_case = auto
        .cases
        .iter()
        .find(|c| c.id == "authorization-server/authorization/code-and-state")
        .unwrap();
    assert_eq!(code_case.outcome, Outcome::Fail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_strategy_uses_open_url_as_a_headless_browser() {
    let idp = start_idp(IdpConfig::default()).await.unwrap();
    let command = format!("'{}' open-url", env!("CARGO_BIN_EXE_mcp-authspec"));
    let config = AsRunConfig {
        consent: mcp_authspec::logic::as_config::Consent::Command { command },
        ..AsRunConfig::default()
    };
    let report = run(&idp.issuer, config).await;
    assert!(not_passed(&report).is_empty(), "{:#?}", not_passed(&report));
}

/// Serves `router` on loopback; the issuer is its origin.
async fn hostile(router: Router) -> (String, mcp_authspec::actors::listener::Listening) {
    let listener = bind_loopback().await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    (issuer, serve_listener(listener, router).unwrap())
}

/// Every case ended, within bounds, and every one that did not pass says why.
fn judged_quickly(report: &RunReport, started: Instant) {
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert!(!report.cases.is_empty());
    assert_eq!(report.summary.error, 0, "{:#?}", not_passed(report));
    for c in report.cases.iter().filter(|c| c.outcome != Outcome::Pass) {
        assert!(
            c.reason.as_deref().is_some_and(|r| !r.is_empty()),
            "{} has no reason",
            c.id
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_metadata_fails_the_metadata_cases_and_skips_the_rest_with_the_reason() {
    let html = || async {
        (
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>Welcome</body></html>",
        )
    };
    let (issuer, _server) = hostile(Router::new().fallback(get(html))).await;
    let started = Instant::now();
    let report = run(&issuer, AsRunConfig::default()).await;
    judged_quickly(&report, started);
    let published = report
        .cases
        .iter()
        .find(|c| c.id == "authorization-server/metadata/published")
        .unwrap();
    assert_eq!(published.outcome, Outcome::Fail, "{:?}", published.reason);
    let token = report
        .cases
        .iter()
        .find(|c| c.id == "authorization-server/token/success-response")
        .unwrap();
    assert_eq!(token.outcome, Outcome::Skip);
    let reason = token.reason.as_deref().unwrap();
    assert!(reason.contains("metadata could not be read"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_megabyte_metadata_body_is_cut_and_judged() {
    let huge = || async {
        let body = format!("{{\"issuer\":\"{}\"}}", "x".repeat(10 * 1024 * 1024));
        ([(header::CONTENT_TYPE, "application/json")], body)
    };
    let (issuer, _server) = hostile(Router::new().fallback(get(huge))).await;
    let started = Instant::now();
    let report = run(&issuer, AsRunConfig::default()).await;
    judged_quickly(&report, started);
    let issuer_case = report
        .cases
        .iter()
        .find(|c| c.id == "authorization-server/metadata/issuer-identical")
        .unwrap();
    assert_eq!(issuer_case.outcome, Outcome::Fail);
    assert!(
        issuer_case
            .checks
            .iter()
            .any(|c| c.actual.contains("size limit")),
        "{:?}",
        issuer_case.checks
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_loop_at_the_authorization_endpoint_is_a_verdict() {
    let listener = bind_loopback().await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let metadata = {
        let issuer = issuer.clone();
        move || async move {
            axum::Json(serde_json::json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{issuer}/authorize"),
                "token_endpoint": format!("{issuer}/token"),
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
            }))
        }
    };
    let redirect = || async {
        (
            StatusCode::FOUND,
            [(header::LOCATION, "/authorize?again=1")],
        )
    };
    let router = Router::new()
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route("/authorize", get(redirect));
    let _server = serve_listener(listener, router).unwrap();
    let config = parse_as_config("[client]\nid = \"preregistered\"").unwrap();
    let started = Instant::now();
    let report = run(&issuer, config).await;
    assert!(started.elapsed() < Duration::from_secs(30));
    let case = report
        .cases
        .iter()
        .find(|c| c.id == "authorization-server/authorization/code-and-state")
        .unwrap();
    assert_eq!(case.outcome, Outcome::Fail);
    assert!(
        case.reason.as_deref().unwrap().contains("redirect loop"),
        "{:?}",
        case.reason
    );
    // Every hop is evidence, bounded by the redirect limit.
    assert_eq!(
        case.exchanges.len(),
        1 + mcp_authspec::engine::MAX_REDIRECTS
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_issuer_is_a_harness_error_at_once() {
    let started = Instant::now();
    let report = run("http://127.0.0.1:1", AsRunConfig::default()).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(report.exit_code, 3);
    assert!(report.error.as_deref().unwrap().contains("cannot connect"));
}
