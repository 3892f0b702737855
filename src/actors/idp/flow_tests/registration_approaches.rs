//! Client ID metadata documents, the advertised token endpoint methods and what a
//! registration is given, and the pre-registered client's loopback redirect URIs.

use std::sync::{Arc, Mutex};

use axum::routing::get;
use axum::{Json, Router};

use super::*;
use crate::actors::idp::{metadata_document, Client};
use crate::actors::listener::{bind_loopback, serve_listener, Listening};
use crate::actors::traffic::TrafficLog;
use crate::vocab::{IdpKnob, Revision};

/// Serves whatever document the test puts in the slot at `/cimd.json`.
async fn document_server() -> (String, Arc<Mutex<Value>>, Listening) {
    let slot = Arc::new(Mutex::new(Value::Null));
    let served = slot.clone();
    let router = Router::new().route(
        "/cimd.json",
        get(move || {
            let doc = served.lock().unwrap().clone();
            async move { Json(doc) }
        }),
    );
    let bound = bind_loopback().await.unwrap();
    let url = format!("http://{}/cimd.json", bound.local_addr().unwrap());
    (url, slot, serve_listener(bound, router).unwrap())
}

fn at(revision: Revision) -> IdpConfig {
    IdpConfig {
        revision: Some(revision),
        traffic: Some(TrafficLog::default()),
        ..IdpConfig::default()
    }
}

fn notes(f: &Flow) -> Vec<String> {
    f.idp.state().config.traffic.as_ref().unwrap().notes()
}

#[tokio::test]
async fn client_id_metadata_documents_are_advertised_only_where_they_exist() {
    for (revision, advertised) in [
        (Revision::R2025_03_26, false),
        (Revision::R2025_06_18, false),
        (Revision::R2025_11_25, true),
        (Revision::R2026_07_28, true),
    ] {
        let f = flow_with(at(revision)).await;
        let m = metadata_document(f.idp.state());
        assert_eq!(
            m.get("client_id_metadata_document_supported") == Some(&json!(true)),
            advertised,
            "{revision}"
        );
    }
    // A server that serves confidential clients only cannot take a document client.
    let f = flow_with(IdpConfig {
        preregistered: vec![Client::preregistered(
            "p",
            Some("s".into()),
            "client_secret_basic",
        )],
        ..at(Revision::R2026_07_28)
    })
    .await;
    let m = metadata_document(f.idp.state());
    assert!(m.get("client_id_metadata_document_supported").is_none());
    assert_eq!(
        m["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic"])
    );
}

#[tokio::test]
async fn a_loopback_document_is_fetched_and_judged() {
    let (url, slot, _server) = document_server().await;
    let f = flow_with(at(Revision::R2025_11_25)).await;
    let good = json!({
        "client_id": url,
        "client_name": "test",
        "redirect_uris": ["http://127.0.0.1:7/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_method": "none",
    });
    *slot.lock().unwrap() = good.clone();
    // RFC 8252 §7.3: another port of the loopback redirect URI is fine.
    let response = f.authorize(&request(&url, &[])).await;
    let code = location(&response)["code"].clone();
    let a = f.redeem(&url, &code).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(notes(&f).is_empty(), "{:?}", notes(&f));

    let refused = |doc: Value, needle: &'static str| {
        let slot = slot.clone();
        let url = url.clone();
        let f = &f;
        async move {
            *slot.lock().unwrap() = doc;
            let response = f.authorize(&request(&url, &[])).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
            let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
            let why = body["error_description"].as_str().unwrap().to_string();
            assert!(why.contains(needle), "{why}");
        }
    };
    let mut other_id = good.clone();
    other_id["client_id"] = json!(format!("{url}/"));
    refused(other_id, "not the document's URL exactly").await;
    let mut other_uri = good.clone();
    other_uri["redirect_uris"] = json!(["http://127.0.0.1:7/elsewhere"]);
    refused(
        other_uri,
        "not among the redirect_uris of the client ID metadata document",
    )
    .await;
    let mut secret = good.clone();
    secret["token_endpoint_auth_method"] = json!("client_secret_basic");
    refused(secret, "shared-secret method").await;
    let mut nameless = good;
    nameless.as_object_mut().unwrap().remove("client_name");
    refused(nameless, "client_name").await;
    refused(json!(["not", "an", "object"]), "not a JSON object").await;
}

#[tokio::test]
async fn an_unreachable_https_document_is_accepted_with_a_note() {
    let f = flow_with(at(Revision::R2026_07_28)).await;
    let url = "https://conformance-test.local/client-metadata.json";
    let response = f
        .authorize(&request(
            url,
            &[("redirect_uri", "http://localhost:3000/callback")],
        ))
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let notes = notes(&f);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("accepted without verification"),
        "{}",
        notes[0]
    );
    // Not advertised before 2025-11-25, so not taken either.
    let f = flow_with(at(Revision::R2025_06_18)).await;
    let response = f.authorize(&request(url, &[])).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_preregistered_client_may_use_any_loopback_redirect_uri() {
    let f = flow_with(IdpConfig {
        preregistered: vec![Client::preregistered("pre", None, "none")],
        ..IdpConfig::default()
    })
    .await;
    for uri in [
        "http://localhost:3000/callback",
        "http://127.0.0.1:18999/cb",
        "http://[::1]:8/x",
    ] {
        let response = f.authorize(&request("pre", &[("redirect_uri", uri)])).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{uri}");
    }
    for uri in ["http://evil.example/cb", "https://127.0.0.1/cb"] {
        let response = f.authorize(&request("pre", &[("redirect_uri", uri)])).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
    }
}

#[tokio::test]
async fn one_advertised_method_is_what_registrations_get_and_requests_use() {
    let config = |knobs: &[IdpKnob]| IdpConfig {
        preregistered: vec![Client::preregistered(
            "pre",
            Some("s3cret".into()),
            "client_secret_post",
        )],
        knobs: knobs.iter().copied().collect(),
        traffic: Some(TrafficLog::default()),
        ..IdpConfig::default()
    };
    let f = flow_with(config(&[])).await;
    let m = metadata_document(f.idp.state());
    assert_eq!(
        m["token_endpoint_auth_methods_supported"],
        json!(["client_secret_post"])
    );
    // RFC 7591 §3.2.1: the requested none is replaced, with a secret, and said so.
    let a = f
        .register(json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"}))
        .await;
    assert_eq!(a.field("token_endpoint_auth_method"), "client_secret_post");
    assert!(!a.field("client_secret").is_empty());
    assert!(notes(&f)[0].contains("registered the client with client_secret_post"));
    // Basic is not offered: refused for the post client.
    let code = f.code("pre").await;
    let form = redemption("pre", &code, &[("client_id", "")]);
    let refused = f.token(&pairs(&form), Some(basic("pre", "s3cret"))).await;
    assert_eq!(refused.error(), "invalid_client", "{}", refused.body);

    // With several methods offered, either secret method is taken.
    let f = flow_with(config(&[IdpKnob::SeveralAuthMethods])).await;
    let m = metadata_document(f.idp.state());
    assert_eq!(
        m["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let code = f.code("pre").await;
    let form = redemption("pre", &code, &[("client_id", "")]);
    let a = f.token(&pairs(&form), Some(basic("pre", "s3cret"))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let code = f.code("pre").await;
    let form = redemption("pre", &code, &[("client_secret", "s3cret")]);
    let a = f.token(&pairs(&form), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // Never as a public client, though.
    let code = f.code("pre").await;
    assert_eq!(f.redeem("pre", &code).await.error(), "invalid_client");

    // Public clients only: every registration is none.
    let f = flow_with(IdpConfig {
        knobs: [IdpKnob::PublicClientsOnly].into_iter().collect(),
        ..IdpConfig::default()
    })
    .await;
    let a = f
        .register(json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "client_secret_post"}))
        .await;
    assert_eq!(a.field("token_endpoint_auth_method"), "none");
    assert!(a.field("client_secret").is_empty());
}
