//! Starting the reference deployment: the MCP server (protected resource) and the
//! authorization server it trusts, each on its own loopback origin as in a real
//! deployment (MCP 2025-06-18+ separates the two roles). The authorization server is the
//! mock IdP; the MCP server learns its keys the way a vendor's server would, over HTTP,
//! except in client cases, where the keys are handed over in-process so that the
//! recording holds only what the client sent.

use std::collections::{BTreeSet, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::net::TcpListener;

use super::mcp_server;
use super::token_check::{discover, Trust, TrustedIssuer, ValidationMode};
use crate::actors::idp::{idp_state, start_idp, IdpConfig, IdpState, MockIdp};
use crate::actors::listener::{serve_listener, Listening};
use crate::actors::tokens::Minter;
use crate::actors::traffic::{recorded, TrafficLog};
use crate::vocab::{Endpoint, IdpDefect, Revision, ServerDefect, ServerKnob};

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

    /// A server of 2025-03-26 only: no protected resource metadata (that revision has
    /// none; RFC 9728 came with 2025-06-18), its own authorization server at its origin.
    pub fn is_2025_03_26_server(&self) -> bool {
        self.only_revision == Some(Revision::R2025_03_26)
    }

    /// Whether the MCP origin is an authorization server (2025-03-26 "Server Metadata
    /// Discovery"): in the 2025-03-26 profile, and in the every-revision server of the
    /// demo; a server of 2025-06-18 or later names a separate one in its metadata.
    pub fn serves_legacy_authorization_server(&self) -> bool {
        self.only_revision
            .is_none_or(|r| r == Revision::R2025_03_26)
    }

    /// The authorization server the 2025-03-26 profile serves at the MCP origin: the
    /// IdP's settings without a path or recording (the MCP server's recording covers it).
    fn legacy_idp_config(&self) -> IdpConfig {
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
    fn idp_defects(&self) -> Vec<IdpDefect> {
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
    /// Session ids handed out (only the `session-authenticates` defect reads them).
    pub sessions: Mutex<HashSet<String>>,
    /// Addresses that once sent a valid token (only `remembers-client-address` reads them).
    pub remembered_peers: Mutex<HashSet<IpAddr>>,
    /// Tokens served once (only `single-use-tokens` reads them).
    pub served_tokens: Mutex<HashSet<String>>,
}

impl Deployment {
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
fn mcp_url(config: &ReferenceConfig, origin: &str) -> String {
    match mcp_path(config) {
        "/" => origin.to_string(),
        path => format!("{origin}{path}"),
    }
}

/// Locks handler memory; a poisoned lock still yields the data.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running reference MCP server; dropping it stops it.
pub struct ReferenceMcpServer {
    pub mcp_url: String,
    pub issuer: String,
    _mcp: Listening,
    /// `redirects-to-other-server`: the other MCP server.
    _other: Option<Listening>,
}

/// A running reference deployment: the MCP server and the IdP it trusts.
pub struct ReferenceServer {
    pub mcp_url: String,
    pub issuer: String,
    pub idp: MockIdp,
    _mcp: ReferenceMcpServer,
}

impl ReferenceServer {
    /// Mints tokens the reference server trusts.
    pub fn minter(&self) -> Minter {
        self.idp.minter()
    }
}

/// Starts the IdP, then the MCP server trusting it.
pub async fn start_reference_server(config: ReferenceConfig) -> std::io::Result<ReferenceServer> {
    let mut idp_config = config.idp.clone();
    idp_config.traffic = config.traffic.clone();
    idp_config.revision = idp_config.revision.or(config.only_revision);
    idp_config.defects.extend(config.idp_defects());
    for scope in config.idp_scopes() {
        if !idp_config.scopes_supported.contains(&scope) {
            idp_config.scopes_supported.push(scope);
        }
    }
    let idp = start_idp(idp_config).await?;
    let trust = if config.traffic.is_some() {
        // A client case: the recording must hold only the client's requests, so the
        // keys are handed over in-process rather than fetched from the IdP.
        Trust::in_process(idp.state(), config.validation)
    } else {
        // The IdP's keys are published whatever its metadata defects, so the trust is
        // given directly rather than discovered (a metadata defect must not break
        // validation).
        let trusted = TrustedIssuer {
            issuer: idp.issuer.clone(),
            jwks_uri: idp.jwks_uri.clone(),
            introspection_endpoint: Some(idp.introspection_endpoint.clone()),
        };
        Trust::load(&trusted, config.validation)
            .await
            .map_err(std::io::Error::other)?
    };
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let mcp = serve_reference_mcp(config, trust, listener).await?;
    Ok(ReferenceServer {
        mcp_url: mcp.mcp_url.clone(),
        issuer: idp.issuer.clone(),
        idp,
        _mcp: mcp,
    })
}

/// Starts the MCP server alone on `127.0.0.1:port`, trusting an issuer found by its
/// metadata: what `mcp-authspec reference server --issuer` runs.
pub async fn start_reference_mcp(
    config: ReferenceConfig,
    issuer: &str,
    port: u16,
) -> Result<ReferenceMcpServer, String> {
    let trusted = discover(issuer).await?;
    let trust = Trust::load(&trusted, config.validation).await?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    serve_reference_mcp(config, trust, listener)
        .await
        .map_err(|e| e.to_string())
}

async fn serve_reference_mcp(
    config: ReferenceConfig,
    trust: Trust,
    listener: TcpListener,
) -> std::io::Result<ReferenceMcpServer> {
    let mut other = None;
    let mut redirect_to = None;
    if config.has_knob(ServerKnob::RedirectsToOtherServer) {
        // Another MCP server on another origin (another port), trusting the same
        // authorization server for its own resource, recorded under its own name.
        let mut other_config = config.clone();
        other_config
            .knobs
            .remove(&ServerKnob::RedirectsToOtherServer);
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let d = deployment(other_config, trust.clone(), &listener, None)?;
        redirect_to = Some(d.mcp_url.clone());
        other = Some(serve(
            d,
            listener,
            "other MCP server",
            Endpoint::OtherMcpServer,
        )?);
    }
    let d = deployment(config, trust, &listener, redirect_to)?;
    let (mcp_url, issuer) = (d.mcp_url.clone(), d.issuer.clone());
    Ok(ReferenceMcpServer {
        mcp_url,
        issuer,
        _mcp: serve(d, listener, "MCP server", Endpoint::Mcp)?,
        _other: other,
    })
}

fn deployment(
    config: ReferenceConfig,
    mut trust: Trust,
    listener: &TcpListener,
    redirect_to: Option<String>,
) -> std::io::Result<Arc<Deployment>> {
    let origin = format!("http://{}", listener.local_addr()?);
    let mcp_url = mcp_url(&config, &origin);
    // 2025-03-26: the MCP server is its own authorization server, at its origin, with
    // the same keys; its tokens are trusted too (not by a server of a later revision).
    if config.serves_legacy_authorization_server() {
        trust.also_trusted.push(origin.clone());
    }
    let mut legacy = config.legacy_idp_config();
    legacy.default_audience = Some(mcp_url.clone());
    let legacy_authorization_server = idp_state(legacy, origin.clone(), origin.clone());
    Ok(Arc::new(Deployment {
        legacy_authorization_server,
        config,
        mcp_url,
        redirect_to,
        origin,
        issuer: trust.issuer.clone(),
        trust,
        sessions: Mutex::new(HashSet::new()),
        remembered_peers: Mutex::new(HashSet::new()),
        served_tokens: Mutex::new(HashSet::new()),
    }))
}

/// Serves a deployment's routes, its MCP endpoint tagged `mcp_endpoint`, recorded under
/// `name` when the case records.
fn serve(
    d: Arc<Deployment>,
    listener: TcpListener,
    name: &'static str,
    mcp_endpoint: Endpoint,
) -> std::io::Result<Listening> {
    let mut routes = mcp_server::router(d.clone(), mcp_endpoint);
    if let Some(log) = d.config.traffic.clone() {
        routes = recorded(routes, log, d.origin.clone(), name);
    }
    serve_listener(listener, routes)
}
