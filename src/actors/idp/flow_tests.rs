//! The registration, authorization and token endpoints, driven over HTTP like a client.

use std::collections::{BTreeSet, HashMap};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

use super::{start_idp, IdpConfig, MockIdp, DEFAULT_SCOPE};
use crate::actors::tokens::verify_signature;
use crate::vocab::IdpDefect as D;

mod client_knobs;
mod knobs;
mod login;
mod registration_approaches;
mod resource_and_limits;
mod token;
mod token_knobs;

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const RESOURCE: &str = "https://mcp.example.test/mcp";
// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

struct Flow {
    idp: MockIdp,
    http: reqwest::Client,
}

/// A token endpoint answer.
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }

    fn field(&self, name: &str) -> String {
        self.body[name].as_str().unwrap_or_default().to_string()
    }
}

async fn flow(defects: &[D]) -> Flow {
    flow_with(IdpConfig::with_defects(defects.iter().copied())).await
}

async fn flow_with(config: IdpConfig) -> Flow {
    let idp = start_idp(config).await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    Flow { idp, http }
}

impl Flow {
    fn url(&self, name: &str) -> String {
        self.idp.state().endpoint(name)
    }

    async fn register(&self, metadata: Value) -> Answer {
        let response = self
            .http
            .post(self.url("register"))
            .header(CONTENT_TYPE, "application/json")
            .body(metadata.to_string())
            .send()
            .await
            .unwrap();
        answer(response).await
    }

    /// Registers a client and returns (client_id, client_secret).
    async fn client(&self, method: &str) -> (String, String) {
        let a = self
            .register(json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": method}))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        (a.field("client_id"), a.field("client_secret"))
    }

    async fn authorize(&self, params: &[(&str, &str)]) -> reqwest::Response {
        let response = self.http.get(self.url("authorize")).query(params).send();
        response.await.unwrap()
    }

    /// Authorizes with S256 and the resource; returns the code.
    async fn code(&self, client_id: &str) -> String {
        let response = self.authorize(&request(client_id, &[])).await;
        let params = location(&response);
        params["code"].clone()
    }

    async fn token(&self, form: &[(&str, &str)], authorization: Option<String>) -> Answer {
        let mut request = self.http.post(self.url("token")).form(form);
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value);
        }
        answer(request.send().await.unwrap()).await
    }

    /// Redeems a code for a public client with the usual parameters.
    async fn redeem(&self, client_id: &str, code: &str) -> Answer {
        let form = redemption(client_id, code, &[]);
        self.token(&pairs(&form), None).await
    }

    fn claims(&self, token: &str) -> serde_json::Map<String, Value> {
        verify_signature(token, &self.idp.state().keys.jwks, &BTreeSet::new()).unwrap()
    }
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// An authorization request with `changes` applied (an empty value removes a parameter).
fn request<'a>(client_id: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let base = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("state", "xyz"),
        ("resource", RESOURCE),
    ];
    apply(&base, changes)
}

fn redemption(client_id: &str, code: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let base = [
        ("grant_type", "authorization_code"),
        ("client_id", client_id),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("resource", RESOURCE),
    ];
    apply(&base, changes)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn apply<'a>(
    base: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut params: Vec<(&str, &str)> = base
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .copied()
        .collect();
    params.extend(changes.iter().filter(|(_, v)| !v.is_empty()).copied());
    params
}

fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The query parameters of a 302's `Location`.
fn location(response: &reqwest::Response) -> HashMap<String, String> {
    assert_eq!(response.status(), StatusCode::FOUND);
    let target = response.headers()[LOCATION].to_str().unwrap();
    let url = Url::parse(target).unwrap();
    assert!(target.starts_with(REDIRECT), "{target}");
    url.query_pairs().into_owned().collect()
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

#[tokio::test]
async fn happy_path_public_client_with_resource_and_rotation() {
    let f = flow(&[]).await;
    let (client_id, secret) = f.client("none").await;
    assert!(secret.is_empty(), "a public client gets no secret");
    let response = f.authorize(&request(&client_id, &[])).await;
    let params = location(&response);
    assert_eq!(params["state"], "xyz");
    assert_eq!(params["iss"], f.idp.issuer);
    let a = f.redeem(&client_id, &params["code"]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.headers[CACHE_CONTROL], "no-store");
    assert_eq!(a.body["token_type"], "Bearer");
    assert_eq!(a.body["scope"], DEFAULT_SCOPE);
    let claims = f.claims(&a.field("access_token"));
    assert_eq!(claims["aud"], RESOURCE);
    assert_eq!(claims["client_id"], client_id.as_str());
    assert_eq!(claims["iss"], f.idp.issuer.as_str());

    let old = a.field("refresh_token");
    let refresh = [
        ("grant_type", "refresh_token"),
        ("client_id", &client_id),
        ("refresh_token", &old),
    ];
    let a = f.token(&refresh, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let new = a.field("refresh_token");
    assert!(
        !new.is_empty() && new != old,
        "a public client's refresh token rotates"
    );
    assert_eq!(f.claims(&a.field("access_token"))["aud"], RESOURCE);
    let a = f.token(&refresh, None).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
}

#[tokio::test]
async fn registration_checks_metadata() {
    let f = flow(&[]).await;
    let a = f
        .register(json!({"redirect_uris": [REDIRECT], "client_name": "x"}))
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(a.body["token_endpoint_auth_method"], "client_secret_basic");
    assert!(!a.field("client_secret").is_empty());
    assert_eq!(a.body["client_secret_expires_at"], 0);
    assert_eq!(a.body["client_name"], "x");
    assert_eq!(a.body["response_types"], json!(["code"]));
    for uris in [
        json!(["http://evil.example/cb"]),
        json!(["https://app.example/cb#frag"]),
        json!(["/relative"]),
        json!([]),
        json!("https://app.example/cb"),
    ] {
        let a = f.register(json!({"redirect_uris": uris})).await;
        assert_eq!(
            (a.status, a.error()),
            (StatusCode::BAD_REQUEST, "invalid_redirect_uri"),
            "{uris}"
        );
    }
    let a = f
        .register(
            json!({"token_endpoint_auth_method": "private_key_jwt", "redirect_uris": [REDIRECT]}),
        )
        .await;
    assert_eq!(a.error(), "invalid_client_metadata");
    let malformed = f
        .http
        .post(f.url("register"))
        .header(CONTENT_TYPE, "application/json")
        .body("{");
    let a = answer(malformed.send().await.unwrap()).await;
    assert_eq!(
        (a.status, a.error()),
        (StatusCode::BAD_REQUEST, "invalid_client_metadata")
    );
    for uri in [
        "http://localhost:3000/cb",
        "http://[::1]/cb",
        "https://app.example/cb?x=1",
    ] {
        let a = f.register(json!({"redirect_uris": [uri]})).await;
        assert_eq!(a.status, StatusCode::CREATED, "{uri}");
    }
}

#[tokio::test]
async fn knob_accepts_insecure_redirect_uri() {
    let f = flow(&[D::AcceptsInsecureRedirectUri]).await;
    let a = f
        .register(json!({"redirect_uris": ["http://evil.example/cb"]}))
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
}

#[tokio::test]
async fn unverified_client_or_redirect_is_answered_not_redirected() {
    let f = flow(&[]).await;
    let (client_id, _) = f.client("none").await;
    for changes in [
        vec![("client_id", "nobody")],
        vec![("client_id", "")],
        vec![("redirect_uri", "http://127.0.0.1:9/callback/evil")],
    ] {
        let response = f.authorize(&request(&client_id, &changes)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{changes:?}");
        assert!(response.headers().get(LOCATION).is_none());
        assert_eq!(answer(response).await.error(), "invalid_request");
    }
    // OAuth 2.1 §4.1.1: with a single registered redirect URI it may be left out.
    let response = f
        .authorize(&request(&client_id, &[("redirect_uri", "")]))
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn knob_prefix_redirect_uri() {
    let f = flow(&[D::PrefixRedirectUri]).await;
    let (client_id, _) = f.client("none").await;
    let evil = "http://127.0.0.1:9/callback/evil";
    let response = f
        .authorize(&request(&client_id, &[("redirect_uri", evil)]))
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
}

/// The `error` an authorization request with `changes` is redirected with.
async fn redirected_error(f: &Flow, client_id: &str, changes: &[(&str, &str)]) -> String {
    let params = location(&f.authorize(&request(client_id, changes)).await);
    assert_eq!(params["state"], "xyz");
    params.get("error").cloned().unwrap_or_default()
}

#[tokio::test]
async fn authorization_errors_are_redirected() {
    let f = flow(&[]).await;
    let (id, _) = f.client("none").await;
    let cases: [(&[(&str, &str)], &str); 9] = [
        (&[("code_challenge", "")], "invalid_request"),
        (&[("code_challenge_method", "plain")], "invalid_request"),
        (&[("code_challenge_method", "")], "invalid_request"),
        (&[("code_challenge", "short")], "invalid_request"),
        (&[("response_type", "token")], "unsupported_response_type"),
        (&[("scope", "admin")], "invalid_scope"),
        (
            &[("resource", "https://mcp.example.test/#x")],
            "invalid_target",
        ),
        (&[("resource", "not a uri")], "invalid_target"),
        (&[("scope", DEFAULT_SCOPE)], ""),
    ];
    for (changes, error) in cases {
        assert_eq!(
            redirected_error(&f, &id, changes).await,
            error,
            "{changes:?}"
        );
    }
    let params = location(&f.authorize(&request(&id, &[("code_challenge", "")])).await);
    assert_eq!(
        params["iss"], f.idp.issuer,
        "iss also on errors (RFC 9207 §2)"
    );
}

#[tokio::test]
async fn redirect_uri_query_is_kept() {
    let f = flow(&[]).await;
    let uri = "http://127.0.0.1:9/callback?tenant=a";
    let a = f
        .register(json!({"redirect_uris": [uri], "token_endpoint_auth_method": "none"}))
        .await;
    let response = f
        .authorize(&request(&a.field("client_id"), &[("redirect_uri", uri)]))
        .await;
    let target = response.headers()[LOCATION].to_str().unwrap();
    assert!(
        target.starts_with("http://127.0.0.1:9/callback?tenant=a&code="),
        "{target}"
    );
}

#[tokio::test]
async fn knob_accepts_missing_pkce() {
    let f = flow(&[D::AcceptsMissingPkce]).await;
    let (id, _) = f.client("none").await;
    let changes = [("code_challenge", ""), ("code_challenge_method", "")];
    let params = location(&f.authorize(&request(&id, &changes)).await);
    let form = redemption(&id, &params["code"], &[("code_verifier", "")]);
    assert_eq!(f.token(&pairs(&form), None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn knob_accepts_plain_pkce() {
    let f = flow(&[D::AcceptsPlainPkce]).await;
    let (id, _) = f.client("none").await;
    let changes = [
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ];
    let params = location(&f.authorize(&request(&id, &changes)).await);
    assert_eq!(f.redeem(&id, &params["code"]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn knobs_on_iss() {
    let f = flow(&[D::NoIssInResponse]).await;
    let (id, _) = f.client("none").await;
    assert!(!location(&f.authorize(&request(&id, &[])).await).contains_key("iss"));
    let f = flow(&[D::WrongIssInResponse]).await;
    let (id, _) = f.client("none").await;
    let params = location(&f.authorize(&request(&id, &[])).await);
    assert_eq!(params["iss"], "https://wrong-issuer.example");
}
