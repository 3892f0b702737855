//! The built-in variables of a case run: the one place where the facts a run's set-up
//! found (the target, what discovery or the authorization server's metadata said, the
//! run's client, …) and the fresh values of each case run become template variables, and
//! where what the set-up could not provide is kept with its reason.

use std::collections::{BTreeMap, BTreeSet};

use url::Url;

use super::pkce::{fresh_value, s256};
use super::template::Vars;
use super::well_known::origin_of;
use crate::vocab::{ClientAuthMethod, Exchange, Revision, Role};

/// What a set-up could not get past: every case that reads all of `needs` ends as
/// `error` with the reason and the set-up's evidence, without being run.
#[derive(Debug, Clone)]
pub struct Blocked {
    pub needs: &'static [&'static str],
    pub reason: String,
    pub evidence: Vec<Exchange>,
}

/// The client a run authorizes with: configured, or registered at the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunClient {
    pub id: String,
    /// `None` for a public client.
    pub secret: Option<String>,
    pub auth_method: ClientAuthMethod,
}

/// The facts of a run, before any case runs. Each becomes the template variable of the
/// same name (see [`Builtins::vars`]; the names and what they hold are listed in
/// [`builtin_variables`]).
#[derive(Debug, Clone)]
pub struct Builtins {
    /// The MCP endpoint of a server target; the issuer of an authorization server; the
    /// mock MCP endpoint a client was pointed at; as given (a client's endpoint at an
    /// origin has no trailing slash, MCP "Canonical Server URI").
    pub target: String,
    /// Server runs: the resource a client would ask a token for (RFC 9728 §3.3).
    pub resource: Option<String>,
    /// Server runs: the scope the server names in its challenge or metadata.
    pub required_scope: Option<String>,
    /// The authorization server's issuer identifier, as given (RFC 8414 §2); for client
    /// runs the mock authorization server's.
    pub issuer: Option<String>,
    /// Authorization-server runs: endpoints from the metadata (RFC 8414 §2).
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub registration_endpoint: Option<String>,
    pub client: Option<RunClient>,
    /// Authorization-server runs: the client credentials extension's client, id and
    /// secret (`[machine_client]`).
    pub machine_client: Option<(String, String)>,
    pub redirect_uri: Option<String>,
    /// `native` for a loopback redirect URI, else `web` (OIDC registration).
    pub application_type: Option<String>,
    pub scope: Option<String>,
    /// The configured `prompt` for refresh-token flows.
    pub prompt: Option<String>,
    /// Authorization-server runs: the URL below which the harness serves client ID
    /// metadata documents, when the server can fetch them.
    pub cimd_base: Option<String>,
    /// Server runs: the fixtures the target declared (`--config`, `logic::server_config`)
    /// and the harness serves, by variable name ([`SERVER_FIXTURE_VARIABLES`]).
    pub fixtures: BTreeMap<String, String>,
    /// Server runs of a server the harness started: how a TCP connection to its port at
    /// another address of this machine ended (`refused at …` or `accepted at …`).
    pub exposed_connection: Option<String>,
    /// Server runs of an OAuth proxy (`--oauth-proxy`): the authorization endpoint of the
    /// third-party authorization server the proxy forwards to (the harness's mock IdP).
    pub upstream_authorization_endpoint: Option<String>,
    /// Variables the set-up could not set, with the reason: cases reading them are
    /// skipped.
    pub unavailable: BTreeMap<String, String>,
    pub blocked: Vec<Blocked>,
    /// A fresh PKCE pair and `state` for each case run, and a second set for its
    /// positive control (authorization-server runs).
    pub fresh_flow_values: bool,
}

/// The metadata endpoints an authorization-server run reads, by their metadata (and
/// variable) name.
pub const METADATA_ENDPOINTS: [&str; 3] = [
    "authorization_endpoint",
    "token_endpoint",
    "registration_endpoint",
];

/// The variables of the run's client.
pub const RUN_CLIENT_VARIABLES: [&str; 3] = ["client_id", "client_secret", "client_auth_method"];

impl Builtins {
    pub fn new(target: impl Into<String>) -> Self {
        Builtins {
            target: target.into(),
            resource: None,
            required_scope: None,
            issuer: None,
            authorization_endpoint: None,
            token_endpoint: None,
            registration_endpoint: None,
            client: None,
            machine_client: None,
            redirect_uri: None,
            application_type: None,
            scope: None,
            prompt: None,
            cimd_base: None,
            fixtures: BTreeMap::new(),
            exposed_connection: None,
            upstream_authorization_endpoint: None,
            unavailable: BTreeMap::new(),
            blocked: Vec::new(),
            fresh_flow_values: false,
        }
    }

    /// The slot of a metadata endpoint (one of [`METADATA_ENDPOINTS`]).
    pub fn endpoint_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        match name {
            "authorization_endpoint" => Some(&mut self.authorization_endpoint),
            "token_endpoint" => Some(&mut self.token_endpoint),
            "registration_endpoint" => Some(&mut self.registration_endpoint),
            _ => None,
        }
    }

    /// Records a variable the set-up could not set.
    pub fn missing(&mut self, name: &str, reason: impl Into<String>) {
        self.unavailable.insert(name.into(), reason.into());
    }

    /// The facts as variables, without the per-revision and per-case-run ones.
    pub fn found(&self) -> Vars {
        let mut v = Vars::new();
        let mut put = |name: &str, value: &Option<String>| {
            if let Some(value) = value {
                v.insert(name.to_string(), value.clone());
            }
        };
        put("resource", &self.resource);
        put("required_scope", &self.required_scope);
        put("issuer", &self.issuer);
        put("authorization_endpoint", &self.authorization_endpoint);
        put("token_endpoint", &self.token_endpoint);
        put("registration_endpoint", &self.registration_endpoint);
        put("redirect_uri", &self.redirect_uri);
        put("application_type", &self.application_type);
        put("scope", &self.scope);
        put("prompt", &self.prompt);
        put("cimd_base", &self.cimd_base);
        put("exposed_connection", &self.exposed_connection);
        put(
            "upstream_authorization_endpoint",
            &self.upstream_authorization_endpoint,
        );
        if let Some(c) = &self.client {
            v.insert("client_id".into(), c.id.clone());
            v.insert("client_secret".into(), c.secret.clone().unwrap_or_default());
            v.insert("client_auth_method".into(), c.auth_method.name().into());
        }
        if let Some((id, secret)) = &self.machine_client {
            v.insert("machine_client_id".into(), id.clone());
            v.insert("machine_client_secret".into(), secret.clone());
        }
        v.extend(self.fixtures.clone());
        v.insert("target".into(), self.target.clone());
        if let Ok(url) = Url::parse(&self.target) {
            v.insert("target_origin".into(), origin_of(&url));
        }
        v
    }

    /// The variables of one case run for `revision`.
    pub fn vars(&self, revision: Revision) -> Vars {
        let mut v = self.found();
        v.insert("revision".into(), revision.as_str().into());
        if self.fresh_flow_values {
            fresh_flow(&mut v, "");
            // A second pair for the positive control flow: a server may refuse a
            // challenge it has seen before (RFC 9700 §2.1.1).
            fresh_flow(&mut v, "control_");
        }
        v
    }

    /// The variables of one authorization flow outside any case (the authorization-server
    /// set-up's own flow): the facts and one fresh PKCE pair and `state`.
    pub fn flow_vars(&self) -> Vars {
        let mut v = self.found();
        fresh_flow(&mut v, "");
        v
    }

    /// The block a case reading these variables is under, if any.
    pub fn blocking(&self, uses: &BTreeSet<String>) -> Option<&Blocked> {
        self.blocked
            .iter()
            .find(|b| b.needs.iter().all(|n| uses.contains(*n)))
    }
}

/// A fresh PKCE pair and `state` under `prefix`: no two authorization requests share
/// them (RFC 7636 §4.1 high-entropy verifier; RFC 6749 §10.12 state).
fn fresh_flow(v: &mut Vars, prefix: &str) {
    let verifier = fresh_value(64);
    v.insert(format!("{prefix}pkce_challenge"), s256(&verifier));
    v.insert(format!("{prefix}pkce_verifier"), verifier);
    v.insert(format!("{prefix}state"), fresh_value(24));
}

/// Variables every case can use, with what they hold.
pub const BUILTIN_VARIABLES: &[(&str, &str)] = &[
    (
        "target",
        "the URL of the target (the MCP endpoint for a server, the issuer for an authorization server)",
    ),
    ("target_origin", "scheme, host and port of the target URL"),
    (
        "revision",
        "the revision the case is run for, e.g. 2025-11-25",
    ),
];

/// Variables of authorization-server cases, set by the run from the server's metadata,
/// the client it uses, and fresh values per case run. One that the run could not set
/// (no registration endpoint, say) makes the cases using it not applicable.
pub const AUTHORIZATION_SERVER_VARIABLES: &[(&str, &str)] = &[
    ("issuer", "the issuer identifier under test"),
    ("authorization_endpoint", "from the metadata"),
    ("token_endpoint", "from the metadata"),
    (
        "registration_endpoint",
        "from the metadata, when registration is offered",
    ),
    (
        "client_id",
        "the client of the run (configured, or registered at the start)",
    ),
    ("client_secret", "its secret, for a confidential client"),
    (
        "machine_client_id",
        "the client credentials extension's client (`[machine_client]`)",
    ),
    ("machine_client_secret", "its secret"),
    (
        "client_auth_method",
        "none, client_secret_basic or client_secret_post",
    ),
    (
        "redirect_uri",
        "the loopback redirect URI of the run's client",
    ),
    (
        "application_type",
        "native for a loopback redirect URI, else web (OIDC registration)",
    ),
    ("resource", "the RFC 8707 resource to request"),
    ("scope", "the scope to request"),
    (
        "pkce_verifier",
        "a fresh RFC 7636 code verifier for this case run",
    ),
    ("pkce_challenge", "its S256 code challenge"),
    ("state", "a fresh state value for this case run"),
    (
        "control_pkce_verifier",
        "a second fresh code verifier, for the case's positive control flow",
    ),
    ("control_pkce_challenge", "its S256 code challenge"),
    (
        "control_state",
        "a second fresh state value, for the positive control flow",
    ),
    (
        "prompt",
        "the configured `prompt` for refresh-token flows; unset (left out) by default",
    ),
    (
        "cimd_base",
        "where the harness serves client ID metadata documents (`<cimd_base>/valid.json`, …), when the config says the server fetches them",
    ),
];

/// Variables of server cases, set by the run from what a client learns before it
/// authorizes (the server's challenge and protected resource metadata).
pub const SERVER_VARIABLES: &[(&str, &str)] = &[
    (
        "resource",
        "the server's resource identifier: its metadata's `resource` when that covers the endpoint, else the endpoint URL; valid tokens are issued for it",
    ),
    (
        "required_scope",
        "the scope the server names: its challenge's `scope`, else its metadata's `scopes_supported`",
    ),
    (
        "exposed_connection",
        "for a server the harness started: `refused at <address>` or `accepted at <address>`, how a TCP connection to its port at another address of this machine ended",
    ),
    (
        "upstream_authorization_endpoint",
        "`--oauth-proxy`: the authorization endpoint of the third-party authorization server the proxy forwards to (the harness's mock IdP); unset otherwise, and the proxy cases are skipped",
    ),
    (
        "pkce_verifier",
        "a fresh RFC 7636 code verifier for this case run",
    ),
    ("pkce_challenge", "its S256 code challenge"),
    ("state", "a fresh state value for this case run"),
    (
        "control_pkce_verifier",
        "a second fresh code verifier, for a second authorization request",
    ),
    ("control_pkce_challenge", "its S256 code challenge"),
    ("control_state", "a second fresh state value"),
];

/// Variables of server cases that the run's fixtures set (`server --config`, the
/// upstream API the harness serves); a case reading one the run lacks is skipped with
/// the key to declare.
pub const SERVER_FIXTURE_VARIABLES: &[(&str, &str)] = &[
    (
        "upstream_tool",
        "the tool the target names as calling the upstream API ([tools] upstream)",
    ),
    (
        "request_state_tool",
        "the tool the target names as answering with an InputRequiredResult carrying requestState ([tools] request_state, 2026-07-28)",
    ),
    (
        "url_elicitation_tool",
        "the tool the target names as asking for a URL-mode elicitation ([tools] url_elicitation)",
    ),
    (
        "upstream_log",
        "where the harness's upstream API lists the requests it received since `?after=N` (JSON: `count`, `requests`)",
    ),
    (
        "per_user_resource",
        "the URI of the resource the target names as naming the authenticated user ([resources] per_user)",
    ),
    (
        "narrower_scope",
        "the scope valid tokens grant (--scope), which a declared broader scope implies",
    ),
    (
        "broader_scope",
        "that scope with the narrower scopes replaced by the broader one ([scopes] implies)",
    ),
    (
        "sent_token",
        "the access token the latest step with `token:` sent",
    ),
];

/// Variables of client cases (`target` is the mock MCP endpoint the client is given).
pub const CLIENT_VARIABLES: &[(&str, &str)] = &[
    ("issuer", "the issuer of the mock authorization server"),
    (
        "token_endpoint",
        "the token endpoint of the mock authorization server",
    ),
];

/// The variables defined before a case of this role starts.
pub fn builtin_variables(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut all = BUILTIN_VARIABLES.to_vec();
    match role {
        Role::AuthorizationServer => all.extend_from_slice(AUTHORIZATION_SERVER_VARIABLES),
        Role::Client => all.extend_from_slice(CLIENT_VARIABLES),
        Role::Server => {
            all.extend_from_slice(SERVER_VARIABLES);
            all.extend_from_slice(SERVER_FIXTURE_VARIABLES);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_run_gets_its_own_flow_values() {
        let mut b = Builtins::new("http://127.0.0.1:9/issuer");
        b.issuer = Some("http://127.0.0.1:9/issuer".into());
        b.client = Some(RunClient {
            id: "c".into(),
            secret: None,
            auth_method: ClientAuthMethod::None,
        });
        let plain = b.vars(Revision::LATEST);
        assert_eq!(plain["target_origin"], "http://127.0.0.1:9");
        assert!(!plain.contains_key("pkce_verifier"));
        b.fresh_flow_values = true;
        let (one, two) = (b.vars(Revision::LATEST), b.vars(Revision::LATEST));
        assert_ne!(one["pkce_verifier"], two["pkce_verifier"]);
        assert_eq!(one["pkce_challenge"], s256(&one["pkce_verifier"]));
        assert_eq!(one["issuer"], "http://127.0.0.1:9/issuer");
        assert_eq!(one["client_secret"], "");
        assert_eq!(one["client_auth_method"], "none");
    }
}
