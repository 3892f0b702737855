//! Authorization server metadata (RFC 8414; OpenID Connect Discovery 1.0): the probe
//! order each MCP revision prescribes, the issuer check, and the 2025-03-26 profile
//! where the MCP server's origin is the authorization server.
//!
//! The probe order is the reference client's own, apart from the harness's
//! `logic::well_known::as_metadata_candidates` on purpose: a reference that shared the
//! harness's list could not catch a mistake in it.

use serde_json::{Map, Value};
use url::Url;

use super::wire::{describe, http_url, json_object, string_member, Ctx};
use crate::logic::well_known::{
    append_well_known, has_path, insert_well_known, is_https_or_loopback, origin_of,
    root_well_known,
};
use crate::vocab::{ClientDefect as D, HeaderPair};

const RFC8414_SUFFIX: &str = "oauth-authorization-server";
const OIDC_SUFFIX: &str = "openid-configuration";

/// What the client uses of the metadata.
#[derive(Debug, Clone)]
pub(super) struct AsMetadata {
    /// The issuer identifier the client expects (PRM's, or the 2025-03-26 origin).
    pub issuer: String,
    /// The document's `issuer`; RFC 9207 compares `iss` with it.
    pub document_issuer: Option<String>,
    /// Where the document was found (or would have been, for the 2025-03-26 defaults).
    pub url: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub registration_endpoint: Option<String>,
    /// `None` when the document does not list `code_challenge_methods_supported`.
    pub code_challenge_methods: Option<Vec<String>>,
    /// RFC 9207 §3: the server puts `iss` in every authorization response.
    pub iss_parameter_supported: bool,
    /// `token_endpoint_auth_methods_supported`; `None` when the document has none.
    pub auth_methods: Option<Vec<String>>,
    /// `client_id_metadata_document_supported` (MCP 2025-11-25).
    pub cimd_supported: bool,
    /// Whether `scopes_supported` lists offline_access (MCP 2026-07-28 "Refresh Tokens").
    pub offline_access: bool,
}

/// The well-known URIs to probe for `issuer`, in order.
fn candidates(ctx: &Ctx, issuer: &Url) -> Vec<Url> {
    let rfc8414 = insert_well_known(issuer, RFC8414_SUFFIX);
    // MCP 2025-06-18 "Authorization Server Metadata Discovery": RFC 8414 only.
    if !ctx.revision().features().oidc_discovery && ctx.has(D::ProbesOidcFirst) {
        // The defect in 2025-06-18, which names RFC 8414 only: OIDC discovery first.
        return vec![append_well_known(issuer, OIDC_SUFFIX), rfc8414];
    }
    if !ctx.revision().features().oidc_discovery || ctx.has(D::NoOidcFallback) {
        return vec![rfc8414];
    }
    // MCP 2025-11-25: with a path, RFC 8414 path-inserted, OIDC path-inserted, OIDC
    // path-appended (OIDC Discovery §4); without one, RFC 8414 then OIDC.
    let oidc = if has_path(issuer) && ctx.has(D::NoOidcPathAppended) {
        vec![insert_well_known(issuer, OIDC_SUFFIX)]
    } else if has_path(issuer) {
        vec![
            insert_well_known(issuer, OIDC_SUFFIX),
            append_well_known(issuer, OIDC_SUFFIX),
        ]
    } else {
        vec![append_well_known(issuer, OIDC_SUFFIX)]
    };
    if ctx.has(D::ProbesOidcFirst) {
        oidc.into_iter().chain([rfc8414]).collect()
    } else {
        [rfc8414].into_iter().chain(oidc).collect()
    }
}

/// Finds and checks the metadata of `issuer` (MCP 2025-06-18+).
pub(super) async fn discover_as_metadata(ctx: &Ctx, issuer: &str) -> Result<AsMetadata, String> {
    let issuer_url =
        http_url(issuer).ok_or_else(|| format!("the issuer {issuer:?} is not an http(s) URL"))?;
    let mut tried = Vec::new();
    let mut last_found = None;
    for url in candidates(ctx, &issuer_url) {
        let response = ctx.get(url.as_str(), Vec::new()).await?;
        let Some(document) = json_object(&response).filter(|_| response.status == 200) else {
            tried.push(format!("{url} ({})", describe(&response)));
            continue;
        };
        // RFC 8414 §3.3 (OIDC Discovery §4.3): the issuer must be identical to the one
        // the metadata was looked up for, or an attacker's metadata could be used.
        let found = string_member(&document, "issuer");
        if found != Some(issuer) && !ctx.has(D::SkipsIssuerCheck) {
            return Err(format!(
                "the metadata at {url} names issuer {found:?}, not {issuer:?} (RFC 8414 §3.3)"
            ));
        }
        if ctx.has(D::UsesLastMetadata) {
            // The defect: goes on probing and keeps the last document found.
            last_found = Some(parse(ctx, issuer, url.as_str(), &document));
            continue;
        }
        return parse(ctx, issuer, url.as_str(), &document);
    }
    if let Some(found) = last_found {
        return found;
    }
    Err(format!(
        "no authorization server metadata for {issuer}: {} (RFC 8414 §3)",
        tried.join("; ")
    ))
}

/// A server of 2025-03-26, known by having no protected resource metadata ("Server
/// Metadata Discovery"): the authorization base URL is the MCP server's origin; RFC 8414 metadata there, else the default endpoints
/// `/authorize`, `/token` and `/register` ("Fallbacks for Servers without Metadata
/// Discovery"). That revision defines no issuer check.
pub(super) async fn legacy_as_metadata(ctx: &Ctx) -> Result<AsMetadata, String> {
    let server = http_url(ctx.server_url()).ok_or_else(|| {
        format!(
            "the server URL {:?} is not an http(s) URL",
            ctx.server_url()
        )
    })?;
    let origin = origin_of(&server);
    let url = root_well_known(&server, RFC8414_SUFFIX);
    if !ctx.has(D::LegacyDefaultsFirst) {
        // 2025-03-26: clients SHOULD send MCP-Protocol-Version during metadata discovery.
        let mut headers = vec![HeaderPair::new(
            "MCP-Protocol-Version",
            ctx.revision().as_str(),
        )];
        if ctx.has(D::NoProtocolVersionOnDiscovery) {
            headers.clear();
        }
        let response = ctx.get(url.as_str(), headers).await?;
        if let Some(document) = json_object(&response).filter(|_| response.status == 200) {
            if !ctx.has(D::LegacyIgnoresAdvertisedEndpoints) {
                return parse(ctx, &origin, url.as_str(), &document);
            }
        }
        if ctx.has(D::NoLegacyFallback) {
            return Err(format!("no authorization server metadata at {url}"));
        }
    }
    Ok(AsMetadata {
        issuer: origin.clone(),
        document_issuer: None,
        url: url.to_string(),
        authorization_endpoint: format!("{origin}/authorize"),
        token_endpoint: format!("{origin}/token"),
        registration_endpoint: Some(format!("{origin}/register")),
        code_challenge_methods: None,
        iss_parameter_supported: false,
        auth_methods: None,
        cimd_supported: false,
        offline_access: false,
    })
}

/// Reads the members the client needs (RFC 8414 §2).
fn parse(
    ctx: &Ctx,
    issuer: &str,
    url: &str,
    document: &Map<String, Value>,
) -> Result<AsMetadata, String> {
    // MCP Security Best Practices, "OAuth Authorization URL Validation": the URL to
    // open must be https (http on loopback); `endpoint` refuses every other scheme.
    let authorization_endpoint = if ctx.has(D::OpensAnyScheme) {
        // The defect takes the endpoint as the metadata names it, whatever its scheme.
        string_member(document, "authorization_endpoint").map(str::to_string)
    } else if ctx.has(D::OpensInsecureAuthorizationEndpoint) {
        // The defect checks the scheme only: plain http on any host passes.
        string_member(document, "authorization_endpoint")
            .filter(|v| http_url(v).is_some())
            .map(str::to_string)
    } else {
        endpoint(document, "authorization_endpoint")?
    }
    .ok_or("the metadata has no authorization_endpoint (RFC 8414 §2)")?;
    let token_endpoint = endpoint(document, "token_endpoint")?
        .ok_or("the metadata has no token_endpoint (RFC 8414 §2)")?;
    let strings = |name: &str| -> Option<Vec<String>> {
        document.get(name).and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
    };
    let code_challenge_methods = strings("code_challenge_methods_supported");
    Ok(AsMetadata {
        issuer: issuer.to_string(),
        document_issuer: string_member(document, "issuer").map(str::to_string),
        url: url.to_string(),
        authorization_endpoint,
        token_endpoint,
        registration_endpoint: endpoint(document, "registration_endpoint")?,
        code_challenge_methods,
        iss_parameter_supported: document
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        auth_methods: strings("token_endpoint_auth_methods_supported"),
        cimd_supported: document.get("client_id_metadata_document_supported")
            == Some(&Value::Bool(true)),
        offline_access: strings("scopes_supported")
            .is_some_and(|s| s.iter().any(|s| s == "offline_access")),
    })
}

/// An endpoint URL, which must be https or loopback http (MCP "Communication
/// Security": every authorization server endpoint is served over HTTPS).
fn endpoint(document: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    let Some(value) = string_member(document, name) else {
        return Ok(None);
    };
    match http_url(value) {
        Some(url) if is_https_or_loopback(&url) => Ok(Some(value.to_string())),
        _ => Err(format!(
            "the metadata's {name} {value:?} is not an https URL (MCP \"Communication Security\")"
        )),
    }
}
