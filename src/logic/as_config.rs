//! The configuration of an authorization-server run (`authorization-server --config
//! FILE`, TOML): the client to use, what to request, and how to get through the
//! server's consent. Everything is optional: without it the run registers its own
//! public client (RFC 7591) and expects the server to approve at once.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::template::Template;
use crate::vocab::ClientAuthMethod;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsRunConfig {
    /// A pre-registered client; absent: register one through DCR.
    #[serde(default)]
    pub client: Option<ClientConfig>,
    /// The RFC 8707 resource to request; absent: a loopback MCP URL the harness serves.
    #[serde(default)]
    pub resource: Option<String>,
    /// The scope to request; absent: the metadata's `scopes_supported`, space-joined.
    #[serde(default)]
    pub scope: Option<String>,
    /// The redirect URI registered for the client; absent: the harness's loopback
    /// listener (`http://127.0.0.1:<port>/callback`).
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// Sent as `prompt` on the authorization requests of the refresh-token cases: some
    /// servers issue refresh tokens only for `offline_access` with `prompt=consent`
    /// (OpenID Connect Core §11). Absent: no `prompt`.
    #[serde(default)]
    pub prompt: Option<String>,
    #[serde(default)]
    pub consent: Consent,
    /// The server fetches client ID metadata documents from plain-http loopback URLs
    /// (a testing allowance: the draft and MCP want https). Then the CIMD cases run
    /// against documents the harness serves on 127.0.0.1; without it they are skipped.
    #[serde(default)]
    pub cimd_http_documents: bool,
    /// A client registered for the client credentials grant (OAuth client credentials
    /// extension: registered out of band, with a secret sent by HTTP Basic), for the
    /// extension's cases (`--extension client-credentials`); absent: those that need it
    /// are not applicable.
    #[serde(default)]
    pub machine_client: Option<MachineClientConfig>,
}

/// The client credentials extension's pre-registered client.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineClientConfig {
    pub id: String,
    pub secret: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    pub id: String,
    #[serde(default)]
    pub secret: Option<String>,
    /// `none` (the default), `client_secret_basic` or `client_secret_post`.
    #[serde(default = "public_client")]
    pub auth_method: ClientAuthMethod,
}

fn public_client() -> ClientAuthMethod {
    ClientAuthMethod::None
}

/// How the harness, acting as the user agent, gets from the authorization request to
/// the redirect back to the client.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(tag = "strategy", rename_all = "lowercase", deny_unknown_fields)]
pub enum Consent {
    /// The server approves at once (the test mode of many servers); redirects on the
    /// server's origin are followed.
    #[default]
    Auto,
    /// Declared HTTP steps after the authorization request's page: log in, consent.
    /// Cookies are kept.
    Form { steps: Vec<FormStep> },
    /// An external program gets the authorization URL (`{url}`, or as the last
    /// argument) and prints the final redirect URL on its last line of output.
    Command { command: String },
    /// Not written in a config file: `auto` once the run's set-up flow has shown that
    /// the server approves a valid request at once. A page it shows later is then its
    /// answer to that request (an error page), not a login.
    #[serde(skip)]
    AutoConfirmed,
}

/// One request of the `form` strategy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormStep {
    /// Values taken from the previous page before this request, by name: a regular
    /// expression whose first group is the value (e.g. a hidden CSRF field).
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    /// `POST` by default.
    #[serde(default = "default_method")]
    pub method: String,
    /// A template: `{issuer}` and the captures.
    pub url: String,
    /// Form fields; values are templates.
    #[serde(default)]
    pub form: BTreeMap<String, String>,
}

fn default_method() -> String {
    "POST".into()
}

/// Parses the TOML text, checking templates and regular expressions up front so that a
/// mistake is reported before anything runs.
pub fn parse_as_config(text: &str) -> Result<AsRunConfig, String> {
    let config: AsRunConfig = toml::from_str(text).map_err(|e| e.to_string())?;
    if let Consent::Form { steps } = &config.consent {
        for (i, step) in steps.iter().enumerate() {
            let n = i + 1;
            for (name, pattern) in &step.capture {
                regex::Regex::new(pattern).map_err(|e| {
                    located(
                        text,
                        pattern,
                        format!("consent step {n}: capture `{name}`: {e}"),
                    )
                })?;
            }
            for t in std::iter::once(&step.url).chain(step.form.values()) {
                if let Some(e) = Template::new(t.clone()).parse_error() {
                    return Err(located(text, t, format!("consent step {n}: `{t}`: {e}")));
                }
            }
        }
    }
    if let Some(c) = &config.client {
        if c.auth_method.has_secret() && c.secret.is_none() {
            return Err(located(
                text,
                c.auth_method.name(),
                format!(
                    "client.auth_method `{}` needs client.secret; add `secret = \"…\"` to [client]",
                    c.auth_method
                ),
            ));
        }
    }
    Ok(config)
}

/// The message with where the offending value first stands in the file, in the words
/// TOML parse errors use.
fn located(text: &str, value: &str, message: String) -> String {
    let Some(offset) = text.find(value) else {
        return message;
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|c| *c != '\n').count() + 1;
    format!("error at line {line}, column {column}: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_client_needs_an_id_and_a_secret() {
        let config = parse_as_config("[machine_client]\nid = \"m\"\nsecret = \"s\"\n").unwrap();
        let machine = config.machine_client.unwrap();
        assert_eq!((machine.id.as_str(), machine.secret.as_str()), ("m", "s"));
        let err = parse_as_config("[machine_client]\nid = \"m\"\n").unwrap_err();
        assert!(err.contains("secret"), "{err}");
        assert!(parse_as_config("").unwrap().machine_client.is_none());
    }

    #[test]
    fn parses_every_strategy_and_refuses_mistakes() {
        assert!(matches!(
            parse_as_config("").unwrap().consent,
            Consent::Auto
        ));
        let form = parse_as_config(
            r#"
            resource = "https://mcp.example.com/mcp"
            prompt = "consent"
            [client]
            id = "abc"
            secret = "s3cret"
            auth_method = "client_secret_basic"
            [consent]
            strategy = "form"
            [[consent.steps]]
            capture = { csrf = 'name="csrf" value="([^"]+)"' }
            url = "{issuer}/login"
            form = { user = "alice", csrf = "{csrf}" }
            "#,
        )
        .unwrap();
        assert!(matches!(form.consent, Consent::Form { ref steps } if steps.len() == 1));
        assert_eq!(form.prompt.as_deref(), Some("consent"));
        // `AutoConfirmed` is the run's finding, not a strategy a file can choose.
        assert!(parse_as_config("[consent]\nstrategy = \"autoconfirmed\"").is_err());
        let command = parse_as_config("[consent]\nstrategy = \"command\"\ncommand = \"bot {url}\"");
        assert!(matches!(command.unwrap().consent, Consent::Command { .. }));
        let e = parse_as_config("[client]\nid = \"a\"\nauth_method = \"client_secret_post\"")
            .unwrap_err();
        assert!(e.starts_with("error at line 3, column 16:"), "{e}");
        for bad in [
            "unknown = 1",
            "[consent]\nstrategy = \"magic\"",
            "[client]\nid = \"a\"\nauth_method = \"client_secret_post\"",
            "[client]\nid = \"a\"\nauth_method = \"private_key_jwt\"",
            "[consent]\nstrategy = \"form\"\n[[consent.steps]]\nurl = \"x\"\ncapture = { a = \"(\" }",
        ] {
            assert!(parse_as_config(bad).is_err(), "{bad}");
        }
    }
}
