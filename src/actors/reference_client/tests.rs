//! The reference client against the reference server and small fakes: conformant runs
//! complete in every revision, and defects change the traffic they describe.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::*;
use crate::actors::reference::{start_reference_server, ReferenceConfig};
use crate::actors::traffic::TrafficLog;
use crate::vocab::{ClientDefect as D, Exchange, Revision, ServerDefect};

mod fake_mcp;

fn launch(server_url: &str, revision: Revision, defects: &[D]) -> ClientLaunch {
    ClientLaunch {
        defects: defects.iter().copied().collect(),
        ..ClientLaunch::new(server_url, revision)
    }
}

/// Runs the client against a recorded reference server.
async fn against_reference(
    revision: Revision,
    defects: &[D],
    server_defects: &[ServerDefect],
) -> (Result<(), String>, Vec<Exchange>) {
    let log = TrafficLog::default();
    let server = start_reference_server(ReferenceConfig {
        traffic: Some(log.clone()),
        defects: server_defects.iter().copied().collect(),
        ..Default::default()
    })
    .await
    .unwrap();
    let result = run_reference_client(launch(&server.mcp_url, revision, defects)).await;
    (result, log.snapshot())
}

/// Requests whose URL path ends with `suffix`; `/mcp` means the MCP endpoint itself.
fn to<'a>(log: &'a [Exchange], suffix: &str) -> Vec<&'a Exchange> {
    log.iter()
        .filter(|e| {
            url::Url::parse(&e.url).is_ok_and(|u| match suffix {
                "/mcp" => u.path() == suffix,
                _ => u.path().ends_with(suffix),
            })
        })
        .collect()
}

fn query(e: &Exchange) -> Vec<(String, String)> {
    url::Url::parse(&e.url)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

fn form(e: &Exchange) -> Vec<(String, String)> {
    let body = e.request_body.clone().unwrap_or_default();
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn header<'a>(e: &'a Exchange, name: &str) -> Option<&'a str> {
    e.request_headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

#[tokio::test]
async fn completes_against_the_reference_server_from_2025_06_18() {
    for revision in Revision::ALL
        .into_iter()
        .filter(|r| *r >= Revision::R2025_06_18)
    {
        let (result, log) = against_reference(revision, &[], &[]).await;
        assert_eq!(result, Ok(()), "{revision}");
        let calls = to(&log, "/mcp");
        let last = calls.last().unwrap();
        assert!(last.request_body.as_deref().unwrap().contains("tools/call"));
        assert_eq!(last.status, Some(200), "{revision}");
    }
}

/// Runs the client against a recorded reference server of one revision only.
async fn against_server_of(
    server_revision: Revision,
    client_revision: Revision,
    defects: &[D],
    knobs: &[crate::vocab::ServerKnob],
) -> (Result<(), String>, Vec<Exchange>) {
    let log = TrafficLog::default();
    let server = start_reference_server(ReferenceConfig {
        traffic: Some(log.clone()),
        knobs: knobs.iter().copied().collect(),
        only_revision: Some(server_revision),
        ..Default::default()
    })
    .await
    .unwrap();
    let result = run_reference_client(launch(&server.mcp_url, client_revision, defects)).await;
    (result, log.snapshot())
}

#[tokio::test]
async fn completes_the_2025_03_26_profile_where_the_mcp_server_is_the_as() {
    let (result, log) =
        against_server_of(Revision::R2025_03_26, Revision::R2025_03_26, &[], &[]).await;
    assert_eq!(result, Ok(()));
    // Like a multi-revision client: the protected resource metadata first (404 at
    // both well-known URIs), then 2025-03-26 discovery at the origin.
    let prm = to(&log, "/oauth-protected-resource/mcp");
    assert_eq!(prm.len(), 1);
    assert_eq!(prm[0].status, Some(404));
    let metadata = to(&log, "/.well-known/oauth-authorization-server");
    assert_eq!(
        header(metadata[0], "MCP-Protocol-Version"),
        Some("2025-03-26")
    );
    assert_eq!(metadata[0].status, Some(200));
    let origin = to(&log, "/mcp")[0].url.trim_end_matches("/mcp").to_string();
    assert!(metadata[0].url.starts_with(&origin));
    let authorization = to(&log, "/authorize");
    assert!(authorization[0].url.starts_with(&origin));
    let authorization = query(authorization[0]);
    assert_eq!(get(&authorization, "code_challenge_method"), Some("S256"));
    assert!(get(&authorization, "state").is_some());
    assert_eq!(get(&authorization, "resource"), None);
    // Nothing but the client's own requests is recorded (no JWKS fetch by the server).
    assert!(to(&log, "/jwks").is_empty());
}

#[tokio::test]
async fn a_client_of_a_later_revision_passes_a_2025_03_26_server_by_what_it_sees() {
    // It speaks 2025-11-25 (resource indicators, PKCE-methods check), finds no
    // protected resource metadata, and falls back to the origin's authorization server.
    for client in [Revision::R2025_06_18, Revision::R2025_11_25] {
        let (result, log) = against_server_of(Revision::R2025_03_26, client, &[], &[]).await;
        assert_eq!(result, Ok(()), "{client}");
        let origin = to(&log, "/mcp")[0].url.trim_end_matches("/mcp").to_string();
        assert!(to(&log, "/token")[0].url.starts_with(&origin), "{client}");
    }
}

#[tokio::test]
async fn the_2025_03_26_defaults_serve_when_the_origin_has_no_metadata() {
    use crate::vocab::ServerKnob as K;
    let (result, log) = against_server_of(
        Revision::R2025_03_26,
        Revision::R2025_03_26,
        &[],
        &[K::LegacyMetadataMissing],
    )
    .await;
    assert_eq!(result, Ok(()));
    assert_eq!(
        to(&log, "/.well-known/oauth-authorization-server")[0].status,
        Some(404)
    );
    assert_eq!(to(&log, "/token").len(), 1);
    // Without the fallback the client gives up; with defaults first it never asks.
    let (result, _) = against_server_of(
        Revision::R2025_03_26,
        Revision::R2025_03_26,
        &[D::NoLegacyFallback],
        &[K::LegacyMetadataMissing],
    )
    .await;
    assert!(result.is_err());
    let (_, log) = against_server_of(
        Revision::R2025_03_26,
        Revision::R2025_03_26,
        &[D::LegacyDefaultsFirst],
        &[],
    )
    .await;
    assert!(to(&log, "/.well-known/oauth-authorization-server").is_empty());
}

#[tokio::test]
async fn a_later_revisions_server_has_no_authorization_server_at_its_origin() {
    let (result, log) = against_server_of(
        Revision::R2025_11_25,
        Revision::R2025_11_25,
        &[D::UsesMcpOriginAs],
        &[],
    )
    .await;
    assert!(result.is_err());
    assert!(to(&log, "/token").is_empty());
}

#[tokio::test]
async fn conformant_traffic_carries_pkce_state_resource_and_bearer() {
    let (result, log) = against_reference(Revision::R2026_07_28, &[], &[]).await;
    assert_eq!(result, Ok(()));
    let registration: serde_json::Value =
        serde_json::from_str(to(&log, "/register")[0].request_body.as_deref().unwrap()).unwrap();
    assert_eq!(registration["token_endpoint_auth_method"], "none");
    assert_eq!(registration["application_type"], "native");
    let authorization = query(to(&log, "/authorize")[0]);
    let resource = to(&log, "/mcp")[0].url.clone();
    assert_eq!(get(&authorization, "code_challenge_method"), Some("S256"));
    assert_eq!(
        get(&authorization, "code_challenge").map(str::len),
        Some(43)
    );
    assert!(get(&authorization, "state").is_some());
    assert_eq!(get(&authorization, "resource"), Some(resource.as_str()));
    assert_eq!(get(&authorization, "scope"), Some("mcp:tools"));
    let token = form(to(&log, "/token")[0]);
    assert_eq!(get(&token, "resource"), Some(resource.as_str()));
    assert!(get(&token, "client_id").is_some());
    assert_eq!(get(&token, "code_verifier").map(str::len), Some(64));
    let mcp = to(&log, "/mcp");
    assert!(header(mcp[0], "Authorization").is_none());
    assert!(mcp[1..]
        .iter()
        .all(|e| header(e, "Authorization").is_some_and(|v| v.starts_with("Bearer "))));
}

#[tokio::test]
async fn plain_pkce_and_no_state_change_the_authorization_request() {
    let (result, log) = against_reference(Revision::R2025_11_25, &[D::PlainPkce], &[]).await;
    let authorization = query(to(&log, "/authorize")[0]);
    assert_eq!(get(&authorization, "code_challenge_method"), Some("plain"));
    assert!(result.unwrap_err().contains("refused"));

    let (result, log) = against_reference(Revision::R2025_11_25, &[D::NoState], &[]).await;
    assert_eq!(result, Ok(()));
    assert_eq!(get(&query(to(&log, "/authorize")[0]), "state"), None);
}

#[tokio::test]
async fn token_placement_defects_show_in_the_traffic() {
    let defects = [D::TokenInQuery, D::BearerToAs, D::NoResourceInToken];
    let (_, log) = against_reference(Revision::R2025_06_18, &defects, &[]).await;
    assert!(to(&log, "/mcp")
        .iter()
        .any(|e| get(&query(e), "access_token").is_some()));
    let mcp = to(&log, "/mcp");
    let to_as = log
        .iter()
        .filter(|e| !mcp.contains(e) && header(e, "Authorization").is_some());
    assert_eq!(to_as.count(), 1);
    assert_eq!(get(&form(to(&log, "/token")[0]), "resource"), None);
}

#[tokio::test]
async fn registration_defects_change_the_client_metadata() {
    let cases = [
        (D::DcrWithoutRedirectUris, "redirect_uris"),
        (D::DcrWithoutApplicationType, "application_type"),
    ];
    for (defect, missing) in cases {
        let (_, log) = against_reference(Revision::R2026_07_28, &[defect], &[]).await;
        let body = to(&log, "/register")[0].request_body.clone().unwrap();
        let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(sent.get(missing).is_none(), "{defect}");
    }
    let (result, log) =
        against_reference(Revision::R2026_07_28, &[D::InsecureRedirectUri], &[]).await;
    let body = to(&log, "/register")[0].request_body.clone().unwrap();
    assert!(body.contains("http://mcp-client.example/callback"));
    assert!(result.is_err());
}

#[tokio::test]
async fn every_defect_run_ends_in_bounded_time() {
    let server = start_reference_server(ReferenceConfig::default())
        .await
        .unwrap();
    for defect in D::ALL {
        for revision in [Revision::R2025_03_26, Revision::R2026_07_28] {
            let run = run_reference_client(launch(&server.mcp_url, revision, &[*defect]));
            let ended = tokio::time::timeout(Duration::from_secs(30), run).await;
            assert!(ended.is_ok(), "{defect} {revision}");
        }
    }
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_or_resent_by_the_defect() {
    let refuses = [ServerDefect::RejectsAllTokens];
    let (result, log) = against_reference(Revision::R2025_11_25, &[], &refuses).await;
    assert!(result.unwrap_err().contains("renewed token"));
    let grants: Vec<String> = to(&log, "/token")
        .iter()
        .filter_map(|e| get(&form(e), "grant_type").map(str::to_string))
        .collect();
    assert_eq!(grants, ["authorization_code", "refresh_token"]);

    let defects = [D::RetriesRefusedToken];
    let (result, log) = against_reference(Revision::R2025_11_25, &defects, &refuses).await;
    assert!(result.is_err());
    assert_eq!(to(&log, "/token").len(), 1);
    let sent: BTreeSet<_> = to(&log, "/mcp")
        .iter()
        .filter_map(|e| header(e, "Authorization"))
        .collect();
    assert_eq!((to(&log, "/mcp").len(), sent.len()), (7, 1));
}

#[tokio::test]
async fn a_preregistered_client_is_used_without_registering() {
    let log = TrafficLog::default();
    let server = start_reference_server(ReferenceConfig {
        traffic: Some(log.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    for (defects, registers) in [(vec![], false), (vec![D::IgnoresPreregisteredClient], true)] {
        let mut launch = launch(&server.mcp_url, Revision::R2025_11_25, &defects);
        launch.context = serde_json::json!({"client_id": "pre-registered"});
        let before = log.snapshot().len();
        let result = run_reference_client(launch).await;
        let log = log.snapshot().split_off(before);
        assert_eq!(!to(&log, "/register").is_empty(), registers);
        // The mock IdP does not know the pre-registered client.
        assert_eq!(result.is_ok(), registers);
        let client_id = get(&query(to(&log, "/authorize")[0]), "client_id").map(str::to_string);
        assert_eq!(client_id.as_deref() == Some("pre-registered"), !registers);
    }
}

#[tokio::test]
async fn step_up_asks_for_the_union_of_scopes_within_bounds() {
    for (defects, ok, scope) in [
        (vec![], true, Some("mcp:tools mcp:extra")),
        (vec![D::StepUpReplacesScope], false, Some("mcp:extra")),
        (vec![D::NoStepUp], false, None),
    ] {
        let log = TrafficLog::default();
        let fake = fake_mcp::step_up(log.clone()).await;
        let result = run_reference_client(launch(&fake.mcp_url, Revision::R2025_11_25, &defects));
        assert_eq!(result.await.is_ok(), ok, "{defects:?}");
        let log = log.snapshot();
        let authorizations = to(&log, "/authorize");
        let second = authorizations.get(1).map(|e| query(e));
        let second_scope = second.as_ref().and_then(|q| get(q, "scope"));
        assert_eq!(second_scope, scope, "{defects:?}");
        assert!(authorizations.len() <= 3, "{defects:?}");
    }
    let log = TrafficLog::default();
    let fake = fake_mcp::step_up(log.clone()).await;
    let defects = [D::StepUpReplacesScope, D::UnboundedStepUp];
    let result = run_reference_client(launch(&fake.mcp_url, Revision::R2025_11_25, &defects));
    assert!(result.await.is_err());
    assert_eq!(to(&log.snapshot(), "/authorize").len(), 7);
    assert_eq!(fake_mcp::EXTRA_SCOPE, "mcp:extra");
}

#[tokio::test]
async fn system_mode_opens_the_browser_command_and_serves_the_callback() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("curl not found; System mode success is not tested");
        return;
    }
    let server = start_reference_server(ReferenceConfig::default())
        .await
        .unwrap();
    let mut launch = launch(&server.mcp_url, Revision::R2026_07_28, &[]);
    launch.browser = BrowserMode::System;
    // curl plays the browser: it follows the IdP's redirect to the callback listener.
    launch.browser_command = Some("curl -s -o /dev/null -L".into());
    launch.callback_timeout = Duration::from_secs(20);
    assert_eq!(run_reference_client(launch).await, Ok(()));
}

#[tokio::test]
async fn system_mode_gives_up_in_bounded_time_without_a_response() {
    let server = start_reference_server(ReferenceConfig::default())
        .await
        .unwrap();
    for (command, expected) in [("true", "no authorization response"), ("false", "failed")] {
        let mut launch = launch(&server.mcp_url, Revision::R2026_07_28, &[]);
        launch.browser = BrowserMode::System;
        launch.browser_command = Some(command.into());
        launch.callback_timeout = Duration::from_millis(300);
        let started = Instant::now();
        let error = run_reference_client(launch).await.unwrap_err();
        assert!(error.contains(expected), "{command}: {error}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn launch_reads_the_conformance_variables() {
    let default = launch_from("u".into(), None, None, BTreeSet::new(), BrowserMode::Fetch);
    let default = default.unwrap();
    assert_eq!(default.revision, Revision::LATEST);
    assert_eq!(default.context, serde_json::json!({}));
    let given = launch_from(
        "u".into(),
        Some("2025-06-18"),
        Some(r#"{"client_id":"c","client_secret":"s"}"#),
        BTreeSet::new(),
        BrowserMode::System,
    )
    .unwrap();
    assert_eq!(given.revision, Revision::R2025_06_18);
    assert_eq!(given.context_str("client_secret"), Some("s"));
    let bad = |v, c| launch_from("u".into(), v, c, BTreeSet::new(), BrowserMode::Fetch).is_err();
    assert!(bad(Some("2024-11-05"), None));
    assert!(bad(None, Some("[1]")));
    assert!(bad(None, Some("{")));
}
