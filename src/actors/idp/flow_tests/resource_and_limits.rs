//! Resources the IdP does not serve, the knobs that answer them with 500, a token
//! endpoint broken for everyone, fragment redirect URIs, codes without PKCE that are
//! never redeemable, and the registration rate limit.

use super::*;
use crate::actors::idp::MissingPkce;

/// RFC 6761 §6.4: no server serves a host on `.invalid`.
const UNSERVED: &str = "https://unknown-resource.mcp-authspec.invalid/mcp";

#[tokio::test]
async fn unserved_resources_are_refused_with_invalid_target() {
    let f = flow(&[]).await;
    let (id, _) = f.client("none").await;
    assert_eq!(
        redirected_error(&f, &id, &[("resource", UNSERVED)]).await,
        "invalid_target"
    );
    let code = f.code(&id).await;
    let form = redemption(&id, &code, &[("resource", UNSERVED)]);
    let a = f.token(&pairs(&form), None).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::BAD_REQUEST, "invalid_target")
    );
}

#[tokio::test]
async fn knob_invalid_target_server_error() {
    let f = flow(&[D::InvalidTargetServerError]).await;
    let (id, _) = f.client("none").await;
    let code = f.code(&id).await;
    let form = redemption(&id, &code, &[("resource", UNSERVED)]);
    let a = f.token(&pairs(&form), None).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::INTERNAL_SERVER_ERROR, "server_error")
    );
    // The granted resource still works.
    let code = f.code(&id).await;
    assert_eq!(f.redeem(&id, &code).await.status, StatusCode::OK);
}

#[tokio::test]
async fn knob_token_endpoint_server_error() {
    let f = flow(&[D::TokenEndpointServerError]).await;
    let (id, _) = f.client("none").await;
    let code = f.code(&id).await;
    let a = f.redeem(&id, &code).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn knob_accepts_fragment_redirect_uri() {
    let f = flow(&[D::AcceptsFragmentRedirectUri]).await;
    let uri = "https://app.example/cb#frag";
    let a = f.register(json!({"redirect_uris": [uri]})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(a.body["redirect_uris"], json!([uri]));
}

#[tokio::test]
async fn a_code_without_pkce_can_be_issued_but_never_redeemed() {
    let f = flow_with(IdpConfig {
        missing_pkce: MissingPkce::CodeNeverRedeemable,
        ..IdpConfig::default()
    })
    .await;
    let (id, _) = f.client("none").await;
    let changes = [("code_challenge", ""), ("code_challenge_method", "")];
    for verifier in ["", VERIFIER] {
        let params = location(&f.authorize(&request(&id, &changes)).await);
        let form = redemption(&id, &params["code"], &[("code_verifier", verifier)]);
        let a = f.token(&pairs(&form), None).await;
        assert_eq!(
            (a.status, a.error()),
            (StatusCode::BAD_REQUEST, "invalid_grant"),
            "verifier {verifier:?}"
        );
    }
}

#[tokio::test]
async fn registrations_beyond_the_limit_get_429() {
    let f = flow_with(IdpConfig {
        registration_limit: Some(1),
        ..IdpConfig::default()
    })
    .await;
    let metadata = json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"});
    assert_eq!(
        f.register(metadata.clone()).await.status,
        StatusCode::CREATED
    );
    let a = f.register(metadata).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_requests")
    );
    assert!(a.headers.get(reqwest::header::RETRY_AFTER).is_some());
    assert_eq!(f.idp.registration_requests(), 2);
}
