//! The reference server's knobs (conformant behaviours client cases need), driven over
//! HTTP like a client, and that without knobs nothing changes.

use reqwest::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::scope_policy::scope_for_body;
use super::{start_reference_server, ReferenceConfig, ReferenceServer};
use crate::actors::tokens::Grant;
use crate::logic::token_recipe::Mint;
use crate::logic::www_authenticate::{find_challenge, parse_challenges};
use crate::vocab::ServerKnob as K;

const PATH_INSERTED: &str = "/.well-known/oauth-protected-resource/mcp";
const ROOT: &str = "/.well-known/oauth-protected-resource";
const CUSTOM: &str = "/custom/resource-metadata";

struct Setup {
    server: ReferenceServer,
    http: reqwest::Client,
}

/// What a response to the MCP endpoint said.
struct Answer {
    status: StatusCode,
    /// Every `WWW-Authenticate` line.
    challenges: Vec<String>,
    body: Value,
}

impl Answer {
    /// The only `WWW-Authenticate` line.
    fn challenge(&self) -> &str {
        assert_eq!(self.challenges.len(), 1, "{:?}", self.challenges);
        &self.challenges[0]
    }

    /// A parameter of the parsed Bearer challenge.
    fn bearer(&self, name: &str) -> String {
        let parsed = parse_challenges(&self.challenges).expect("the challenge parses");
        let bearer = find_challenge(&parsed, "Bearer").expect("a Bearer challenge");
        bearer.param(name).unwrap_or_default().to_string()
    }
}

async fn setup(knobs: &[K]) -> Setup {
    let server = start_reference_server(ReferenceConfig {
        knobs: knobs.iter().copied().collect(),
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    Setup { server, http }
}

impl Setup {
    fn origin(&self) -> String {
        self.server.mcp_url.trim_end_matches("/mcp").to_string()
    }

    /// A valid token for this server granting `scope`.
    fn token(&self, scope: &str) -> String {
        let grant = Grant {
            resource: self.server.mcp_url.clone(),
            scope: scope.to_string(),
        };
        self.server.minter().mint(&Mint::default(), &grant).unwrap()
    }

    /// A JSON-RPC request calling `method`, with `token` as bearer credentials.
    async fn call(&self, method: &str, token: Option<&str>) -> Answer {
        let message = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "knob-tests", "version": "0"},
            "name": "echo", "arguments": {"text": "hi"}
        }});
        let mut request = self
            .http
            .post(&self.server.mcp_url)
            .header(CONTENT_TYPE, "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(message.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let challenges = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let body = json_body(response).await;
        Answer {
            status,
            challenges,
            body,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.origin());
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status();
        (status, json_body(response).await)
    }

    /// The `scopes_supported` of the deployment's IdP metadata.
    async fn idp_scopes(&self) -> Value {
        let issuer = &self.server.issuer;
        let url = format!("{issuer}/.well-known/oauth-authorization-server");
        let response = self.http.get(url).send().await.unwrap();
        json_body(response).await["scopes_supported"].clone()
    }
}

/// The body as JSON, or null.
async fn json_body(response: reqwest::Response) -> Value {
    let bytes = response.bytes().await.unwrap();
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

#[tokio::test]
async fn without_knobs_challenges_and_scopes_are_unchanged() {
    let s = setup(&[]).await;
    let metadata = format!("{}{PATH_INSERTED}", s.origin());
    let a = s.call("tools/call", None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        a.challenge(),
        format!(r#"Bearer resource_metadata="{metadata}", scope="mcp:tools""#)
    );
    let token = s.token("mcp:tools");
    assert_eq!(
        s.call("tools/call", Some(&token)).await.status,
        StatusCode::OK
    );
    let a = s.call("tools/list", Some(&s.token("mcp:other"))).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.bearer("scope"), "mcp:tools");
    assert_eq!(a.bearer("resource_metadata"), metadata);
    assert_eq!(s.get(CUSTOM).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        s.get(PATH_INSERTED).await.1["scopes_supported"],
        json!(["mcp:tools"])
    );
    assert_eq!(s.idp_scopes().await, json!(["mcp:tools"]));
}

#[tokio::test]
async fn knob_prm_custom_location() {
    let s = setup(&[K::PrmCustomLocation]).await;
    for path in [PATH_INSERTED, ROOT] {
        assert_eq!(s.get(path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, document) = s.get(CUSTOM).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["resource"], s.server.mcp_url.as_str());
    assert_eq!(document["authorization_servers"], json!([s.server.issuer]));
    let custom = format!("{}{CUSTOM}", s.origin());
    let a = s.call("initialize", None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.bearer("resource_metadata"), custom);
    // The 403 points at the same document.
    let a = s.call("initialize", Some(&s.token(""))).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.bearer("resource_metadata"), custom);
}

#[tokio::test]
async fn knob_extra_challenge_first() {
    let s = setup(&[K::ExtraChallengeFirst]).await;
    let metadata = format!("{}{PATH_INSERTED}", s.origin());
    let a = s.call("initialize", None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        a.challenge(),
        format!(r#"DPoP algs="ES256", Bearer resource_metadata="{metadata}", scope="mcp:tools""#)
    );
    let parsed = parse_challenges(&a.challenges).unwrap();
    let schemes: Vec<&str> = parsed.iter().map(|c| c.scheme.as_str()).collect();
    assert_eq!(schemes, ["DPoP", "Bearer"]);
    assert_eq!(a.bearer("scope"), "mcp:tools");
    // A refused token gets the same two challenges, the Bearer one with its error.
    let a = s.call("initialize", Some("not-a-jwt")).await;
    assert!(a.challenge().starts_with("DPoP algs=\"ES256\", Bearer "));
    assert_eq!(a.bearer("error"), "invalid_token");
}

#[tokio::test]
async fn knob_challenge_with_escaped_quote() {
    let s = setup(&[K::ChallengeWithEscapedQuote]).await;
    let metadata = format!("{}{PATH_INSERTED}", s.origin());
    let a = s.call("initialize", None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        a.challenge(),
        format!(
            r#"Bearer realm="mcp \"reference\", resource_metadata=http://127.0.0.1:9/not-the-metadata", resource_metadata="{metadata}", scope="mcp:tools""#
        )
    );
    assert_eq!(
        a.bearer("realm"),
        r#"mcp "reference", resource_metadata=http://127.0.0.1:9/not-the-metadata"#
    );
    assert_eq!(a.bearer("resource_metadata"), metadata);
    assert_eq!(a.bearer("scope"), "mcp:tools");
}

#[tokio::test]
async fn knob_prm_extra_scopes() {
    let s = setup(&[K::PrmExtraScopes]).await;
    for path in [PATH_INSERTED, ROOT] {
        let (status, document) = s.get(path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            document["scopes_supported"],
            json!(["mcp:tools", "mcp:extra"])
        );
    }
    // The deployment's IdP grants what the metadata lists; requests still need mcp:tools.
    assert_eq!(s.idp_scopes().await, json!(["mcp:tools", "mcp:extra"]));
    let token = s.token("mcp:tools");
    assert_eq!(
        s.call("tools/call", Some(&token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn knob_prm_trap_at_root() {
    let s = setup(&[K::PrmTrapAtRoot]).await;
    let (status, root) = s.get(ROOT).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        root["authorization_servers"],
        json!([super::protected_resource_metadata::TRAP_AUTHORIZATION_SERVER])
    );
    let (status, inserted) = s.get(PATH_INSERTED).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(
        inserted["authorization_servers"],
        root["authorization_servers"]
    );
}

#[tokio::test]
async fn knob_step_up_on_tools_call() {
    let s = setup(&[K::StepUpOnToolsCall]).await;
    let metadata = format!("{}{PATH_INSERTED}", s.origin());
    let tools = s.token("mcp:tools");
    for method in ["initialize", "tools/list", "ping"] {
        let a = s.call(method, Some(&tools)).await;
        assert_eq!(a.status, StatusCode::OK, "{method}: {}", a.body);
    }
    let a = s.call("tools/call", Some(&tools)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(
        a.challenge().starts_with(&format!(
            r#"Bearer error="insufficient_scope", scope="mcp:tools mcp:write", resource_metadata="{metadata}""#
        )),
        "{}",
        a.challenge()
    );
    assert_eq!(a.body["scope"], "mcp:tools mcp:write");
    let both = s.token("mcp:tools mcp:write");
    let a = s.call("tools/call", Some(&both)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["result"]["content"][0]["text"], "hi");
    // Without a token, the 401 names what this request needs.
    assert_eq!(
        s.call("tools/call", None).await.bearer("scope"),
        "mcp:tools mcp:write"
    );
    assert_eq!(
        s.call("initialize", None).await.bearer("scope"),
        "mcp:tools"
    );
    assert_eq!(s.idp_scopes().await, json!(["mcp:tools", "mcp:write"]));
}

#[tokio::test]
async fn knob_step_up_only_new_scope() {
    let s = setup(&[K::StepUpOnlyNewScope]).await;
    let metadata = format!("{}{PATH_INSERTED}", s.origin());
    let a = s.call("tools/call", Some(&s.token("mcp:tools"))).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(
        a.challenge().starts_with(&format!(
            r#"Bearer error="insufficient_scope", scope="mcp:write", resource_metadata="{metadata}""#
        )),
        "{}",
        a.challenge()
    );
    // Only what is missing, whatever that is.
    let a = s.call("tools/call", Some(&s.token("mcp:extra"))).await;
    assert_eq!(a.bearer("scope"), "mcp:tools mcp:write");
    let a = s.call("tools/list", Some(&s.token("mcp:write"))).await;
    assert_eq!(a.bearer("scope"), "mcp:tools");
    let token = s.token("mcp:tools mcp:write");
    assert_eq!(
        s.call("tools/call", Some(&token)).await.status,
        StatusCode::OK
    );
    let token = s.token("mcp:tools");
    assert_eq!(
        s.call("tools/list", Some(&token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn knob_always_forbidden() {
    let s = setup(&[K::AlwaysForbidden]).await;
    let metadata = format!("{}{PATH_INSERTED}", s.origin());
    for scope in [
        "mcp:tools",
        "mcp:tools mcp:write",
        "mcp:tools mcp:write mcp:extra",
        "",
    ] {
        for method in ["initialize", "tools/call"] {
            let a = s.call(method, Some(&s.token(scope))).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{scope}, {method}");
            assert!(
                a.challenge().starts_with(&format!(
                    r#"Bearer error="insufficient_scope", scope="mcp:tools mcp:write", resource_metadata="{metadata}""#
                )),
                "{}",
                a.challenge()
            );
        }
    }
    // Only otherwise valid tokens: a token for another resource is still invalid.
    let grant = Grant {
        resource: "https://other.example/mcp".into(),
        scope: "mcp:tools mcp:write".into(),
    };
    let other = s.server.minter().mint(&Mint::default(), &grant).unwrap();
    let a = s.call("initialize", Some(&other)).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.bearer("error"), "invalid_token");
    assert_eq!(
        s.call("initialize", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn the_scope_of_a_body_is_the_union_over_its_methods() {
    let config = ReferenceConfig {
        knobs: [K::StepUpOnToolsCall].into_iter().collect(),
        ..Default::default()
    };
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call"}
    ])
    .to_string();
    let cases: [(&[u8], &str); 5] = [
        (br#"{"method":"tools/call"}"#, "mcp:tools mcp:write"),
        (br#"{"method":"tools/list"}"#, "mcp:tools"),
        (batch.as_bytes(), "mcp:tools mcp:write"),
        (b"not json", "mcp:tools"),
        (b"", "mcp:tools"),
    ];
    for (body, scope) in cases {
        assert_eq!(
            scope_for_body(&config, body),
            scope,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    let default = ReferenceConfig::default();
    assert_eq!(
        scope_for_body(&default, br#"{"method":"tools/call"}"#),
        "mcp:tools"
    );
}
