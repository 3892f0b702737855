//! Knobs of the token endpoint, PKCE downgrade and code expiry.

use super::*;
use crate::actors::idp::state::lock;
use crate::actors::idp::CODE_LIFETIME;
use crate::actors::tokens::DEFAULT_LIFETIME;

/// An authorization request without PKCE.
const NO_PKCE: [(&str, &str); 2] = [("code_challenge", ""), ("code_challenge_method", "")];

#[tokio::test]
async fn knob_no_cache_control() {
    let f = flow(&[D::NoCacheControl]).await;
    let (id, _) = f.client("none").await;
    let code = f.code(&id).await;
    let ok = f.redeem(&id, &code).await;
    assert_eq!(ok.status, StatusCode::OK);
    let refused = f.redeem(&id, &code).await;
    assert_eq!(refused.error(), "invalid_grant");
    for a in [ok, refused] {
        assert!(a.headers.get(CACHE_CONTROL).is_none(), "{}", a.status);
    }
}

#[tokio::test]
async fn knob_non_json_errors() {
    let f = flow(&[D::NonJsonErrors]).await;
    let (id, _) = f.client("none").await;
    let form = redemption(&id, "unknown", &[]);
    let response = f.http.post(f.url("token")).form(&pairs(&form)).send();
    let response = response.await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let content_type = response.headers()[CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let body = response.text().await.unwrap();
    assert!(body.starts_with("error: invalid_grant"), "{body}");
    assert!(serde_json::from_str::<Value>(&body).is_err());
}

/// A code issued without PKCE, redeemed with a `code_verifier`.
async fn downgraded_redemption(defects: &[D]) -> Answer {
    let f = flow(defects).await;
    let (id, _) = f.client("none").await;
    let params = location(&f.authorize(&request(&id, &NO_PKCE)).await);
    let form = redemption(&id, &params["code"], &[]);
    f.token(&pairs(&form), None).await
}

#[tokio::test]
async fn pkce_downgrade_is_refused_even_when_pkce_is_optional() {
    let a = downgraded_redemption(&[D::AcceptsMissingPkce]).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::BAD_REQUEST, "invalid_grant"),
        "RFC 9700 §4.8.2"
    );
}

#[tokio::test]
async fn knob_accepts_pkce_downgrade() {
    let a = downgraded_redemption(&[D::AcceptsPkceDowngrade]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
}

#[tokio::test]
async fn knob_skips_refresh_client_check() {
    for (defects, status) in [
        (vec![], StatusCode::BAD_REQUEST),
        (vec![D::SkipsRefreshClientCheck], StatusCode::OK),
    ] {
        let f = flow(&defects).await;
        let (id, _) = f.client("none").await;
        let (thief, _) = f.client("none").await;
        let code = f.code(&id).await;
        let refresh = f.redeem(&id, &code).await.field("refresh_token");
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &thief),
        ];
        let a = f.token(&form, None).await;
        assert_eq!(a.status, status, "{defects:?}: {}", a.body);
    }
}

#[tokio::test]
async fn knob_long_lived_access_tokens() {
    for (defects, lifetime) in [
        (vec![], DEFAULT_LIFETIME),
        (vec![D::LongLivedAccessTokens], 30 * 24 * 3600),
    ] {
        let f = flow(&defects).await;
        let (id, _) = f.client("none").await;
        let code = f.code(&id).await;
        let a = f.redeem(&id, &code).await;
        assert_eq!(a.body["expires_in"], lifetime, "{defects:?}");
        let claims = f.claims(&a.field("access_token"));
        let exp = claims["exp"].as_i64().unwrap_or_default();
        let iat = claims["iat"].as_i64().unwrap_or_default();
        assert_eq!(exp - iat, lifetime, "{defects:?}");
    }
}

#[tokio::test]
async fn codes_expire_after_ten_minutes() {
    let f = flow(&[]).await;
    let (id, _) = f.client("none").await;
    let (fresh, stale) = (f.code(&id).await, f.code(&id).await);
    {
        let mut codes = lock(&f.idp.state().codes);
        let grant = codes.get_mut(&stale).unwrap();
        grant.issued_at -= CODE_LIFETIME;
    }
    let a = f.redeem(&id, &stale).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    assert_eq!(f.redeem(&id, &fresh).await.status, StatusCode::OK);
}

#[tokio::test]
async fn knob_skips_client_secret_check() {
    let f = flow(&[D::SkipsBasicSecretCheck]).await;
    let (basic_id, _) = f.client("client_secret_basic").await;
    let code = f.code(&basic_id).await;
    let form = redemption(&basic_id, &code, &[("client_id", "")]);
    let a = f
        .token(&pairs(&form), Some(basic(&basic_id, "wrong")))
        .await;
    assert_eq!(a.status, StatusCode::OK, "any secret: {}", a.body);

    let (post_id, _) = f.client("client_secret_post").await;
    let code = f.code(&post_id).await;
    let form = redemption(&post_id, &code, &[]);
    let a = f.token(&pairs(&form), None).await;
    assert_eq!(a.status, StatusCode::OK, "no secret: {}", a.body);

    // The method's shape still counts: a Basic client must send a secret somehow.
    let code = f.code(&basic_id).await;
    let form = redemption(&basic_id, &code, &[]);
    let a = f.token(&pairs(&form), None).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
}
