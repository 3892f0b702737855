//! The driver of a role's reference implementation, started on loopback, conformant or
//! with one defect: what the self-test runs every case against, and what the demo runs.

use std::sync::Arc;

use url::Url;

use super::authorization_server::AuthorizationServerDriver;
use super::client::{ClientDriver, ClientUnderTest};
use super::driver::Driver;
use super::server::ServerDriver;
use crate::actors::idp::{start_idp, IdpConfig, MockIdp, DEFAULT_SCOPE, REFERENCE_MACHINE_CLIENT};
use crate::actors::reference::{
    start_reference_server, ReferenceConfig, ReferenceServer, REQUEST_STATE_TOOL, UPSTREAM_TOOL,
    URL_ELICITATION_TOOL, WHOAMI_RESOURCE,
};
use crate::actors::tokens::TokenSupply;
use crate::actors::upstream::{start_upstream, UpstreamApi};
use crate::logic::as_config::{AsRunConfig, MachineClientConfig};
use crate::logic::case::DefectRef;
use crate::logic::server_config::{
    FixtureResources, FixtureTools, ScopeHierarchy, ServerRunConfig,
};
use crate::transport::TransportLimits;
use crate::vocab::Role;

/// A started reference implementation and its driver; the implementation serves while
/// this lives.
pub struct ReferenceTarget {
    pub driver: Box<dyn Driver>,
    _server: Option<ReferenceServer>,
    _idp: Option<MockIdp>,
    _upstream: Option<UpstreamApi>,
}

/// The scope hierarchy of the reference server: `mcp:admin` implies `mcp:tools`.
pub const REFERENCE_SCOPE_IMPLIES: &[(&str, &str)] = &[("mcp:admin", DEFAULT_SCOPE)];

/// Starts the upstream API and has the reference server offer the fixtures of
/// `server --config` ([`reference_fixtures`]), as a server under test would.
pub async fn offer_reference_fixtures(config: &mut ReferenceConfig) -> Result<UpstreamApi, String> {
    let upstream = start_upstream()
        .await
        .map_err(|e| format!("cannot start the upstream API fixture: {e}"))?;
    config.upstream = Some(upstream.url.clone());
    config.per_user_resource = true;
    config.scope_implies = reference_fixtures().scopes.implies;
    Ok(upstream)
}

/// What the reference server offers as fixtures, in the words of `server --config`.
pub fn reference_fixtures() -> ServerRunConfig {
    ServerRunConfig {
        tools: FixtureTools {
            upstream: Some(UPSTREAM_TOOL.into()),
            request_state: Some(REQUEST_STATE_TOOL.into()),
            url_elicitation: Some(URL_ELICITATION_TOOL.into()),
        },
        resources: FixtureResources {
            per_user: Some(WHOAMI_RESOURCE.into()),
        },
        scopes: ScopeHierarchy {
            implies: REFERENCE_SCOPE_IMPLIES
                .iter()
                .map(|(b, n)| (b.to_string(), vec![n.to_string()]))
                .collect(),
        },
    }
}

/// Tokens for a run against the reference deployment: minted by its IdP.
pub fn reference_tokens(server: &ReferenceServer) -> TokenSupply {
    TokenSupply::minted(server.minter(), DEFAULT_SCOPE)
}

/// The reference implementation of `role`, with `defect` when it is one of that role's.
/// `Err`: the defect belongs to another role, or the implementation cannot start.
pub async fn reference_driver(
    role: Role,
    defect: Option<DefectRef>,
) -> Result<ReferenceTarget, String> {
    reference_driver_as(role, defect, false).await
}

/// [`reference_driver`], the server in its OAuth-proxy mode when `oauth_proxy` (what the
/// proxy cases run against; every other case sees the plain server).
pub async fn reference_driver_as(
    role: Role,
    defect: Option<DefectRef>,
    oauth_proxy: bool,
) -> Result<ReferenceTarget, String> {
    let other = |d: DefectRef| {
        Err(format!(
            "`{}` is a defect of another role's reference",
            d.name()
        ))
    };
    match role {
        Role::Client => {
            let defect = match defect {
                Some(DefectRef::Client(d)) => Some(d),
                Some(d) => return other(d),
                None => None,
            };
            Ok(ReferenceTarget {
                driver: Box::new(ClientDriver {
                    client: ClientUnderTest::Reference {
                        defect,
                        knobs: Default::default(),
                    },
                    reference: true,
                }),
                _server: None,
                _idp: None,
                _upstream: None,
            })
        }
        Role::AuthorizationServer => {
            let mut config = match defect {
                Some(DefectRef::Idp(d)) => IdpConfig::with_defects([d]),
                Some(d) => return other(d),
                None => IdpConfig::default(),
            };
            // The reference implements every extension; only the cases of those a run
            // enables judge it.
            config.client_credentials = true;
            let idp = start_idp(config)
                .await
                .map_err(|e| format!("cannot start the mock IdP: {e}"))?;
            Ok(ReferenceTarget {
                driver: Box::new(AuthorizationServerDriver {
                    issuer: idp.issuer.clone(),
                    // The reference IdP fetches documents from loopback http.
                    config: AsRunConfig {
                        cimd_http_documents: true,
                        machine_client: Some(reference_machine_client()),
                        ..AsRunConfig::default()
                    },
                    limits: TransportLimits::default(),
                    reference: true,
                }),
                _server: None,
                _idp: Some(idp),
                _upstream: None,
            })
        }
        Role::Server => {
            let mut config = match defect {
                Some(DefectRef::Server(d)) => ReferenceConfig::with_defect(d),
                Some(d) => return other(d),
                None => ReferenceConfig::default(),
            };
            let upstream = offer_reference_fixtures(&mut config).await?;
            config.oauth_proxy = oauth_proxy;
            let server = start_reference_server(config)
                .await
                .map_err(|e| format!("cannot start the reference server: {e}"))?;
            let url = Url::parse(&server.mcp_url)
                .map_err(|e| format!("the reference server's URL does not parse: {e}"))?;
            Ok(ReferenceTarget {
                driver: Box::new(ServerDriver {
                    url,
                    limits: TransportLimits::default(),
                    reference: true,
                    tokens: Arc::new(reference_tokens(&server)),
                    fixtures: reference_fixtures(),
                    upstream_log: Some(upstream.log_url.clone()),
                    launched_here: true,
                    oauth_proxy: server
                        .upstream
                        .as_ref()
                        .map(|u| u.authorization_endpoint.clone()),
                }),
                _server: Some(server),
                _idp: None,
                _upstream: Some(upstream),
            })
        }
    }
}

/// The reference authorization server's client credentials client, as a run configures it.
pub fn reference_machine_client() -> MachineClientConfig {
    let (id, secret) = REFERENCE_MACHINE_CLIENT;
    MachineClientConfig {
        id: id.into(),
        secret: secret.into(),
    }
}
