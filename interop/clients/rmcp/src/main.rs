//! scripts/interop --clients: a small MCP client app on rmcp's OAuth support
//! (`rmcp::transport::auth`), launched by `mcp-authspec client` the way the official
//! conformance suite launches clients: the server URL is the last argument, a
//! pre-registered client may come in `MCP_CONFORMANCE_CONTEXT`.
//!
//! It does what an application on rmcp does, the SDK does the OAuth: connect without
//! credentials; on the 401 feed the challenge to `AuthorizationRequest::with_challenge`
//! (MCP "Authorization Server Discovery": the `resource_metadata` of the
//! WWW-Authenticate header), authorize, reconnect; list the tools and call each one.
//! A 403 `insufficient_scope` goes to the SDK's `request_scope_upgrade` (MCP "Step-Up
//! Authorization Flow"), which computes the scope union and enforces its own attempt
//! limit. The app's only policy: at most MAX_AUTHORIZATIONS full authorizations, so that
//! the app itself never loops (MCP: clients SHOULD bound retries).
//!
//! The user's consent is a headless browser: follow the authorization server's
//! redirects (cookies kept) until one points at our redirect URI, then hand that URL
//! to the SDK's callback handling (code, state, RFC 9207 `iss`). Nobody listens on the
//! redirect URI; the redirect is taken from the `Location` header.
//!
//! The OAuth client credentials extension (SEP-1046): when MCP_CONFORMANCE_SCENARIO is
//! `auth/client-credentials-jwt` or `auth/client-credentials-basic` there is no user,
//! so the 401 leads to `OAuthState::authenticate_client_credentials` instead (the SDK
//! discovers the authorization server and sends the client credentials grant) with a
//! `ClientCredentialsConfig` built from the context: `PrivateKeyJwt` from client_id,
//! private_key_pem and signing_algorithm, `ClientSecret` from client_id and
//! client_secret. The SDK requires the app to name the RFC 8707 resource; the app names
//! the server URL it was given. That SDK call takes no challenge: it discovers from the
//! server URL (RFC 9728 well-known) on its own.
//!
//! Enterprise-managed authorization (ext-auth draft, SEP-990): when the scenario is
//! `auth/enterprise-managed-authorization`, the 401's challenge goes to the SDK's
//! metadata discovery (`AuthorizationManager::resolve_metadata_from_challenge`: RFC 9728,
//! then RFC 8414), which yields the MCP authorization server's issuer and token
//! endpoint; rmcp's `enterprise` module leaves discovering and approving both servers to
//! the caller, and the context names only the identity provider. Then
//! `EmaExchangeRequest::new_with_id_token(..).exchange(..)` does both legs: the RFC 8693
//! token exchange at the context's idp_token_endpoint (the public idp_client_id, the ID
//! token, audience the issuer, resource the server URL) and the JWT bearer grant with the
//! ID-JAG at the authorization server, authenticated by the context's client_id and
//! client_secret in client_secret_basic (client_secret_post when the metadata advertises
//! only that). The exchange asks for the challenge's scope (MCP "Scope Selection
//! Strategy"): rmcp refuses an access token whose scope the ID-JAG does not carry, and an
//! ID-JAG without a scope claim carries none, so an authorization server's default scope
//! (RFC 6749 §3.3) would end the run. The access token goes into the transport's `auth_header`; a second 401
//! ends the run (the SDK has no renewal for it, and EMA has no user to ask).
//!
//! Workload identity federation (`auth/wif-jwt-bearer`) is not handled: rmcp 3.11.0 has
//! no JWT bearer grant (RFC 7523 §2.1) for a JWT the caller holds; its only such grant is
//! the redemption of an ID-JAG it obtained itself in the exchange above.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::auth::enterprise::{EmaAuthorizationServer, EmaClientAuthentication, EmaExchangeRequest};
use rmcp::transport::auth::{
    default_oauth_http_client, AuthClient, AuthorizationCallback, AuthorizationManager, AuthorizationRequest,
    ClientCredentialsConfig, OAuthState,
};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{JwtSigningAlgorithm, StreamableHttpClientTransport, WWWAuthenticateParams};
use rmcp::{RoleClient, ServiceExt};

/// Loopback, any port: what the suite's pre-registered client allows (RFC 8252 §7.3).
const REDIRECT_URI: &str = "http://127.0.0.1:18998/callback";
const MAX_AUTHORIZATIONS: usize = 3;
const MAX_CONSENT_HOPS: usize = 10;
const EMA_SCENARIO: &str = "auth/enterprise-managed-authorization";

/// What the last connection attempt asks for next.
enum Next {
    Done,
    /// 401 (or no session yet): a full authorization with this challenge.
    Authorize(String),
    /// 403 insufficient_scope: a step-up with this challenge.
    StepUp(String),
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("rmcp client: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let server = std::env::args().last().filter(|a| a.starts_with("http")).context("usage: rmcp-client <server-url>")?;
    if std::env::var("MCP_CONFORMANCE_SCENARIO").as_deref() == Ok(EMA_SCENARIO) {
        return enterprise_managed(&server).await;
    }
    let mut auth: Option<AuthClient<reqwest::Client>> = None;
    let mut authorizations = 0;
    loop {
        let next = match connect(auth.clone(), &server).await {
            Ok(client) => {
                let next = work(&client).await;
                let _ = client.cancel().await;
                next?
            }
            Err(e) => match e.auth_challenge() {
                Some(ch) => classify(ch),
                None => return Err(anyhow!(e).context("initialize")),
            },
        };
        match next {
            Next::Done => return Ok(()),
            Next::StepUp(ch) if auth.is_some() => {
                let manager = auth.as_ref().expect("checked").auth_manager.clone();
                let manager = manager.lock().await;
                let scope = scope_of(&ch, &server).unwrap_or_default();
                let url = manager.request_scope_upgrade(&scope).await.context("scope upgrade")?;
                let cb = AuthorizationCallback::from_redirect_url(&consent(&url).await?)?;
                manager
                    .exchange_code_for_token_with_issuer(&cb.code, &cb.csrf_token, cb.issuer.as_deref())
                    .await
                    .context("step-up code exchange")?;
            }
            Next::StepUp(ch) | Next::Authorize(ch) => {
                authorizations += 1;
                if authorizations > MAX_AUTHORIZATIONS {
                    bail!("still refused after {MAX_AUTHORIZATIONS} authorizations");
                }
                auth = Some(AuthClient::new(reqwest::Client::default(), authorize(&server, &ch).await?));
            }
        }
    }
}

type Client = RunningService<RoleClient, ()>;

async fn connect(auth: Option<AuthClient<reqwest::Client>>, server: &str) -> Result<Client, rmcp::service::ClientInitializeError> {
    let config = StreamableHttpClientTransportConfig::with_uri(server.to_string());
    match auth {
        Some(auth) => ().serve(StreamableHttpClientTransport::with_client(auth, config)).await,
        None => ().serve(StreamableHttpClientTransport::with_client(reqwest::Client::default(), config)).await,
    }
}

/// List the tools and call each, with "hello" for every string property.
async fn work(client: &Client) -> Result<Next> {
    let tools = match client.list_all_tools().await {
        Ok(tools) => tools,
        Err(e) => return e.auth_challenge().map(classify).ok_or_else(|| anyhow!(e).context("tools/list")),
    };
    for tool in tools {
        let mut args = serde_json::Map::new();
        if let Some(props) = tool.input_schema.get("properties").and_then(|p| p.as_object()) {
            for (name, schema) in props {
                if schema.get("type").and_then(|t| t.as_str()) == Some("string") {
                    args.insert(name.clone(), "hello".into());
                }
            }
        }
        let params = CallToolRequestParams::new(tool.name.clone()).with_arguments(args);
        if let Err(e) = client.call_tool(params).await {
            return e.auth_challenge().map(classify).ok_or_else(|| anyhow!(e).context("tools/call"));
        }
    }
    Ok(Next::Done)
}

fn classify(challenge: &str) -> Next {
    if challenge.contains("insufficient_scope") {
        Next::StepUp(challenge.to_string())
    } else {
        Next::Authorize(challenge.to_string())
    }
}

fn scope_of(challenge: &str, server: &str) -> Option<String> {
    WWWAuthenticateParams::parse(challenge, &url::Url::parse(server).ok()?).scope
}

/// One full authorization through the SDK: discovery from the challenge, registration
/// (pre-registered, else DCR), PKCE, consent, code exchange; or, in the client
/// credentials scenarios, the SDK's client credentials grant.
async fn authorize(server: &str, challenge: &str) -> Result<AuthorizationManager> {
    let mut state = OAuthState::new(server, None).await.context("OAuth state")?;
    let ctx = context();
    if let Some(config) = client_credentials(&ctx, server)? {
        state.authenticate_client_credentials(config).await.context("client credentials grant")?;
        return state.into_authorization_manager().context("not authorized after the client credentials grant");
    }
    let mut request = AuthorizationRequest::new(REDIRECT_URI)
        .with_client_name("mcp-authspec-interop-rmcp")
        .with_challenge(challenge);
    // The official launch protocol's pre-registration: client_id (+ client_secret). rmcp
    // has no setting for the token endpoint auth method; it chooses by the AS metadata.
    if let Some(id) = ctx.get("client_id").and_then(|v| v.as_str()) {
        request = request.with_preregistered_client(id);
        if let Some(secret) = ctx.get("client_secret").and_then(|v| v.as_str()) {
            request = request.with_client_secret(secret);
        }
    }
    state.start_authorization(request).await.context("start authorization")?;
    let url = state.get_authorization_url().await?;
    state.handle_callback_url(&consent(&url).await?).await.context("authorization callback")?;
    state.into_authorization_manager().context("not authorized after the callback")
}

fn context() -> serde_json::Value {
    std::env::var("MCP_CONFORMANCE_CONTEXT")
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_default()
}

/// The client credentials configuration of the two SEP-1046 scenarios, None otherwise.
fn client_credentials(ctx: &serde_json::Value, server: &str) -> Result<Option<ClientCredentialsConfig>> {
    let field = |name: &str| {
        ctx.get(name).and_then(|v| v.as_str()).map(str::to_string).with_context(|| format!("context without {name}"))
    };
    let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_default();
    Ok(Some(match scenario.as_str() {
        "auth/client-credentials-jwt" => ClientCredentialsConfig::PrivateKeyJwt {
            client_id: field("client_id")?,
            signing_key: field("private_key_pem")?.into_bytes(),
            signing_algorithm: match field("signing_algorithm")?.as_str() {
                "ES256" => JwtSigningAlgorithm::ES256,
                "ES384" => JwtSigningAlgorithm::ES384,
                "RS256" => JwtSigningAlgorithm::RS256,
                "RS384" => JwtSigningAlgorithm::RS384,
                "RS512" => JwtSigningAlgorithm::RS512,
                other => bail!("signing_algorithm {other} is not one rmcp offers"),
            },
            token_endpoint_audience: None,
            scopes: vec![],
            resource: Some(server.to_string()),
        },
        "auth/client-credentials-basic" => ClientCredentialsConfig::ClientSecret {
            client_id: field("client_id")?,
            client_secret: field("client_secret")?,
            scopes: vec![],
            resource: Some(server.to_string()),
        },
        _ => return Ok(None),
    }))
}

/// Enterprise-managed authorization: connect, and on the 401 discover the authorization
/// server, let the SDK exchange the ID token for an ID-JAG and redeem it, reconnect with
/// the access token.
async fn enterprise_managed(server: &str) -> Result<()> {
    let challenge = match connect(None, server).await {
        Ok(client) => {
            let next = work(&client).await;
            let _ = client.cancel().await;
            match next? {
                Next::Done => return Ok(()),
                Next::Authorize(ch) | Next::StepUp(ch) => ch,
            }
        }
        Err(e) => e.auth_challenge().map(str::to_string).ok_or_else(|| anyhow!(e).context("initialize"))?,
    };
    let manager = AuthorizationManager::new(server).await.context("authorization manager")?;
    let metadata = manager.resolve_metadata_from_challenge(Some(&challenge)).await.context("metadata discovery")?.metadata;
    let issuer = metadata.issuer.clone().context("the authorization server metadata has no issuer")?;
    let ctx = context();
    let field = |name: &str| {
        ctx.get(name).and_then(|v| v.as_str()).map(str::to_string).with_context(|| format!("context without {name}"))
    };
    let secret = oauth2::ClientSecret::new(field("client_secret")?);
    let methods = metadata.additional_fields.get("token_endpoint_auth_methods_supported").and_then(|m| m.as_array());
    let advertises = |m: &str| methods.is_some_and(|ms| ms.iter().any(|v| v.as_str() == Some(m)));
    // RFC 8414 §2: client_secret_basic is the default when the list is absent.
    let authentication = if methods.is_some() && !advertises("client_secret_basic") && advertises("client_secret_post") {
        EmaClientAuthentication::ClientSecretPost(secret)
    } else {
        EmaClientAuthentication::ClientSecretBasic(secret)
    };
    let idp = EmaAuthorizationServer::new(field("idp_issuer")?, field("idp_token_endpoint")?, field("idp_client_id")?);
    let resource_as = EmaAuthorizationServer::new(issuer, metadata.token_endpoint.clone(), field("client_id")?)
        .with_client_authentication(authentication);
    let id_token = field("idp_id_token")?;
    let http = default_oauth_http_client().context("OAuth HTTP client")?;
    // MCP "Scope Selection Strategy": the challenge's scope. rmcp grants no scope the
    // ID-JAG does not carry, so without it the AS's default scope fails the SDK's check.
    let scopes: Vec<String> = scope_of(&challenge, server).unwrap_or_default().split_whitespace().map(str::to_string).collect();
    let token = EmaExchangeRequest::new_with_id_token(idp, resource_as, server, &id_token)
        .with_scopes(scopes)
        .exchange(&http, &http)
        .await
        .context("enterprise-managed authorization")?;
    let config = StreamableHttpClientTransportConfig::with_uri(server.to_string())
        .auth_header(token.access_token.secret().to_string());
    let client = ().serve(StreamableHttpClientTransport::with_client(reqwest::Client::default(), config)).await?;
    let next = work(&client).await;
    let _ = client.cancel().await;
    match next? {
        Next::Done => Ok(()),
        Next::Authorize(_) | Next::StepUp(_) => bail!("refused with the enterprise-managed access token"),
    }
}

/// The user's browser: follow redirects until one targets REDIRECT_URI.
async fn consent(url: &str) -> Result<String> {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()?;
    let mut at = reqwest::Url::parse(url)?;
    for _ in 0..MAX_CONSENT_HOPS {
        let resp = browser.get(at.clone()).send().await.with_context(|| format!("consent GET {at}"))?;
        let Some(location) = resp.headers().get(reqwest::header::LOCATION) else {
            bail!("consent: {} answered {} without a redirect", at, resp.status());
        };
        let next = at.join(location.to_str()?)?;
        if next.as_str().starts_with(REDIRECT_URI) {
            return Ok(next.to_string());
        }
        at = next;
    }
    bail!("consent: more than {MAX_CONSENT_HOPS} redirects")
}
