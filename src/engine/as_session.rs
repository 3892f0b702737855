//! A run against an authorization server: the harness is its OAuth client and user
//! agent. Before the cases it reads the metadata, serves a loopback redirect URI and
//! resource, and gets a client (configured, or registered through RFC 7591). What it
//! cannot set up is not an error: the cases that need it are skipped with the reason.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};
use url::Url;

use super::events::RunEvents;
use super::run_frame::RunFrame;
use super::runner::{run_cases, RunPlan, Target};
use super::server_session::check_reachable;
use super::token_supply::TokenSupply;
use crate::actors::loopback_client::start_loopback_client;
use crate::logic::as_config::AsRunConfig;
use crate::logic::case::Case;
use crate::logic::redaction::SecretValues;
use crate::logic::template::Vars;
use crate::logic::well_known::{append_well_known, insert_well_known};
use crate::transport::{get_json, HttpClient, HttpRequest, ReqwestClient, TransportLimits};
use crate::vocab::{HeaderPair, Role, RunReport, TargetDescription};

pub struct AuthorizationServerSession {
    /// The issuer identifier, kept as the string given (RFC 8414 §2).
    pub issuer: String,
    pub config: AsRunConfig,
    pub plan: RunPlan,
    pub limits: TransportLimits,
    /// Marks the target as the suite's reference implementation in the report.
    pub reference: bool,
}

impl AuthorizationServerSession {
    pub async fn run(&self, cases: &[Arc<Case>], events: Arc<dyn RunEvents>) -> RunReport {
        let frame = RunFrame::start(
            TargetDescription {
                role: Role::AuthorizationServer,
                location: self.issuer.clone(),
                reference: self.reference,
                process: None,
            },
            &self.plan,
        )
        .with_secrets(&SecretValues::of_as_config(&self.config));
        let finish = |error, cases| frame.finish(error, cases);
        let issuer_url = match Url::parse(&self.issuer) {
            Ok(u) => u,
            Err(e) => {
                let reason = format!("the issuer `{}` is not a URL: {e}", self.issuer);
                return finish(Some(reason), Vec::new());
            }
        };
        if let Err(reason) = check_reachable(&issuer_url).await {
            return finish(Some(reason), Vec::new());
        }
        let client: Arc<dyn HttpClient> = match ReqwestClient::new(self.limits) {
            Ok(c) => Arc::new(c),
            Err(e) => return finish(Some(e.message), Vec::new()),
        };
        let loopback = match start_loopback_client().await {
            Ok(l) => l,
            Err(e) => {
                return finish(
                    Some(format!("cannot serve the loopback client: {e}")),
                    Vec::new(),
                )
            }
        };
        let mut setup = Setup::default();
        // The issuer identifier exactly as given: RFC 8414 §3.3 compares it as a string,
        // so a slash URL parsing would add to an origin must not appear.
        setup.set("issuer", self.issuer.clone());
        setup.set(
            "redirect_uri",
            self.config
                .redirect_uri
                .clone()
                .unwrap_or(loopback.redirect_uri.clone()),
        );
        setup.set(
            "resource",
            self.config
                .resource
                .clone()
                .unwrap_or(loopback.resource.clone()),
        );
        let metadata = read_metadata(client.as_ref(), &issuer_url).await;
        setup.take_metadata(&metadata, self.config.scope.clone());
        setup.client(client.as_ref(), &self.config).await;
        let target = Target {
            session_vars: setup.vars,
            unavailable: Arc::new(setup.unavailable),
            consent: Arc::new(self.config.consent.clone()),
            ..Target::new(Role::AuthorizationServer, issuer_url)
        };
        let reports = run_cases(
            cases,
            &target,
            &self.plan,
            client,
            Arc::new(TokenSupply::default()),
            events,
        )
        .await;
        drop(loopback);
        finish(None, reports)
    }
}

#[derive(Default)]
struct Setup {
    vars: Vars,
    unavailable: BTreeMap<String, String>,
}

impl Setup {
    fn set(&mut self, name: &str, value: String) {
        self.vars.insert(name.into(), value);
    }

    fn missing(&mut self, name: &str, reason: &str) {
        self.unavailable.insert(name.into(), reason.into());
    }

    fn take_metadata(&mut self, metadata: &Result<Value, String>, scope: Option<String>) {
        let doc = match metadata {
            Ok(d) => d,
            Err(reason) => {
                let reason = format!("the server's metadata could not be read ({reason})");
                for name in [
                    "authorization_endpoint",
                    "token_endpoint",
                    "registration_endpoint",
                ] {
                    self.missing(name, &reason);
                }
                return;
            }
        };
        for name in [
            "authorization_endpoint",
            "token_endpoint",
            "registration_endpoint",
        ] {
            match doc[name].as_str() {
                Some(url) => self.set(name, url.to_string()),
                None => self.missing(name, &format!("the metadata names no {name}")),
            }
        }
        // The configured scope, else all the server offers; else the parameter is left
        // out (an unset variable drops it from the request).
        let offered = doc["scopes_supported"].as_array().map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|s| *s != "offline_access")
                .collect::<Vec<_>>()
                .join(" ")
        });
        if let Some(scope) = scope.or(offered).filter(|s| !s.is_empty()) {
            self.set("scope", scope);
        }
    }

    /// The configured client, or one registered now (RFC 7591 §3.1) as a public
    /// native client with the loopback redirect URI.
    async fn client(&mut self, http: &dyn HttpClient, config: &AsRunConfig) {
        if let Some(c) = &config.client {
            self.set("client_id", c.id.clone());
            self.set("client_secret", c.secret.clone().unwrap_or_default());
            self.set("client_auth_method", c.auth_method.clone());
            return;
        }
        let registered = match self.vars.get("registration_endpoint") {
            None => Err(format!(
                "no client was configured and none could be registered: {}",
                self.unavailable
                    .get("registration_endpoint")
                    .map(String::as_str)
                    .unwrap_or("no registration endpoint")
            )),
            Some(endpoint) => register(http, endpoint, &self.vars["redirect_uri"]).await,
        };
        match registered {
            Ok(client_id) => {
                self.set("client_id", client_id);
                self.set("client_secret", String::new());
                self.set("client_auth_method", "none".into());
            }
            Err(reason) => {
                for name in ["client_id", "client_secret", "client_auth_method"] {
                    self.missing(name, &reason);
                }
            }
        }
    }
}

/// The metadata at the first probe URL that answers with a JSON object: RFC 8414
/// path-inserted, OpenID Connect path-inserted, OpenID Connect path-appended.
async fn read_metadata(http: &dyn HttpClient, issuer: &Url) -> Result<Value, String> {
    let mut tried = Vec::new();
    let candidates = [
        insert_well_known(issuer, "oauth-authorization-server").to_string(),
        insert_well_known(issuer, "openid-configuration").to_string(),
        append_well_known(issuer, "openid-configuration").to_string(),
    ];
    for url in candidates {
        if tried.iter().any(|(u, _)| *u == url) {
            continue;
        }
        let outcome = match get_json(http, &url).await {
            Ok(doc) if doc.is_object() => return Ok(doc),
            Ok(_) => "not a JSON object".to_string(),
            Err(e) => e,
        };
        tried.push((url, outcome));
    }
    Err(tried
        .iter()
        .map(|(u, why)| format!("{u}: {why}"))
        .collect::<Vec<_>>()
        .join("; "))
}

async fn register(
    http: &dyn HttpClient,
    endpoint: &str,
    redirect_uri: &str,
) -> Result<String, String> {
    let body = json!({
        "client_name": "mcp-authspec",
        "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "application_type": "native",
    });
    let response = http
        .send(HttpRequest {
            method: "POST".into(),
            url: endpoint.to_string(),
            headers: vec![HeaderPair::new("Content-Type", "application/json")],
            body: Some(body.to_string().into_bytes()),
        })
        .await
        .map_err(|e| format!("registration failed: {}", e.message))?;
    let doc: Value = serde_json::from_slice(&response.body).unwrap_or_default();
    match doc["client_id"].as_str() {
        Some(id) if (200..300).contains(&response.status) => Ok(id.to_string()),
        _ => Err(format!(
            "registering a public client failed (HTTP {}, {})",
            response.status,
            String::from_utf8_lossy(&response.body)
                .chars()
                .take(200)
                .collect::<String>()
        )),
    }
}
