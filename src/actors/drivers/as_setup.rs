//! The set-up of an authorization-server run, before any case: read the metadata, get
//! the run's client (configured, or registered once through RFC 7591), and walk one
//! authorization code flow with the run's own values. What the server does not offer
//! (no registration endpoint, unreadable metadata) makes the cases that need it not
//! applicable. What the environment gets in the way of (a login page under `auto`
//! consent, a rate limit, a refused registration, a resource the server does not serve)
//! makes them `error`, with the server's answer and what to configure: never a verdict
//! on the server.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};
use url::Url;

use super::request_builder;
use super::shared_registrations::SharedRegistrations;
use super::user_agent::{through_consent, ConsentError};
use crate::actors::tokens::TokenSupply;
use crate::logic::answer::Answer;
use crate::logic::as_config::{AsRunConfig, Consent};
use crate::logic::builtins::{
    Blocked, Builtins, RunClient, METADATA_ENDPOINTS, RUN_CLIENT_VARIABLES,
};
use crate::logic::case_model::WrittenRequest;
use crate::logic::redaction::{redact_body, redact_exchange, redact_text};
use crate::logic::step_request::StepRequest;
use crate::logic::template::Vars;
use crate::logic::well_known::as_metadata_candidates;
use crate::transport::{get_json, HttpClient, HttpRequest, Recorder};
use crate::vocab::{ClientAuthMethod, HeaderPair, Revision};

/// Cases that send an authorization request.
pub(super) const AUTHORIZATION_FLOW: &[&str] = &["authorization_endpoint"];
/// Cases that redeem a code.
pub(super) const CODE_EXCHANGE: &[&str] = &["authorization_endpoint", "token_endpoint"];
/// Cases that need the run's client.
pub(super) const NEEDS_CLIENT: &[&str] = &["client_id"];

/// The run's built-ins and what it could not set up.
pub(super) struct Setup {
    pub builtins: Builtins,
    /// The consent strategy the cases use: `auto` becomes `AutoConfirmed` once the
    /// set-up flow was approved at once.
    pub consent: Consent,
}

impl Setup {
    fn new(issuer_url: &Url, consent: Consent) -> Self {
        Setup {
            builtins: Builtins::new(issuer_url.to_string()),
            consent,
        }
    }

    fn missing(&mut self, name: &str, reason: &str) {
        self.builtins.missing(name, reason);
    }

    /// The resource the run asks tokens for.
    fn resource(&self) -> &str {
        self.builtins.resource.as_deref().unwrap_or_default()
    }

    fn block(&mut self, needs: &'static [&'static str], reason: String, recorder: &Recorder) {
        self.builtins.blocked.push(Blocked {
            needs,
            reason,
            evidence: recorder
                .exchanges()
                .into_iter()
                .map(redact_exchange)
                .collect(),
        });
    }
}

/// Reads the metadata, gets a client and walks the set-up flow. Returns the set-up and
/// the HTTP client the cases use (registrations shared within the run).
pub(super) async fn prepare(
    http: Arc<dyn HttpClient>,
    issuer: &str,
    issuer_url: &Url,
    config: &AsRunConfig,
    loopback_redirect_uri: &str,
    loopback_resource: &str,
    loopback_cimd_base: &str,
) -> (Setup, Arc<dyn HttpClient>) {
    let mut setup = Setup::new(issuer_url, config.consent.clone());
    // The issuer identifier exactly as given: RFC 8414 §3.3 compares it as a string,
    // so a slash URL parsing would add to an origin must not appear.
    setup.builtins.issuer = Some(issuer.to_string());
    let redirect_uri = config
        .redirect_uri
        .clone()
        .unwrap_or(loopback_redirect_uri.to_string());
    // MCP 2026-07-28 "Application Type and Redirect URI Constraints": native for a
    // loopback redirect URI, web otherwise (OIDC registration would refuse the mix).
    let application_type = if is_loopback(&redirect_uri) {
        "native"
    } else {
        "web"
    };
    setup.builtins.application_type = Some(application_type.into());
    setup.builtins.redirect_uri = Some(redirect_uri);
    setup.builtins.resource = Some(
        config
            .resource
            .clone()
            .unwrap_or(loopback_resource.to_string()),
    );
    if let Some(prompt) = &config.prompt {
        setup.builtins.prompt = Some(prompt.clone());
    }
    match &config.machine_client {
        Some(m) => setup.builtins.machine_client = Some((m.id.clone(), m.secret.clone())),
        None => {
            for name in ["machine_client_id", "machine_client_secret"] {
                setup.builtins.missing(
                    name,
                    "no [machine_client] in the --config file (the client credentials \
                     extension's pre-registered client)",
                );
            }
        }
    }
    setup.cimd_documents(config, loopback_cimd_base);
    let metadata = read_metadata(http.as_ref(), issuer_url).await;
    setup.take_metadata(&metadata, config.scope.clone());
    let client: Arc<dyn HttpClient> = match &setup.builtins.registration_endpoint {
        Some(endpoint) => Arc::new(SharedRegistrations::new(http.clone(), endpoint.clone())),
        None => http.clone(),
    };
    setup.client(client.clone(), config).await;
    let b = &setup.builtins;
    let ready =
        b.client.is_some() && b.authorization_endpoint.is_some() && b.token_endpoint.is_some();
    if ready && b.blocked.is_empty() {
        setup.flow(client.clone(), config).await;
    }
    (setup, client)
}

impl Setup {
    /// The client ID metadata documents the harness serves, when the server can fetch
    /// them: the documents list the loopback redirect URI, so a configured one rules
    /// them out too.
    fn cimd_documents(&mut self, config: &AsRunConfig, base: &str) {
        let reason = if !config.cimd_http_documents {
            "the client ID metadata document cases need a document host the server \
             fetches from; the harness serves one on plain-http loopback only (MCP wants \
             https document URLs). If the server accepts http documents on loopback for \
             testing, add `cimd_http_documents = true` to the config file (`--config \
             as.toml`)"
        } else if config.redirect_uri.is_some() {
            "the client ID metadata documents the harness serves list its loopback \
             redirect URI, and the config names another redirect_uri"
        } else {
            self.builtins.cimd_base = Some(base.to_string());
            return;
        };
        self.missing("cimd_base", reason);
    }

    fn take_metadata(&mut self, metadata: &Result<Value, String>, scope: Option<String>) {
        let doc = match metadata {
            Ok(d) => d,
            Err(reason) => {
                let reason = format!("the server's metadata could not be read ({reason})");
                for name in METADATA_ENDPOINTS {
                    self.missing(name, &reason);
                }
                return;
            }
        };
        for name in METADATA_ENDPOINTS {
            match doc[name].as_str() {
                Some(url) => {
                    if let Some(slot) = self.builtins.endpoint_mut(name) {
                        *slot = Some(url.to_string());
                    }
                }
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
            self.builtins.scope = Some(scope);
        }
    }

    /// The configured client, or one registered now (RFC 7591 §3.1) as a public client
    /// with the run's redirect URI.
    async fn client(&mut self, http: Arc<dyn HttpClient>, config: &AsRunConfig) {
        if let Some(c) = &config.client {
            self.builtins.client = Some(RunClient {
                id: c.id.clone(),
                secret: c.secret.clone(),
                auth_method: c.auth_method,
            });
            return;
        }
        let Some(endpoint) = self.builtins.registration_endpoint.clone() else {
            let why = self
                .builtins
                .unavailable
                .get("registration_endpoint")
                .cloned()
                .unwrap_or_else(|| "the metadata names no registration_endpoint".into());
            if why.contains("could not be read") {
                // The server's own failure, judged by the metadata cases.
                let reason =
                    format!("no client was configured and none could be registered: {why}");
                for name in RUN_CLIENT_VARIABLES {
                    self.missing(name, &reason);
                }
                return;
            }
            let reason = format!(
                "no client is configured and {why}, so the run has no client to authorize \
                 with (dynamic registration is optional: MCP 2025-11-25 makes it a MAY). \
                 Register a client with the server and name it in the config file \
                 (`--config as.toml`):\n\n{}",
                indent(CLIENT_SNIPPET)
            );
            self.builtins.blocked.push(Blocked {
                needs: NEEDS_CLIENT,
                reason,
                evidence: Vec::new(),
            });
            return;
        };
        let recorder = Recorder::new(http);
        match self.register(&recorder, &endpoint).await {
            Ok(client_id) => {
                self.builtins.client = Some(RunClient {
                    id: client_id,
                    secret: None,
                    auth_method: ClientAuthMethod::None,
                });
            }
            Err(reason) => self.block(NEEDS_CLIENT, reason, &recorder),
        }
    }

    /// Registers the run's public client. The metadata is the one the registration cases
    /// send too, so that they share this registration instead of making their own.
    async fn register(&self, recorder: &Recorder, endpoint: &str) -> Result<String, String> {
        let body = json!({
            "client_name": "mcp-authspec",
            "redirect_uris": [self.builtins.redirect_uri],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "application_type": self.builtins.application_type,
        });
        let sent = recorder
            .send(
                "set-up: register the run's client",
                HttpRequest {
                    method: "POST".into(),
                    url: endpoint.to_string(),
                    headers: vec![HeaderPair::new("Content-Type", "application/json")],
                    body: Some(body.to_string().into_bytes()),
                },
            )
            .await;
        let what = format!("registering the run's client at {endpoint}");
        let response = match sent {
            Ok(r) => r,
            Err(e) => return Err(format!("{what} got no answer: {}", e.message)),
        };
        let doc: Value = serde_json::from_slice(&response.body).unwrap_or_default();
        let answer = summary(response.status, &response.body);
        match (response.status, doc["client_id"].as_str()) {
            (200..=299, Some(id)) if !id.is_empty() => Ok(id.to_string()),
            (200..=299, _) => Err(format!(
                "{what} was answered {answer} without a client_id (RFC 7591 §3.2.1 requires \
                 one), so the cases that need a client cannot run"
            )),
            (429, _) => Err(format!(
                "{what} was rate-limited: {answer}. The server limits registrations (the \
                 TypeScript SDK allows 20 per hour per client address; one run of this
                 suite sends 6). Wait for the limit to reset, or register a client \
                 once and name it in the config file (`--config as.toml`):\n\n{}",
                indent(CLIENT_SNIPPET)
            )),
            (500..=599, _) => Err(format!(
                "{what} failed on the server: {answer}, so the cases that need a client \
                 cannot run"
            )),
            _ => Err(format!(
                "{what} was refused: {answer}. If the server registers clients only in \
                 advance (or wants an initial access token, RFC 7591 §3), register one and \
                 name it in the config file (`--config as.toml`):\n\n{}",
                indent(CLIENT_SNIPPET)
            )),
        }
    }

    /// One authorization code flow with the run's own values, through the consent
    /// strategy. It shows before any case whether the environment lets flows through at
    /// all: a login page, a refused resource or scope, a rate limit block the cases
    /// that need the flow, with the reason, instead of failing them.
    async fn flow(&mut self, http: Arc<dyn HttpClient>, config: &AsRunConfig) {
        let recorder = Recorder::new(http);
        let mut vars = self.builtins.flow_vars();
        let authorize = step_request(json!({"authorize": {
            "response_type": "code",
            "client_id": "{client_id}",
            "redirect_uri": "{redirect_uri}",
            "code_challenge": "{pkce_challenge}",
            "code_challenge_method": "S256",
            "state": "{state}",
            "resource": "{resource}",
            "scope": "{scope}",
        }}));
        let Some(request) = built(&authorize, &vars) else {
            return;
        };
        let label = "set-up: authorization request with the run's values";
        let answer = match through_consent(&recorder, label, request, &self.consent, &vars).await {
            Ok(a) => a,
            Err(ConsentError::Page(hint)) => {
                return self.block(AUTHORIZATION_FLOW, hint, &recorder);
            }
            Err(ConsentError::Broken(why)) => {
                let reason =
                    format!("the run's set-up authorization request did not get through: {why}");
                return self.block(AUTHORIZATION_FLOW, reason, &recorder);
            }
        };
        let redirect = redirect_params(&answer, &vars["redirect_uri"]);
        if let Some(reason) = self.authorization_trouble(&answer, redirect.as_ref(), config) {
            return self.block(AUTHORIZATION_FLOW, reason, &recorder);
        }
        let Some(code) = redirect.and_then(|p| p.get("code").cloned()) else {
            // Refused or unusable for another reason: the cases judge that.
            return;
        };
        if matches!(self.consent, Consent::Auto) {
            self.consent = Consent::AutoConfirmed;
        }
        vars.insert("code".into(), code);
        let exchange = step_request(json!({
            "url": "{token_endpoint}",
            "authenticate_client": true,
            "form": {
                "grant_type": "authorization_code",
                "code": "{code}",
                "redirect_uri": "{redirect_uri}",
                "code_verifier": "{pkce_verifier}",
                "resource": "{resource}",
            },
        }));
        let Some(request) = built(&exchange, &vars) else {
            return;
        };
        let label = "set-up: code exchange with the run's values";
        let response = match recorder.send(label, request).await {
            Ok(r) => r,
            Err(e) => {
                let reason = format!(
                    "the run's set-up code exchange got no answer: {}",
                    e.message
                );
                return self.block(CODE_EXCHANGE, reason, &recorder);
            }
        };
        let answer = summary(response.status, &response.body);
        let body = String::from_utf8_lossy(&response.body).to_string();
        let what = "the run's own code exchange";
        let reason = if response.status == 429 {
            Some(rate_limited(what, &answer))
        } else if config.resource.is_none()
            && (response.status >= 500 || body.contains("invalid_target"))
        {
            Some(resource_hint(what, &answer, self.resource()))
        } else {
            None
        };
        if let Some(reason) = reason {
            self.block(CODE_EXCHANGE, reason, &recorder);
        }
    }

    /// Why the set-up authorization request shows the environment is in the way, if it
    /// does.
    fn authorization_trouble(
        &self,
        answer: &Answer,
        redirect: Option<&BTreeMap<String, String>>,
        config: &AsRunConfig,
    ) -> Option<String> {
        let status = answer.status.unwrap_or_default();
        let shown = summary(status, &answer.body);
        let what = "the run's own authorization request";
        if status == 429 {
            return Some(rate_limited(what, &shown));
        }
        if status >= 500 && config.resource.is_none() {
            return Some(resource_hint(what, &shown, self.resource()));
        }
        let error = redirect.and_then(|p| p.get("error"))?;
        let described = match redirect.and_then(|p| p.get("error_description")) {
            Some(d) => format!("error={error}: {d}"),
            None => format!("error={error}"),
        };
        match error.as_str() {
            "invalid_target" if config.resource.is_none() => {
                Some(resource_hint(what, &described, self.resource()))
            }
            "invalid_scope" if config.scope.is_none() => Some(format!(
                "{what} was refused ({described}) for the scope `{}`, which the run took \
                 from the metadata's scopes_supported, so the cases that authorize cannot \
                 judge the server. Name a scope it grants in the config file (`--config \
                 as.toml`):\n\n    scope = \"mcp:tools\"\n",
                self.builtins.scope.as_deref().unwrap_or_default()
            )),
            "temporarily_unavailable" => Some(format!(
                "{what} was refused ({described}): the server is not available now"
            )),
            _ => None,
        }
    }
}

const CLIENT_SNIPPET: &str = "[client]\nid = \"…\"\n# a confidential client also needs:\n# secret = \"…\"\n# auth_method = \"client_secret_basic\"   # or client_secret_post\n";

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

fn rate_limited(what: &str, answer: &str) -> String {
    format!(
        "{what} was rate-limited: {answer}. The cases that need it cannot judge the \
         server now; run again when its limit has reset"
    )
}

/// The reason for a flow that failed with the harness's default resource.
fn resource_hint(what: &str, answer: &str, resource: &str) -> String {
    format!(
        "{what} failed ({answer}) for the resource `{resource}`. That is the harness's \
         default resource, a loopback URL it serves itself, and a server that issues tokens \
         only for the MCP servers it knows would refuse it (RFC 8707 §2): the cases that \
         need the flow cannot judge the server. Name one of its resources in the config \
         file (`--config as.toml`):\n\n    resource = \"https://mcp.example.com/mcp\"\n"
    )
}

/// `HTTP 429 {"error":"too_many_requests"}`: status and body, secrets redacted, cut.
pub(super) fn summary(status: u16, body: &[u8]) -> String {
    let text = redact_text(&redact_body(&String::from_utf8_lossy(body)));
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = text.chars().take(300).collect();
    let more = if text.chars().count() > 300 {
        "…"
    } else {
        ""
    };
    if cut.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status} {cut}{more}")
    }
}

/// A request the set-up builds the way cases do.
fn step_request(doc: Value) -> StepRequest {
    let written: WrittenRequest =
        serde_json::from_value(doc).expect("the set-up's requests are well-formed");
    StepRequest::try_from(written).expect("the set-up's requests are well-formed")
}

fn built(request: &StepRequest, vars: &Vars) -> Option<HttpRequest> {
    request_builder::build(
        request,
        vars,
        Revision::LATEST,
        &TokenSupply::default(),
        None,
    )
    .ok()?
    .requests
    .into_iter()
    .next()
}

/// The query parameters of a redirect back to the client's redirect URI.
fn redirect_params(answer: &Answer, redirect_uri: &str) -> Option<BTreeMap<String, String>> {
    if !matches!(answer.status, Some(300..=399)) {
        return None;
    }
    let location = answer.header_values("location").first()?.to_string();
    let target = Url::parse(&answer.url).ok()?.join(&location).ok()?;
    let expected = Url::parse(redirect_uri).ok()?;
    let same = target.scheme() == expected.scheme()
        && target.host_str() == expected.host_str()
        && target.path() == expected.path();
    same.then(|| target.query_pairs().into_owned().collect())
}

fn is_loopback(uri: &str) -> bool {
    Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http"
            && matches!(
                u.host_str(),
                Some("127.0.0.1") | Some("localhost") | Some("[::1]")
            )
    })
}

/// The metadata at the first probe URL that answers with a JSON object: RFC 8414
/// path-inserted, OpenID Connect path-inserted, OpenID Connect path-appended.
async fn read_metadata(http: &dyn HttpClient, issuer: &Url) -> Result<Value, String> {
    let mut tried = Vec::new();
    for url in as_metadata_candidates(issuer).iter().map(Url::to_string) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_redact_and_cut() {
        let s = summary(201, br#"{"client_id":"a","client_secret":"hunter2"}"#);
        assert!(s.starts_with("HTTP 201 "), "{s}");
        assert!(!s.contains("hunter2"), "{s}");
        let long = "x".repeat(500);
        assert!(summary(500, long.as_bytes()).ends_with('…'));
        assert_eq!(summary(429, b""), "HTTP 429");
    }

    fn redirect_with(error: &str) -> (Answer, BTreeMap<String, String>) {
        let answer = Answer {
            url: "http://as/authorize".into(),
            status: Some(302),
            headers: vec![HeaderPair::new(
                "Location",
                format!("http://127.0.0.1:9/callback?error={error}"),
            )],
            ..Answer::default()
        };
        let params = redirect_params(&answer, "http://127.0.0.1:9/callback").unwrap();
        (answer, params)
    }

    #[test]
    fn a_refused_default_resource_or_scope_gets_the_line_to_configure() {
        let mut setup = Setup::new(&Url::parse("http://127.0.0.1:9").unwrap(), Consent::Auto);
        setup.builtins.resource = Some("http://127.0.0.1:9/mcp".into());
        setup.builtins.scope = Some("mcp:tools admin".into());
        let defaults = AsRunConfig::default();
        let (answer, params) = redirect_with("invalid_target");
        let reason = setup
            .authorization_trouble(&answer, Some(&params), &defaults)
            .unwrap();
        assert!(
            reason.contains("resource = \"https://mcp.example.com/mcp\""),
            "{reason}"
        );
        let (answer, params) = redirect_with("invalid_scope");
        let reason = setup
            .authorization_trouble(&answer, Some(&params), &defaults)
            .unwrap();
        assert!(reason.contains("`mcp:tools admin`"), "{reason}");
        assert!(reason.contains("scope = \"mcp:tools\""), "{reason}");
        // A value the user chose is theirs: the server's refusal is then a verdict.
        let chosen = AsRunConfig {
            resource: Some("https://mcp.example.com/mcp".into()),
            ..AsRunConfig::default()
        };
        let (answer, params) = redirect_with("invalid_target");
        assert!(setup
            .authorization_trouble(&answer, Some(&params), &chosen)
            .is_none());
        let (answer, params) = redirect_with("access_denied");
        assert!(setup
            .authorization_trouble(&answer, Some(&params), &defaults)
            .is_none());
    }

    #[test]
    fn the_snippets_parse_as_configuration() {
        let client = CLIENT_SNIPPET.replace('…', "abc");
        assert!(crate::logic::as_config::parse_as_config(&client).is_ok());
        assert!(crate::logic::as_config::parse_as_config(
            "resource = \"https://mcp.example.com/mcp\"\nscope = \"mcp:tools\""
        )
        .is_ok());
    }
}
