//! Knobs of the authorization endpoint, the metadata and registration.

use super::*;
use crate::actors::idp::metadata_document;

#[tokio::test]
async fn knob_drops_state() {
    let f = flow(&[D::DropsState]).await;
    let (id, _) = f.client("none").await;
    let params = location(&f.authorize(&request(&id, &[])).await);
    assert!(params.contains_key("code"));
    assert!(!params.contains_key("state"), "{params:?}");
    // Only successful responses lose it.
    assert_eq!(
        redirected_error(&f, &id, &[("code_challenge", "")]).await,
        "invalid_request"
    );
}

#[tokio::test]
async fn knob_alters_state() {
    let f = flow(&[D::AltersState]).await;
    let (id, _) = f.client("none").await;
    let params = location(&f.authorize(&request(&id, &[])).await);
    assert_eq!(params["state"], "xyz-x");
}

#[tokio::test]
async fn knob_open_redirector() {
    let evil = "https://evil.example/cb";
    for (defects, redirected) in [(vec![], false), (vec![D::OpenRedirector], true)] {
        let f = flow(&defects).await;
        let (id, _) = f.client("none").await;
        let response = f.authorize(&request(&id, &[("redirect_uri", evil)])).await;
        if !redirected {
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
            assert!(response.headers().get(LOCATION).is_none());
            continue;
        }
        assert_eq!(response.status(), StatusCode::FOUND);
        let target = response.headers()[LOCATION].to_str().unwrap();
        assert!(target.starts_with(evil), "{target}");
        let params: HashMap<String, String> = Url::parse(target)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        assert_eq!(params["error"], "invalid_request");
        assert_eq!(params["state"], "xyz");
    }
}

#[tokio::test]
async fn knob_iss_without_metadata_flag() {
    let flag = "authorization_response_iss_parameter_supported";
    let f = flow(&[]).await;
    assert_eq!(metadata_document(f.idp.state())[flag], true);
    let f = flow(&[D::IssuesWithoutIssFlag]).await;
    assert!(metadata_document(f.idp.state()).get(flag).is_none());
    let (id, _) = f.client("none").await;
    let params = location(&f.authorize(&request(&id, &[])).await);
    assert_eq!(params["iss"], f.idp.issuer, "iss is still sent");
}

#[tokio::test]
async fn knob_refuses_valid_registration() {
    let f = flow(&[D::RefusesValidRegistration]).await;
    let a = f
        .register(json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"}))
        .await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::BAD_REQUEST, "invalid_client_metadata")
    );
}

#[tokio::test]
async fn knob_no_client_id_in_registration() {
    let f = flow(&[D::NoClientIdInRegistration]).await;
    let a = f.register(json!({"redirect_uris": [REDIRECT]})).await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert!(a.body.get("client_id").is_none(), "{}", a.body);
    assert!(a.body.get("redirect_uris").is_some());
}

#[tokio::test]
async fn knob_registration_wrong_error_code() {
    let f = flow(&[D::RegistrationWrongErrorCode]).await;
    for metadata in [
        json!({"redirect_uris": ["https://app.example/cb#frag"]}),
        json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "private_key_jwt"}),
    ] {
        let a = f.register(metadata.clone()).await;
        assert_eq!(
            (a.status, a.error()),
            (StatusCode::BAD_REQUEST, "server_error"),
            "{metadata}"
        );
    }
    let a = f.register(json!({"redirect_uris": [REDIRECT]})).await;
    assert_eq!(
        a.status,
        StatusCode::CREATED,
        "valid metadata still registers"
    );
}
