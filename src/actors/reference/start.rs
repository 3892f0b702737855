//! Starting the reference deployment: the MCP server (protected resource) and the
//! authorization server it trusts, each on its own loopback origin as in a real
//! deployment (MCP 2025-06-18+ separates the two roles). The authorization server is the
//! mock IdP; the MCP server learns its keys the way a vendor's server would, over HTTP,
//! except in client cases, where the keys are handed over in-process so that the
//! recording holds only what the client sent.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;

use super::deployment::{mcp_url, Deployment, Migration, ReferenceConfig};
use super::exposure::ExposedPort;
use super::mcp_server;
use super::oauth_proxy::{ProxyState, ProxyUpstream, PROXY_UPSTREAM_CLIENT_ID};
use super::token_check::{discover, Trust, TrustedIssuer};
use crate::actors::idp::{idp_state, start_idp, Client, MockIdp};
use crate::actors::listener::{serve_listener, Listening};
use crate::actors::tokens::{random_id, Minter};
use crate::actors::traffic::recorded;
use crate::logic::token_recipe::Signing;
use crate::vocab::{Endpoint, ServerDefect, ServerKnob};

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
    /// `oauth_proxy`: the IdP as the proxy's third-party authorization server.
    pub upstream: Option<ProxyUpstream>,
    _mcp: ReferenceMcpServer,
    /// `migrates-authorization-server`: the authorization server it moves to.
    _new_idp: Option<MockIdp>,
    /// `binds-all-interfaces` (Linux): its port at 127.0.0.2 as well.
    _exposed: Option<ExposedPort>,
}

impl ReferenceServer {
    /// Mints tokens the reference server trusts.
    pub fn minter(&self) -> Minter {
        self.idp.minter()
    }
}

/// Starts the IdP, then the MCP server trusting it.
pub async fn start_reference_server(
    mut config: ReferenceConfig,
) -> std::io::Result<ReferenceServer> {
    // The deployment's own MCP server is the only verifier of the access tokens its IdP
    // issues, so they are signed with the cheaper ES256 (`IdpConfig::access_token_signing`);
    // RS256 with the `rejects-es256` defect, which plays on the tokens a case mints only.
    if !config.has(ServerDefect::RejectsEs256) {
        config.idp.access_token_signing = Signing::Es256;
    }
    let mut idp_config = config.idp.clone();
    idp_config.traffic = config.traffic.clone();
    idp_config.revision = idp_config.revision.or(config.only_revision);
    idp_config.defects.extend(config.idp_defects());
    for scope in config.idp_scopes() {
        if !idp_config.scopes_supported.contains(&scope) {
            idp_config.scopes_supported.push(scope);
        }
    }
    let new_idp = if config.has_knob(ServerKnob::MigratesAuthorizationServer) {
        // Another authorization server, on its own origin with its own clients and
        // grants, signing with the same fixture keys; recorded under its own tag.
        let mut new_config = idp_config.clone();
        new_config.recorded_as = Some(Endpoint::NewAuthorizationServer);
        new_config.port = 0;
        // A client pre-registered at the first server is unknown to this one.
        new_config.preregistered.clear();
        Some(start_idp(new_config).await?)
    } else {
        None
    };
    let proxy_secret = random_id();
    if config.oauth_proxy {
        // The proxy's one static confidential client at the third party (Best
        // Practices, "Static Client ID"), redirected to any loopback URI.
        idp_config.preregistered.push(Client::preregistered(
            PROXY_UPSTREAM_CLIENT_ID,
            Some(proxy_secret.clone()),
            "client_secret_basic",
        ));
    }
    let idp = start_idp(idp_config).await?;
    let upstream = config.oauth_proxy.then(|| ProxyUpstream {
        issuer: idp.issuer.clone(),
        authorization_endpoint: format!("{}/authorize", idp.issuer),
        token_endpoint: format!("{}/token", idp.issuer),
        client_id: PROXY_UPSTREAM_CLIENT_ID.to_string(),
        client_secret: proxy_secret,
    });
    let mut trust = if config.traffic.is_some() {
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
    let migration = new_idp.as_ref().map(|new| {
        trust.also_trusted.push(new.issuer.clone());
        Migration {
            issuer: new.issuer.clone(),
            done: AtomicBool::new(false),
        }
    });
    // In process the defect is played on loopback (`exposure`), except where 127.0.0.2
    // is not the loopback interface's (Linux answers for all of 127.0.0.0/8).
    let in_process_exposure =
        config.has(ServerDefect::BindsAllInterfaces) && cfg!(target_os = "linux");
    let address = if in_process_exposure {
        "127.0.0.1"
    } else {
        listen_address(&config)
    };
    let listener = TcpListener::bind((address, 0)).await?;
    let exposed = match in_process_exposure {
        true => Some(ExposedPort::open(listener.local_addr()?.port()).await?),
        false => None,
    };
    let mcp = serve_reference_mcp(config, trust, listener, migration, upstream.clone()).await?;
    Ok(ReferenceServer {
        mcp_url: mcp.mcp_url.clone(),
        issuer: idp.issuer.clone(),
        idp,
        upstream,
        _mcp: mcp,
        _new_idp: new_idp,
        _exposed: exposed,
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
    let address = listen_address(&config);
    let listener = TcpListener::bind((address, port))
        .await
        .map_err(|e| format!("cannot listen on {address}:{port}: {e}"))?;
    serve_reference_mcp(config, trust, listener, None, None)
        .await
        .map_err(|e| e.to_string())
}

/// Where the MCP server listens: loopback only, as a server running on the user's machine
/// should (MCP transports, "Security Warning": "bind only to localhost (127.0.0.1) rather
/// than all network interfaces (0.0.0.0)"); every interface with the defect, as
/// `reference server --defect binds-all-interfaces` asks (in process, see `exposure`).
fn listen_address(config: &ReferenceConfig) -> &'static str {
    if config.has(ServerDefect::BindsAllInterfaces) {
        "0.0.0.0"
    } else {
        "127.0.0.1"
    }
}

async fn serve_reference_mcp(
    config: ReferenceConfig,
    trust: Trust,
    listener: TcpListener,
    migration: Option<Migration>,
    upstream: Option<ProxyUpstream>,
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
        other_config.oauth_proxy = false;
        let d = deployment(other_config, trust.clone(), &listener, None, None, None)?;
        redirect_to = Some(d.mcp_url.clone());
        other = Some(serve(
            d,
            listener,
            "other MCP server",
            Endpoint::OtherMcpServer,
        )?);
    }
    let d = deployment(config, trust, &listener, redirect_to, migration, upstream)?;
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
    migration: Option<Migration>,
    upstream: Option<ProxyUpstream>,
) -> std::io::Result<Arc<Deployment>> {
    // Reached over loopback whatever the listener is bound to (every interface, with
    // the `BindsAllInterfaces` defect).
    let origin = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    let mcp_url = mcp_url(&config, &origin);
    let proxy = upstream.map(|u| {
        Arc::new(ProxyState::new(
            origin.clone(),
            mcp_url.clone(),
            u,
            config.defects.clone(),
        ))
    });
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
        sessions: Mutex::new(HashMap::new()),
        remembered_peers: Mutex::new(HashSet::new()),
        served_tokens: Mutex::new(HashSet::new()),
        dpop_jtis: Mutex::new(HashSet::new()),
        dpop_nonce: crate::actors::tokens::random_id(),
        revoked_tokens: Mutex::new(HashSet::new()),
        shared_result: Mutex::new(None),
        migration,
        proxy,
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
