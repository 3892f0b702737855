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

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::auth::{
    AuthClient, AuthorizationCallback, AuthorizationManager, AuthorizationRequest, ClientCredentialsConfig, OAuthState,
};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{JwtSigningAlgorithm, StreamableHttpClientTransport, WWWAuthenticateParams};
use rmcp::{RoleClient, ServiceExt};

/// Loopback, any port: what the suite's pre-registered client allows (RFC 8252 §7.3).
const REDIRECT_URI: &str = "http://127.0.0.1:18998/callback";
const MAX_AUTHORIZATIONS: usize = 3;
const MAX_CONSENT_HOPS: usize = 10;

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
