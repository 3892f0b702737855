//! The client's identity at the authorization server, in the priority order of MCP
//! 2025-11-25 "Client Registration Approaches": a pre-registered client from the launch
//! context, else (with the `cimd-first` knob) a client ID metadata document, else one
//! registered dynamically (RFC 7591; MCP "Dynamic Client Registration").

use serde_json::{json, Value};

use super::as_metadata::AsMetadata;
use super::callback::INSECURE_REDIRECT_URI;
use super::client_id_document::{serve_document, DocumentFlaws, ServedDocument};
use super::wire::{describe, json_object, string_member, Ctx};
use crate::transport::HttpResponse;
use crate::vocab::{ClientDefect as D, ClientKnob as K};

const CLIENT_NAME: &str = "mcp-authspec reference client";

/// How the client authenticates at the token endpoint (RFC 7591 §2).
#[derive(Debug, Clone)]
pub(super) struct ClientIdentity {
    pub client_id: String,
    pub client_secret: Option<String>,
    /// `none`, `client_secret_basic`, `client_secret_post` or `private_key_jwt`.
    pub auth_method: String,
    /// For `private_key_jwt`: the PEM private key and the JWS algorithm of its
    /// assertions (the launch context's `private_key_pem`, `signing_algorithm`).
    pub signing_key: Option<(String, String)>,
    /// The client ID metadata document behind `client_id`, served while the run holds it.
    pub _document: Option<ServedDocument>,
}

/// The token endpoint method, chosen as the TypeScript SDK chooses it: the one the
/// client information names (a registration response); else, with a secret,
/// `client_secret_basic` when the server lists it (RFC 8414 §2: a server that lists
/// none supports only that) and `client_secret_post` otherwise; else `none`.
fn auth_method(named: Option<&str>, secret: Option<&str>, metadata: &AsMetadata) -> String {
    if let Some(method) = named {
        return method.to_string();
    }
    if secret.is_none() {
        return "none".into();
    }
    let basic_listed = metadata
        .auth_methods
        .as_ref()
        .is_none_or(|m| m.iter().any(|m| m == "client_secret_basic"));
    if basic_listed {
        "client_secret_basic".into()
    } else {
        "client_secret_post".into()
    }
}

/// The application type a registering client declares (OpenID Connect Dynamic Client
/// Registration §2; MCP 2026-07-28 asks for "an appropriate" one): `native` for a
/// client with loopback redirect URIs, `web` with the knob (MCP allows either).
fn application_type(ctx: &Ctx) -> Option<&'static str> {
    if !ctx.revision().features().dcr_application_type || ctx.has(D::DcrWithoutApplicationType) {
        return None;
    }
    Some(if ctx.launch.has_knob(K::WebApplicationType) {
        "web"
    } else {
        "native"
    })
}

/// The official scenario that has a client identify itself with a client ID metadata
/// document (the official everything client dispatches on it, as this client does).
const CIMD_SCENARIO: &str = "auth/basic-cimd";

/// Whether the client identifies itself with a client ID metadata document: with the
/// `cimd-first` knob, or in the official CIMD scenario (the launch context's `name`),
/// when the server advertises them (MCP 2025-11-25 "Discovery": clients SHOULD check
/// client_id_metadata_document_supported). The CIMD defects use one anyway.
fn uses_cimd(ctx: &Ctx, metadata: &AsMetadata) -> bool {
    let wanted = ctx.launch.has_knob(K::CimdFirst)
        || ctx.launch.context_str("name") == Some(CIMD_SCENARIO)
        || ctx.has(D::CimdUrlWithFragment)
        || ctx.has(D::CimdDocumentOtherClientId)
        || ctx.has(D::CimdDocumentWithSecret)
        || ctx.has(D::CimdDocumentUnlistedRedirectUri)
        || ctx.has(D::CimdDocumentMissingFields);
    !ctx.has(D::IgnoresCimd) && (ctx.has(D::CimdWithoutFlag) || (wanted && metadata.cimd_supported))
}

/// The machine client of the launch context: `client_id` with `private_key_pem` and
/// `signing_algorithm` (private_key_jwt), or with `client_secret` (the method the
/// metadata lists, as for any pre-registered client).
pub(super) fn machine_identity(ctx: &Ctx) -> Result<Option<ClientIdentity>, String> {
    let Some(pem) = ctx.launch.context_str("private_key_pem") else {
        return Ok(None);
    };
    let client_id = ctx
        .launch
        .context_str("client_id")
        .ok_or("the launch context has private_key_pem but no client_id")?;
    let algorithm = ctx
        .launch
        .context_str("signing_algorithm")
        .unwrap_or("ES256");
    Ok(Some(ClientIdentity {
        client_id: client_id.to_string(),
        client_secret: None,
        auth_method: "private_key_jwt".into(),
        signing_key: Some((pem.to_string(), algorithm.to_string())),
        _document: None,
    }))
}

pub(super) async fn client_identity(
    ctx: &Ctx,
    metadata: &AsMetadata,
    redirect_uri: &str,
) -> Result<ClientIdentity, String> {
    // A machine client's key (the client credentials scenarios' `private_key_pem`).
    if let Some(machine) = machine_identity(ctx)? {
        return Ok(machine);
    }
    // The official context schema: `client_id` and `client_secret`, nothing about the
    // method, which the server's metadata tells.
    if let Some(client_id) = ctx.launch.context_str("client_id") {
        if !ctx.has(D::IgnoresPreregisteredClient) {
            let secret = ctx.launch.context_str("client_secret");
            return Ok(ClientIdentity {
                client_id: client_id.to_string(),
                client_secret: secret.map(str::to_string),
                auth_method: auth_method(None, secret, metadata),
                signing_key: None,
                _document: None,
            });
        }
    }
    if uses_cimd(ctx, metadata) {
        let flaws = DocumentFlaws {
            fragment: ctx.has(D::CimdUrlWithFragment),
            other_client_id: ctx.has(D::CimdDocumentOtherClientId),
            secret: ctx.has(D::CimdDocumentWithSecret),
            unlisted_redirect_uri: ctx.has(D::CimdDocumentUnlistedRedirectUri),
            missing_fields: ctx.has(D::CimdDocumentMissingFields),
        };
        let document =
            serve_document(CLIENT_NAME, redirect_uri, application_type(ctx), flaws).await?;
        return Ok(ClientIdentity {
            client_id: document.url.clone(),
            client_secret: None,
            auth_method: "none".into(),
            signing_key: None,
            _document: Some(document),
        });
    }
    let endpoint = metadata
        .registration_endpoint
        .as_ref()
        .filter(|_| !ctx.has(D::NoDynamicRegistration));
    let Some(endpoint) = endpoint else {
        return Err(
            "no pre-registered client and no registration_endpoint to register one \
             (MCP \"Dynamic Client Registration\")"
                .into(),
        );
    };
    register(ctx, endpoint, redirect_uri, metadata).await
}

/// The client metadata sent for registration (RFC 7591 §2), declaring `kind` as its
/// application_type (none: the member is left out).
fn registration_request(ctx: &Ctx, redirect_uri: &str, kind: Option<&str>) -> Value {
    let mut redirect_uris = vec![redirect_uri];
    if ctx.has(D::ExtraInsecureRedirectUri) {
        redirect_uris.push(INSECURE_REDIRECT_URI);
    }
    let mut body = json!({
        "client_name": CLIENT_NAME,
        "redirect_uris": redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    });
    if ctx.has(D::DcrWithoutRedirectUris) {
        body.as_object_mut().map(|b| b.remove("redirect_uris"));
    }
    if ctx.has(D::DcrWithoutGrantTypes) {
        body.as_object_mut().map(|b| b.remove("grant_types"));
    }
    // A public client (RFC 6749 §2.1): without the member RFC 7591 §2 defaults to
    // client_secret_basic, which a native client cannot keep secret.
    if !ctx.launch.has_knob(K::DcrDefaultAuthMethod) {
        body["token_endpoint_auth_method"] = json!("none");
    }
    if let Some(kind) = kind {
        body["application_type"] = json!(kind);
    }
    body
}

/// How often the `RetriesIdenticalRegistration` defect resends a refused registration:
/// more than the 3 resends the case allows.
const IDENTICAL_RESENDS: usize = 5;

/// Whether a registration was refused for its metadata (RFC 7591 §3.2.2), which the
/// same request cannot change.
fn refused_for_metadata(response: &HttpResponse) -> bool {
    response.status == 400
        && json_object(response).is_some_and(|answer| {
            matches!(
                string_member(&answer, "error"),
                Some("invalid_redirect_uri" | "invalid_client_metadata")
            )
        })
}

/// Sends the registration; a refusal for its metadata is retried once with the other
/// application_type (MCP 2026-07-28 "Application Type and Redirect URI Constraints":
/// clients "MAY retry registration with an adjusted application_type"), never with the
/// same body.
async fn send_registration(
    ctx: &Ctx,
    endpoint: &str,
    redirect_uri: &str,
) -> Result<HttpResponse, String> {
    let kind = application_type(ctx);
    let body = registration_request(ctx, redirect_uri, kind);
    let mut response = ctx.post_json(endpoint, &body).await?;
    if !refused_for_metadata(&response) {
        return Ok(response);
    }
    if ctx.has(D::RetriesIdenticalRegistration) {
        for _ in 0..IDENTICAL_RESENDS {
            response = ctx.post_json(endpoint, &body).await?;
        }
        return Ok(response);
    }
    if let (Some(kind), false) = (kind, ctx.has(D::NoRegistrationRetry)) {
        let other = if kind == "native" { "web" } else { "native" };
        let adjusted = registration_request(ctx, redirect_uri, Some(other));
        response = ctx.post_json(endpoint, &adjusted).await?;
    }
    Ok(response)
}

async fn register(
    ctx: &Ctx,
    endpoint: &str,
    redirect_uri: &str,
    metadata: &AsMetadata,
) -> Result<ClientIdentity, String> {
    let response = send_registration(ctx, endpoint, redirect_uri).await?;
    // RFC 7591 §3.2.1: 201 Created; any 2xx with the client information is taken.
    let answer = json_object(&response)
        .filter(|_| (200..300).contains(&response.status))
        .ok_or_else(|| format!("registration at {endpoint} failed: {}", describe(&response)))?;
    let client_id = string_member(&answer, "client_id")
        .filter(|id| !id.is_empty())
        .ok_or("the registration response has no client_id (RFC 7591 §3.2.1)")?;
    let mut secret = string_member(&answer, "client_secret").filter(|s| !s.is_empty());
    // RFC 7591 §3.2.1: the server may replace what was asked; the answer is what holds.
    let mut named = string_member(&answer, "token_endpoint_auth_method");
    if ctx.has(D::KeepsRequestedAuthMethod) {
        // The defect: what was asked (RFC 7591 §2: absent means client_secret_basic),
        // and no secret for a client that asked to be public.
        let asked = if ctx.launch.has_knob(K::DcrDefaultAuthMethod) {
            "client_secret_basic"
        } else {
            secret = None;
            "none"
        };
        named = Some(asked);
    }
    // The defect: RFC 7591 §3.2.1 makes the returned client_id the one to use.
    let client_id = if ctx.has(D::IgnoresRegisteredClientId) {
        CLIENT_NAME
    } else {
        client_id
    };
    Ok(ClientIdentity {
        client_id: client_id.to_string(),
        client_secret: secret.map(str::to_string),
        auth_method: auth_method(named, secret, metadata),
        signing_key: None,
        _document: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(methods: Option<&[&str]>) -> AsMetadata {
        AsMetadata {
            issuer: "http://127.0.0.1:1".into(),
            document_issuer: None,
            url: "http://127.0.0.1:1/.well-known/oauth-authorization-server".into(),
            authorization_endpoint: "http://127.0.0.1:1/authorize".into(),
            token_endpoint: "http://127.0.0.1:1/token".into(),
            registration_endpoint: None,
            code_challenge_methods: Some(vec!["S256".into()]),
            iss_parameter_supported: true,
            auth_methods: methods.map(|m| m.iter().map(|s| s.to_string()).collect()),
            cimd_supported: false,
            offline_access: false,
        }
    }

    /// The official context names no method: the metadata decides, as in the TypeScript
    /// SDK; a registration response's method always wins.
    #[test]
    fn the_method_comes_from_the_registration_else_the_metadata() {
        let all = ["none", "client_secret_basic", "client_secret_post"];
        let post = ["client_secret_post"];
        assert_eq!(
            auth_method(None, Some("s"), &metadata(Some(&all))),
            "client_secret_basic"
        );
        assert_eq!(
            auth_method(None, Some("s"), &metadata(Some(&post))),
            "client_secret_post"
        );
        // RFC 8414 §2: no list means client_secret_basic.
        assert_eq!(
            auth_method(None, Some("s"), &metadata(None)),
            "client_secret_basic"
        );
        assert_eq!(auth_method(None, None, &metadata(Some(&post))), "none");
        let named = Some("client_secret_post");
        assert_eq!(
            auth_method(named, Some("s"), &metadata(Some(&all))),
            "client_secret_post"
        );
    }
}
