//! The IdP's metadata at every probe URL MCP clients use, for an issuer with and without
//! a path (RFC 8414 §3.1, OpenID Connect Discovery §4, MCP 2025-11-25 "Authorization
//! Server Metadata Discovery").

use super::{start_idp, IdpConfig};
use crate::vocab::IdpDefect;

async fn status_and_issuer(url: &str) -> (u16, Option<String>) {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap_or_default();
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    (status, body["issuer"].as_str().map(str::to_string))
}

#[tokio::test]
async fn a_path_issuer_is_served_at_every_probe_url() {
    let idp = start_idp(IdpConfig {
        issuer_path: Some("/tenant1".into()),
        ..IdpConfig::default()
    })
    .await
    .unwrap();
    let origin = idp.issuer.trim_end_matches("/tenant1").to_string();
    for url in [
        format!("{origin}/.well-known/oauth-authorization-server/tenant1"),
        format!("{origin}/.well-known/openid-configuration/tenant1"),
        format!("{origin}/tenant1/.well-known/openid-configuration"),
    ] {
        assert_eq!(
            status_and_issuer(&url).await,
            (200, Some(idp.issuer.clone())),
            "{url}"
        );
    }
    // The root documents belong to another issuer (the origin): not served.
    let root = format!("{origin}/.well-known/oauth-authorization-server");
    assert_eq!(status_and_issuer(&root).await.0, 404);
}

#[tokio::test]
async fn an_origin_issuer_and_the_metadata_knobs() {
    let idp = start_idp(IdpConfig::default()).await.unwrap();
    let rfc8414 = format!("{}/.well-known/oauth-authorization-server", idp.issuer);
    let oidc = format!("{}/.well-known/openid-configuration", idp.issuer);
    assert_eq!(
        status_and_issuer(&rfc8414).await,
        (200, Some(idp.issuer.clone()))
    );
    assert_eq!(
        status_and_issuer(&oidc).await,
        (200, Some(idp.issuer.clone()))
    );

    let oidc_only = start_idp(IdpConfig::with_defects([IdpDefect::MetadataOidcOnly]))
        .await
        .unwrap();
    let url = |i: &str, s: &str| format!("{i}/.well-known/{s}");
    assert_eq!(
        status_and_issuer(&url(&oidc_only.issuer, "oauth-authorization-server"))
            .await
            .0,
        404
    );
    assert_eq!(
        status_and_issuer(&url(&oidc_only.issuer, "openid-configuration"))
            .await
            .0,
        200
    );

    let mismatch = start_idp(IdpConfig::with_defects([IdpDefect::MetadataIssuerMismatch]))
        .await
        .unwrap();
    let (_, issuer) = status_and_issuer(&url(&mismatch.issuer, "oauth-authorization-server")).await;
    assert_eq!(issuer, Some(format!("{}/other-tenant", mismatch.issuer)));
}

/// RFC 9449 §5.1, SEP-1932: a DPoP set-up advertises its proof algorithms, asymmetric
/// only (never `none`); other set-ups advertise nothing about DPoP.
#[tokio::test]
async fn only_dpop_set_ups_advertise_dpop_algorithms() {
    use crate::logic::client_set_up::DpopScenario;
    for (dpop, expected) in [
        (
            Some(DpopScenario { nonce: false }),
            serde_json::json!(["ES256"]),
        ),
        (None, serde_json::Value::Null),
    ] {
        let idp = start_idp(IdpConfig {
            dpop,
            ..IdpConfig::default()
        })
        .await
        .unwrap();
        let url = format!("{}/.well-known/oauth-authorization-server", idp.issuer);
        let body: serde_json::Value = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(&url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .map(|b| serde_json::from_slice(&b).unwrap())
            .unwrap();
        assert_eq!(body["dpop_signing_alg_values_supported"], expected);
    }
}
