//! What client cases need of the IdP: pre-registered clients, several scopes, a first
//! token that is already expired, and an `iss` with a trailing slash.

use super::*;
use crate::actors::idp::Client;
use crate::actors::tokens::{unix_now, DEFAULT_LIFETIME, LEEWAY};

/// The scopes client cases start the IdP with.
const SCOPES: [&str; 3] = ["mcp:tools", "mcp:write", "mcp:extra"];

fn with_scopes(defects: &[D]) -> IdpConfig {
    IdpConfig {
        scopes_supported: SCOPES.map(String::from).to_vec(),
        ..IdpConfig::with_defects(defects.iter().copied())
    }
}

fn preregistered(id: &str, secret: Option<&str>) -> Client {
    let method = if secret.is_some() {
        "client_secret_basic"
    } else {
        "none"
    };
    Client::preregistered(id, secret.map(String::from), method)
}

#[tokio::test]
async fn preregistered_clients_are_known_from_the_start() {
    // Default: nobody is known before registering.
    let f = flow(&[]).await;
    let response = f.authorize(&request("pre-public", &[])).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let f = flow_with(IdpConfig {
        preregistered: vec![
            preregistered("pre-public", None),
            preregistered("pre-secret", Some("s3cret")),
        ],
        ..IdpConfig::default()
    })
    .await;
    let code = f.code("pre-public").await;
    let a = f.redeem("pre-public", &code).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(!a.field("refresh_token").is_empty());

    let code = f.code("pre-secret").await;
    let form = redemption("pre-secret", &code, &[("client_id", "")]);
    let wrong = f
        .token(&pairs(&form), Some(basic("pre-secret", "nope")))
        .await;
    assert_eq!(wrong.error(), "invalid_client");
    let a = f
        .token(&pairs(&form), Some(basic("pre-secret", "s3cret")))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // Registration still works beside them.
    let (id, _) = f.client("none").await;
    assert_eq!(
        f.redeem(&id, &f.code(&id).await).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn several_scopes_are_granted_narrowed_and_refreshed() {
    let f = flow_with(with_scopes(&[])).await;
    let (id, _) = f.client("none").await;
    // Without scope, every supported scope (RFC 6749 §3.3 default).
    let a = f.redeem(&id, &f.code(&id).await).await;
    assert_eq!(a.body["scope"], SCOPES.join(" "));
    // A subset as asked, in the token too.
    let params = location(
        &f.authorize(&request(&id, &[("scope", "mcp:tools mcp:write")]))
            .await,
    );
    let a = f.redeem(&id, &params["code"]).await;
    assert_eq!(a.body["scope"], "mcp:tools mcp:write");
    assert_eq!(
        f.claims(&a.field("access_token"))["scope"],
        "mcp:tools mcp:write"
    );
    // A refresh may narrow the scope (RFC 6749 §6), not widen it.
    let old = a.field("refresh_token");
    let narrow = [
        ("grant_type", "refresh_token"),
        ("client_id", &id),
        ("refresh_token", &old),
        ("scope", "mcp:write"),
    ];
    let a = f.token(&narrow, None).await;
    assert_eq!(a.body["scope"], "mcp:write", "{}", a.body);
    let newer = a.field("refresh_token");
    let wide = [
        ("grant_type", "refresh_token"),
        ("client_id", &id),
        ("refresh_token", &newer),
        ("scope", "mcp:tools mcp:extra"),
    ];
    assert_eq!(f.token(&wide, None).await.error(), "invalid_scope");
}

#[tokio::test]
async fn knob_first_token_expired() {
    let f = flow_with(with_scopes(&[D::FirstTokenExpired])).await;
    let (id, _) = f.client("none").await;
    let a = f.redeem(&id, &f.code(&id).await).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["expires_in"], 0);
    let exp = f.claims(&a.field("access_token"))["exp"]
        .as_i64()
        .unwrap_or_default();
    assert!(
        exp + LEEWAY < unix_now(),
        "expired beyond any leeway: {exp}"
    );
    // The refresh token is as usual, and what it yields is fresh.
    let refresh = a.field("refresh_token");
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", id.as_str()),
        ("refresh_token", refresh.as_str()),
    ];
    let a = f.token(&form, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["expires_in"], DEFAULT_LIFETIME);
    let exp = f.claims(&a.field("access_token"))["exp"]
        .as_i64()
        .unwrap_or_default();
    assert!(exp > unix_now(), "{exp}");
    // So is a later code's.
    let a = f.redeem(&id, &f.code(&id).await).await;
    assert_eq!(a.body["expires_in"], DEFAULT_LIFETIME);
    // Per IdP: another instance starts over.
    let g = flow(&[D::FirstTokenExpired]).await;
    let (id, _) = g.client("none").await;
    assert_eq!(
        g.redeem(&id, &g.code(&id).await).await.body["expires_in"],
        0
    );
}

#[tokio::test]
async fn knob_iss_trailing_slash() {
    let f = flow(&[D::IssTrailingSlash]).await;
    let (id, _) = f.client("none").await;
    let expected = format!("{}/", f.idp.issuer);
    let params = location(&f.authorize(&request(&id, &[])).await);
    assert!(params.contains_key("code"));
    assert_eq!(params["iss"], expected);
    // Error responses carry it too.
    let params = location(&f.authorize(&request(&id, &[("code_challenge", "")])).await);
    assert_eq!(params["error"], "invalid_request");
    assert_eq!(params["iss"], expected);
}
