//! `Consent::LoginForm`: the login page, its submission and the ways it fails. reqwest
//! keeps no cookies here, so the tests carry the session cookie by hand.

use regex::Regex;
use reqwest::header::{COOKIE, SET_COOKIE};

use super::*;
use crate::actors::idp::{Consent, LOGIN_PASSWORD, LOGIN_USERNAME};

async fn login_flow() -> Flow {
    flow_with(IdpConfig {
        consent: Consent::LoginForm,
        ..IdpConfig::default()
    })
    .await
}

/// What a browser keeps of a login page.
struct LoginPage {
    action: String,
    csrf: String,
    request: String,
    /// `idp_session=…`, as the `Cookie` header sends it back.
    cookie: String,
}

fn hidden(page: &str, name: &str) -> String {
    let pattern = format!(r#"<input type="hidden" name="{name}" value="([^"]+)">"#);
    let found = Regex::new(&pattern).unwrap().captures(page);
    found.map(|c| c[1].to_string()).unwrap_or_default()
}

/// Sends a valid authorization request and reads the login page it is answered with.
async fn login_page(f: &Flow, client_id: &str) -> LoginPage {
    let response = f.authorize(&request(client_id, &[])).await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let attributes = Regex::new(r"^idp_session=([0-9a-f]+); Path=/; HttpOnly; SameSite=Lax$");
    assert!(attributes.unwrap().is_match(&set_cookie), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap_or_default().to_string();
    let page = response.text().await.unwrap();
    let action = Regex::new(r#"<form method="post" action="([^"]+)">"#).unwrap();
    let action = action.captures(&page).map(|c| c[1].to_string());
    for field in ["username", "password"] {
        assert!(page.contains(&format!("name=\"{field}\"")), "{page}");
    }
    LoginPage {
        action: action.unwrap_or_default(),
        csrf: hidden(&page, "csrf"),
        request: hidden(&page, "request"),
        cookie,
    }
}

/// Submits the form with `changes` to its fields, sending `cookie` if any.
async fn submit(
    f: &Flow,
    page: &LoginPage,
    changes: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    let base = [
        ("csrf", page.csrf.as_str()),
        ("request", page.request.as_str()),
        ("username", LOGIN_USERNAME),
        ("password", LOGIN_PASSWORD),
    ];
    let mut request = f.http.post(&page.action).form(&apply(&base, changes));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn login_form_flow_issues_the_code() {
    let f = login_flow().await;
    let (id, _) = f.client("none").await;
    let page = login_page(&f, &id).await;
    assert_eq!(page.action, format!("{}/login", f.idp.issuer));
    assert!(!page.csrf.is_empty() && !page.request.is_empty());
    // A browser sends other cookies along; the session one is found among them.
    let cookies = format!("theme=dark; {}", page.cookie);
    let response = submit(&f, &page, &[], Some(&cookies)).await;
    let params = location(&response);
    assert_eq!(params["state"], "xyz");
    assert_eq!(params["iss"], f.idp.issuer);
    let a = f.redeem(&id, &params["code"]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // Single use: the same form cannot be submitted again.
    let again = submit(&f, &page, &[], Some(&page.cookie)).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

/// Submits a fresh login page with `changes` and checks it fails without a redirect.
async fn assert_login_fails(changes: &[(&str, &str)], send_cookie: bool, other_session: bool) {
    let f = login_flow().await;
    let (id, _) = f.client("none").await;
    let page = login_page(&f, &id).await;
    let cookie = if other_session {
        login_page(&f, &id).await.cookie
    } else {
        page.cookie.clone()
    };
    let response = submit(&f, &page, changes, send_cookie.then_some(cookie.as_str())).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{changes:?}");
    assert!(response.headers().get(LOCATION).is_none());
    let content_type = response.headers()[CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(response.text().await.unwrap().contains("login failed"));
    // The failed attempt used the pending request up.
    let retry = submit(&f, &page, &[], Some(&page.cookie)).await;
    assert_eq!(retry.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn login_form_refuses_wrong_csrf() {
    let other = "0".repeat(32);
    assert_login_fails(&[("csrf", &other)], true, false).await;
    assert_login_fails(&[("csrf", "")], true, false).await;
}

#[tokio::test]
async fn login_form_refuses_missing_or_foreign_cookie() {
    assert_login_fails(&[], false, false).await;
    assert_login_fails(&[], true, true).await;
}

#[tokio::test]
async fn login_form_refuses_wrong_password() {
    assert_login_fails(&[("password", "guess")], true, false).await;
    assert_login_fails(&[("username", "mallory")], true, false).await;
}

#[tokio::test]
async fn login_form_mode_still_redirects_request_errors() {
    let f = login_flow().await;
    let (id, _) = f.client("none").await;
    assert_eq!(
        redirected_error(&f, &id, &[("code_challenge", "")]).await,
        "invalid_request"
    );
    let unknown = f.authorize(&request("nobody", &[])).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
}
