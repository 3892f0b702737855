//! The reference server as a server of one revision (client cases' mocks): what it says
//! about the versions it speaks, and the 2026-07-28 result fields, driven over HTTP with
//! requests the suite builds for each revision.

use serde_json::{json, Value};

use super::{start_reference_server, ReferenceConfig};
use crate::actors::tokens::Grant;
use crate::logic::case_model::McpMessage;
use crate::logic::mcp_messages::build;
use crate::logic::token_recipe::Mint;
use crate::vocab::Revision;

/// Sends `message` shaped for `revision` with a valid token to a server that implements
/// only `implements`; returns the status and the JSON body.
async fn ask(
    implements: Option<Revision>,
    message: McpMessage,
    revision: Revision,
) -> (u16, Value) {
    let server = start_reference_server(ReferenceConfig {
        only_revision: implements,
        ..ReferenceConfig::default()
    })
    .await
    .unwrap();
    let grant = Grant {
        resource: server.mcp_url.clone(),
        scope: "mcp:tools".into(),
    };
    let token = server.minter().mint(&Mint::default(), &grant).unwrap();
    let built = build(message, revision);
    let mut request = reqwest::Client::new()
        .post(&server.mcp_url)
        .bearer_auth(token)
        .body(built.body.to_string());
    for (name, value) in &built.headers {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap_or_default();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_server_of_an_earlier_revision_answers_a_2026_request_as_such_a_server_does() {
    let (status, body) = ask(
        Some(Revision::R2025_11_25),
        McpMessage::Discover,
        Revision::R2026_07_28,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], -32000, "{body}");
}

#[tokio::test]
async fn a_2026_server_lists_only_its_revision_and_marks_its_results() {
    let (status, body) = ask(
        Some(Revision::R2026_07_28),
        McpMessage::Discover,
        Revision::R2026_07_28,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["supportedVersions"], json!(["2026-07-28"]));
    assert_eq!(body["result"]["resultType"], "complete");
    let (_, tools) = ask(
        Some(Revision::R2026_07_28),
        McpMessage::ToolsList,
        Revision::R2026_07_28,
    )
    .await;
    for field in ["resultType", "ttlMs", "cacheScope"] {
        assert!(tools["result"].get(field).is_some(), "{field}: {tools}");
    }
    // Up to 2025-11-25 results carry no `resultType`.
    let (_, old) = ask(None, McpMessage::Initialize, Revision::R2025_06_18).await;
    assert!(old["result"].get("resultType").is_none(), "{old}");
}

#[tokio::test]
async fn the_demos_server_speaks_every_revision() {
    let (_, body) = ask(None, McpMessage::Discover, Revision::R2026_07_28).await;
    assert_eq!(
        body["result"]["supportedVersions"],
        json!(Revision::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>())
    );
}

#[tokio::test]
async fn a_server_of_one_revision_negotiates_that_revision() {
    // Asked for a newer version at `initialize`, it answers with its own.
    let (_, body) = ask(
        Some(Revision::R2025_06_18),
        McpMessage::Initialize,
        Revision::R2025_11_25,
    )
    .await;
    assert_eq!(body["result"]["protocolVersion"], "2025-06-18", "{body}");
}

#[tokio::test]
async fn a_2026_server_answering_initialize_serves_the_legacy_version_asked() {
    let (_, body) = ask(
        Some(Revision::R2026_07_28),
        McpMessage::Initialize,
        Revision::R2025_11_25,
    )
    .await;
    assert_eq!(body["result"]["protocolVersion"], "2025-11-25", "{body}");
}

#[tokio::test]
async fn every_revisions_tools_list_has_the_fields_its_schema_requires() {
    for revision in Revision::ALL {
        let (status, body) = ask(Some(revision), McpMessage::ToolsList, revision).await;
        assert_eq!(status, 200, "{revision}: {body}");
        let tools = body["result"]["tools"].as_array().unwrap();
        let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
        assert_eq!(names, ["echo", "test-tool"], "{revision}");
        // Tool: `name` and `inputSchema` (an object schema) in every revision.
        for tool in tools {
            assert_eq!(tool["inputSchema"]["type"], "object", "{revision}: {tool}");
        }
        // 2026-07-28 ListToolsResult is a CacheableResult: all three are required.
        let modern = revision >= Revision::R2026_07_28;
        for field in ["resultType", "ttlMs", "cacheScope"] {
            assert_eq!(
                body["result"].get(field).is_some(),
                modern,
                "{revision} {field}: {body}"
            );
        }
    }
}

/// GETs `path` on the origin of `mcp_url`: status and the `WWW-Authenticate` value.
async fn get(mcp_url: &str, path: &str) -> (u16, Option<String>) {
    let url = url::Url::parse(mcp_url).unwrap().join(path).unwrap();
    let response = reqwest::get(url).await.unwrap();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string());
    (response.status().as_u16(), challenge)
}

#[tokio::test]
async fn a_2025_03_26_server_has_no_resource_metadata_and_is_its_own_authorization_server() {
    let server = start_reference_server(ReferenceConfig {
        only_revision: Some(Revision::R2025_03_26),
        ..ReferenceConfig::default()
    })
    .await
    .unwrap();
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
        "/custom/resource-metadata",
    ] {
        assert_eq!(get(&server.mcp_url, path).await.0, 404, "{path}");
    }
    let (status, challenge) = get(&server.mcp_url, "/mcp").await;
    assert_eq!(status, 401);
    let challenge = challenge.unwrap();
    assert!(!challenge.contains("resource_metadata"), "{challenge}");
    // "Server Metadata Discovery": metadata at the origin, with the default endpoints.
    let origin = server.mcp_url.trim_end_matches("/mcp");
    let response = reqwest::get(format!("{origin}/.well-known/oauth-authorization-server"))
        .await
        .unwrap();
    let metadata: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(metadata["issuer"], origin);
    assert_eq!(metadata["token_endpoint"], format!("{origin}/token"));
}

#[tokio::test]
async fn a_server_of_a_later_revision_names_a_separate_authorization_server() {
    for revision in [
        Revision::R2025_06_18,
        Revision::R2025_11_25,
        Revision::R2026_07_28,
    ] {
        let server = start_reference_server(ReferenceConfig {
            only_revision: Some(revision),
            ..ReferenceConfig::default()
        })
        .await
        .unwrap();
        let (status, challenge) = get(&server.mcp_url, "/mcp").await;
        assert_eq!(status, 401);
        assert!(challenge.unwrap().contains("resource_metadata"));
        let prm = get(&server.mcp_url, "/.well-known/oauth-protected-resource/mcp").await;
        assert_eq!(prm.0, 200, "{revision}");
        let origin_as = get(&server.mcp_url, "/.well-known/oauth-authorization-server").await;
        assert_eq!(origin_as.0, 404, "{revision}");
    }
}
