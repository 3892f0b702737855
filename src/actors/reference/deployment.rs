//! The reference deployment's configuration and the state every handler of its MCP
//! server shares. A leaf: the wiring that starts the servers is `start.rs`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::oauth_proxy::ProxyState;
use super::token_check::{Trust, ValidationMode};
use crate::actors::idp::{IdpConfig, IdpState};
use crate::actors::traffic::TrafficLog;
use crate::vocab::{IdpDefect, Revision, ServerDefect, ServerKnob};

/// What the reference server does; conformant when `defects` is empty, whatever the
/// `knobs` (conformant behaviours a client must cope with).
#[derive(Debug, Clone, Default)]
pub struct ReferenceConfig {
    pub defects: BTreeSet<ServerDefect>,
    pub knobs: BTreeSet<ServerKnob>,
    /// JWKS (default) or introspection.
    pub validation: ValidationMode,
    /// Records every request to the MCP server and its IdP (client cases).
    pub traffic: Option<TrafficLog>,
    /// The IdP's own settings (client cases: its knobs, pre-registered clients, issuer
    /// path, scopes); the deployment adds the knobs its defects imply and the scopes its
    /// knobs need.
    pub idp: IdpConfig,
    /// The one revision the server implements (client cases: the mock is a server of the
    /// revision under test); `None`: every revision (the demo's reference server).
    pub only_revision: Option<Revision>,
    /// The upstream API its `fetch_upstream` tool calls (`reference server --upstream`);
    /// `None`: the tool is not offered.
    pub upstream: Option<String>,
    /// Its declared scope hierarchy: broader scope → the narrower ones it implies
    /// (`--scope-implies`).
    pub scope_implies: BTreeMap<String, Vec<String>>,
    /// Offers the per-user `whoami` resource.
    pub per_user_resource: bool,
    /// An OAuth proxy (MCP Security Best Practices, "Confused Deputy Problem"): the MCP
    /// server is the authorization server its metadata names and forwards to its IdP as
    /// one static confidential client.
    pub oauth_proxy: bool,
}

impl ReferenceConfig {
    pub fn with_defect(defect: ServerDefect) -> Self {
        ReferenceConfig {
            defects: [defect].into_iter().collect(),
            ..Default::default()
        }
    }

    pub fn has(&self, defect: ServerDefect) -> bool {
        self.defects.contains(&defect)
    }

    pub fn has_knob(&self, knob: ServerKnob) -> bool {
        self.knobs.contains(&knob)
    }

    /// A server of a revision without protected resource metadata (2025-03-26; RFC 9728
    /// came with 2025-06-18): none served, its own authorization server at its origin.
    pub fn predates_resource_metadata(&self) -> bool {
        self.only_revision
            .is_some_and(|r| !r.features().protected_resource_metadata)
    }

    /// Whether the MCP origin is an authorization server (2025-03-26 "Server Metadata
    /// Discovery"): in the 2025-03-26 profile, and in the every-revision server of the
    /// demo; a server of 2025-06-18 or later names a separate one in its metadata.
    pub fn serves_legacy_authorization_server(&self) -> bool {
        // A proxy's origin serves its own proxying authorization server instead.
        !self.oauth_proxy
            && self
                .only_revision
                .is_none_or(|r| r.features().authorization_server_at_origin)
    }

    /// The authorization server the 2025-03-26 profile serves at the MCP origin: the
    /// IdP's settings without a path or recording (the MCP server's recording covers it).
    pub(super) fn legacy_idp_config(&self) -> IdpConfig {
        let mut c = self.idp.clone();
        c.issuer_path = None;
        c.traffic = None;
        // Its exchanges are the MCP server's recording; its remarks go to the same log.
        c.notes = self.traffic.clone();
        c.revision = c.revision.or(self.only_revision);
        c.port = 0;
        for scope in self.idp_scopes() {
            if !c.scopes_supported.contains(&scope) {
                c.scopes_supported.push(scope);
            }
        }
        if self.has_knob(ServerKnob::LegacyEndpointsUnderOauth) {
            c.knobs.insert(crate::vocab::IdpKnob::EndpointsUnderOauth);
        }
        if self.has_knob(ServerKnob::LegacyMetadataMissing) {
            c.defects.insert(IdpDefect::MetadataMissing);
            // Without metadata there is no authorization_response_iss_parameter_supported
            // to announce `iss` (RFC 9207 §3), and a client has no issuer to compare it
            // with, so a server of that kind sends none (as the official fallback
            // scenario's does).
            c.defects.insert(IdpDefect::NoIssInResponse);
        }
        c
    }

    /// The IdP knobs behind the deployment's authorization-server defects.
    pub(super) fn idp_defects(&self) -> Vec<IdpDefect> {
        use IdpDefect as I;
        use ServerDefect as S;
        self.defects
            .iter()
            .filter_map(|d| {
                Some(match d {
                    S::AsMetadataOidcOnly => I::MetadataOidcOnly,
                    S::AsMetadataMissing => I::MetadataMissing,
                    S::AsMetadataIssuerMismatch => I::MetadataIssuerMismatch,
                    S::AsMetadataNoPkce => I::MetadataNoS256,
                    S::AsMetadataPlainOnly => I::MetadataPlainPkceOnly,
                    S::AsMetadataNoCodeResponseType => I::MetadataNoCodeResponseType,
                    S::AsMetadataNoRegistration => I::MetadataNoRegistration,
                    S::AsMetadataInsecureEndpoint => I::MetadataInsecureTokenEndpoint,
                    S::AsMetadataNoTokenEndpoint => I::MetadataNoTokenEndpoint,
                    _ => return None,
                })
            })
            .collect()
    }
}

/// Facts and memory every handler of the MCP server needs.
pub(super) struct Deployment {
    pub config: ReferenceConfig,
    /// `http://127.0.0.1:<port>` of the MCP server.
    pub origin: String,
    /// The MCP endpoint, `<origin>/mcp` (the origin itself with `mcp-at-origin-root`):
    /// the resource tokens must be issued for.
    pub mcp_url: String,
    /// `redirects-to-other-server`: the MCP endpoint of the other server, where an
    /// authorized `tools/call` is redirected.
    pub redirect_to: Option<String>,
    /// The authorization server's issuer identifier.
    pub issuer: String,
    pub trust: Trust,
    /// The 2025-03-26 profile's authorization server at this origin.
    pub legacy_authorization_server: Arc<IdpState>,
    /// Session ids handed out, each with the subject whose token opened it (MCP security
    /// best practices, "Session Hijacking": sessions are bound to the user).
    pub sessions: Mutex<HashMap<String, String>>,
    /// Addresses that once sent a valid token (only `remembers-client-address` reads them).
    pub remembered_peers: Mutex<HashSet<IpAddr>>,
    /// Tokens served once (only `single-use-tokens` reads them).
    pub served_tokens: Mutex<HashSet<String>>,
    /// The `jti` of every DPoP proof accepted (RFC 9449 §11.1).
    pub dpop_jtis: Mutex<HashSet<String>>,
    /// The nonce the server provides when it requires one (RFC 9449 §9).
    pub dpop_nonce: String,
    /// Tokens refused as revoked (only `revokes-token-at-tools-call` reads them).
    pub revoked_tokens: Mutex<HashSet<String>>,
    /// `migrates-authorization-server`: the authorization server it moves to.
    pub migration: Option<Migration>,
    /// `shares-private-results`: the first `whoami` result, served to everyone.
    pub shared_result: Mutex<Option<serde_json::Value>>,
    /// `oauth_proxy`: the proxying authorization server at this origin.
    pub proxy: Option<Arc<ProxyState>>,
}

/// The move of `migrates-authorization-server`: the new authorization server's issuer,
/// and whether the move has happened (after the first authorized request accepted).
pub(super) struct Migration {
    pub issuer: String,
    pub done: AtomicBool,
}

impl Deployment {
    /// The issuer its metadata names now: the new one once a migration happened.
    pub fn current_issuer(&self) -> &str {
        if self.proxy.is_some() {
            return &self.origin;
        }
        match &self.migration {
            Some(m) if m.done.load(Ordering::SeqCst) => &m.issuer,
            _ => &self.issuer,
        }
    }

    /// The resource identifier tokens must be issued for: the MCP endpoint, or its
    /// origin with `resource-is-origin`.
    pub fn resource(&self) -> &str {
        if self.config.has_knob(ServerKnob::ResourceIsOrigin) {
            &self.origin
        } else {
            &self.mcp_url
        }
    }

    /// The path the MCP endpoint is served at.
    pub fn mcp_path(&self) -> &'static str {
        mcp_path(&self.config)
    }
}

fn mcp_path(config: &ReferenceConfig) -> &'static str {
    if config.has_knob(ServerKnob::McpAtOriginRoot) {
        "/"
    } else {
        "/mcp"
    }
}

/// The MCP endpoint of a server on `origin`: `<origin>/mcp`, or the origin itself (no
/// trailing slash: MCP "Canonical Server URI").
pub(super) fn mcp_url(config: &ReferenceConfig, origin: &str) -> String {
    match mcp_path(config) {
        "/" => origin.to_string(),
        path => format!("{origin}{path}"),
    }
}

/// Locks handler memory; a poisoned lock still yields the data.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
