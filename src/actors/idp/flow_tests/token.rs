//! The token endpoint: code redemption, client authentication and refresh.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::header::WWW_AUTHENTICATE;
use sha2::{Digest, Sha256};

use super::*;

#[test]
fn rfc7636_appendix_b_challenge_is_reproduced() {
    assert_eq!(URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER)), CHALLENGE);
}

/// Redeems a fresh code with `changes` to the token request.
async fn redeem_with(f: &Flow, id: &str, changes: &[(&str, &str)]) -> Answer {
    let code = f.code(id).await;
    let form = redemption(id, &code, changes);
    f.token(&pairs(&form), None).await
}

#[tokio::test]
async fn code_redemption_errors() {
    let f = flow(&[]).await;
    let (id, _) = f.client("none").await;
    let other_verifier = "x".repeat(43);
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("code_verifier", &other_verifier)], "invalid_grant"),
        (&[("code_verifier", "too-short")], "invalid_request"),
        (&[("code_verifier", "")], "invalid_request"),
        (
            &[("redirect_uri", "http://127.0.0.1:9/other")],
            "invalid_grant",
        ),
        (
            &[("resource", "https://other.example/mcp")],
            "invalid_target",
        ),
        (&[("code", "unknown")], "invalid_grant"),
        (&[("grant_type", "password")], "unsupported_grant_type"),
    ];
    for (changes, error) in cases {
        let a = redeem_with(&f, &id, changes).await;
        assert_eq!(
            (a.status, a.error()),
            (StatusCode::BAD_REQUEST, error),
            "{changes:?}"
        );
        assert_eq!(a.headers[CACHE_CONTROL], "no-store");
    }
}

#[tokio::test]
async fn knob_skips_pkce_verification() {
    let f = flow(&[D::SkipsPkceVerification]).await;
    let (id, _) = f.client("none").await;
    let a = redeem_with(&f, &id, &[("code_verifier", &"x".repeat(43))]).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn knob_skips_redirect_uri_check() {
    let f = flow(&[D::SkipsRedirectUriCheck]).await;
    let (id, _) = f.client("none").await;
    let a = redeem_with(&f, &id, &[("redirect_uri", "http://127.0.0.1:9/other")]).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn codes_are_single_use_unless_knob() {
    for (defects, second) in [
        (vec![], StatusCode::BAD_REQUEST),
        (vec![D::ReusableCodes], StatusCode::OK),
    ] {
        let f = flow(&defects).await;
        let (id, _) = f.client("none").await;
        let code = f.code(&id).await;
        assert_eq!(f.redeem(&id, &code).await.status, StatusCode::OK);
        assert_eq!(f.redeem(&id, &code).await.status, second, "{defects:?}");
    }
}

#[tokio::test]
async fn codes_belong_to_their_client_unless_knob() {
    for (defects, status) in [
        (vec![], StatusCode::BAD_REQUEST),
        (vec![D::SkipsClientCheck], StatusCode::OK),
    ] {
        let f = flow(&defects).await;
        let (id, _) = f.client("none").await;
        let (thief, _) = f.client("none").await;
        let code = f.code(&id).await;
        assert_eq!(f.redeem(&thief, &code).await.status, status, "{defects:?}");
    }
}

#[tokio::test]
async fn confidential_client_with_basic() {
    let f = flow(&[]).await;
    let (id, secret) = f.client("client_secret_basic").await;
    // RFC 6749 §2.3.1: credentials are form-urlencoded; percent-encode every character.
    let encoded: String = secret.bytes().map(|b| format!("%{b:02X}")).collect();
    let code = f.code(&id).await;
    let form = redemption(&id, &code, &[("client_id", "")]);
    let a = f.token(&pairs(&form), Some(basic(&id, &encoded))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let refresh = a.field("refresh_token");
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    let a = f.token(&form, Some(basic(&id, &secret))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(
        a.body.get("refresh_token").is_none(),
        "confidential clients keep theirs"
    );

    let a = f.token(&form, Some(basic(&id, "wrong"))).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    assert_eq!(
        a.headers[WWW_AUTHENTICATE],
        "Basic realm=\"mcp-authspec-idp\""
    );
    let post = [
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    // RFC 6749 §2.3.1: the server offers both secret methods, so post is taken too,
    // with the right secret only.
    let a = f.token(&[&form[..], &post[..]].concat(), None).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "the other secret method: {}",
        a.body
    );
    let code = f.code(&id).await;
    let wrong = [("client_id", id.as_str()), ("client_secret", "wrong")];
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let a = f.token(&[&form[..], &wrong[..]].concat(), None).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client"),
        "wrong secret in the body"
    );
    let a = f.token(&[&form[..], &post[..1]].concat(), None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "no authentication");
}

#[tokio::test]
async fn confidential_client_with_post() {
    let f = flow(&[]).await;
    let (id, secret) = f.client("client_secret_post").await;
    let code = f.code(&id).await;
    let form = redemption(&id, &code, &[("client_secret", &secret)]);
    let a = f.token(&pairs(&form), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let refresh = a.field("refresh_token");
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", &refresh),
        ("client_id", &id),
        ("client_secret", "wrong"),
    ];
    let a = f.token(&form, None).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    assert!(a.headers.get(WWW_AUTHENTICATE).is_none());
    let a = f.token(&form, Some(basic(&id, &secret))).await;
    assert_eq!(
        a.error(),
        "invalid_request",
        "two authentication methods at once"
    );
}

#[tokio::test]
async fn refresh_checks_scope_resource_and_client() {
    let f = flow(&[]).await;
    let (id, _) = f.client("none").await;
    let (other, _) = f.client("none").await;
    let code = f.code(&id).await;
    let refresh = f.redeem(&id, &code).await.field("refresh_token");
    let base = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    let cases: [(&[(&str, &str)], &str); 3] = [
        (
            &[("client_id", &id), ("scope", "mcp:tools admin")],
            "invalid_scope",
        ),
        (
            &[("client_id", &id), ("resource", "https://other.example/")],
            "invalid_target",
        ),
        (&[("client_id", &other)], "invalid_grant"),
    ];
    for (extra, error) in cases {
        let a = f.token(&[&base[..], extra].concat(), None).await;
        assert_eq!(
            (a.status, a.error()),
            (StatusCode::BAD_REQUEST, error),
            "{extra:?}"
        );
    }
    let extra = [
        ("client_id", id.as_str()),
        ("scope", DEFAULT_SCOPE),
        ("resource", RESOURCE),
    ];
    let a = f.token(&[&base[..], &extra[..]].concat(), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
}

#[tokio::test]
async fn knob_no_refresh_rotation() {
    let f = flow(&[D::NoRefreshRotation]).await;
    let (id, _) = f.client("none").await;
    let code = f.code(&id).await;
    let refresh = f.redeem(&id, &code).await.field("refresh_token");
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", &refresh),
        ("client_id", &id),
    ];
    for _ in 0..2 {
        let a = f.token(&form, None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(a.body.get("refresh_token").is_none());
    }
}

#[tokio::test]
async fn token_requests_must_be_forms() {
    let f = flow(&[]).await;
    let (id, _) = f.client("none").await;
    let body = format!("grant_type=refresh_token&client_id={id}&refresh_token=x");
    let request = f
        .http
        .post(f.url("token"))
        .header(CONTENT_TYPE, "application/json")
        .body(body);
    let a = answer(request.send().await.unwrap()).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    let a = f
        .token(
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &id),
                ("client_id", &id),
            ],
            None,
        )
        .await;
    assert_eq!(a.error(), "invalid_request", "repeated parameter");
}

#[tokio::test]
async fn absent_scope_and_resource_grant_all_scopes_for_the_issuer() {
    let f = flow(&[]).await;
    let (id, _) = f.client("none").await;
    let changes = [("resource", "")];
    let params = location(&f.authorize(&request(&id, &changes)).await);
    let form = redemption(&id, &params["code"], &changes);
    let a = f.token(&pairs(&form), None).await;
    assert_eq!(a.body["scope"], DEFAULT_SCOPE);
    assert_eq!(
        f.claims(&a.field("access_token"))["aud"],
        f.idp.issuer.as_str()
    );
}

#[tokio::test]
async fn knob_ignores_resource() {
    let f = flow(&[D::IgnoresResource]).await;
    let (id, _) = f.client("none").await;
    let code = f.code(&id).await;
    let a = f.redeem(&id, &code).await;
    assert_eq!(
        f.claims(&a.field("access_token"))["aud"],
        f.idp.issuer.as_str()
    );
}
