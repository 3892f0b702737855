//! The fixture contract of a server run (`server --config FILE`, TOML): what the target
//! names so that cases needing more than the MCP methods every server has can run: a tool
//! that calls an upstream API, a tool whose result differs per user, a declared scope
//! hierarchy. Everything is optional; a case whose fixture is not declared is skipped with
//! the key to set.
//!
//! ```toml
//! [tools]
//! upstream = "fetch_upstream"   # calls the upstream API the harness serves ({upstream})
//! request_state = "confirm"     # 2026-07-28: InputRequiredResult with requestState
//! url_elicitation = "connect"   # asks for a URL-mode elicitation
//! [resources]
//! per_user = "app://whoami"     # resources/read names the authenticated user's `sub`
//! [scopes]
//! implies = { "mcp:admin" = ["mcp:tools"] }   # broader scope → the narrower ones it implies
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use super::diagnostic::{did_you_mean, Diagnostic};

/// The parsed `--config` of a server run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerRunConfig {
    #[serde(default)]
    pub tools: FixtureTools,
    #[serde(default)]
    pub resources: FixtureResources,
    #[serde(default)]
    pub scopes: ScopeHierarchy,
}

/// Tools the target names for fixture cases, each called with no arguments (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureTools {
    /// Calls the upstream API whose URL the harness hands the server at launch
    /// (`{upstream}`, `MCP_AUTHSPEC_UPSTREAM`) at least once per call.
    #[serde(default)]
    pub upstream: Option<String>,
    /// 2026-07-28: answers its first call with an `InputRequiredResult` carrying a
    /// `requestState` that influences authorization or business logic (basic/patterns/mrtr
    /// "Server Requirements" item 4), asking at most for elicitation (form or URL mode),
    /// sampling or roots, and completes the retry with the answers and the echoed state.
    #[serde(default)]
    pub request_state: Option<String>,
    /// Asks the user for a URL-mode elicitation (2025-11-25 and later, client/elicitation
    /// "URL Mode Elicitation Requests") on every call: an `elicitation/create` request or a
    /// `URLElicitationRequiredError` (2025-11-25), an `InputRequiredResult` (2026-07-28).
    #[serde(default)]
    pub url_elicitation: Option<String>,
}

/// Resources the target names for fixture cases. A resource, not a tool: in 2026-07-28
/// `resources/read` results carry `cacheScope` and `tools/call` results do not
/// (server/utilities/caching, "Cacheable Results").
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureResources {
    /// The URI of a resource whose `resources/read` text names the authenticated user's
    /// `sub` claim and no other user's (e.g. a "whoami" resource).
    #[serde(default)]
    pub per_user: Option<String>,
}

/// A declared scope hierarchy: no metadata field says that one scope implies another, so
/// the target names the pairs it honours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeHierarchy {
    /// Broader scope → the narrower scopes it implies.
    #[serde(default)]
    pub implies: BTreeMap<String, Vec<String>>,
}

/// The keys of the file, for the did-you-mean hint of an unknown one.
const KEYS: &[&str] = &[
    "tools",
    "resources",
    "scopes",
    "upstream",
    "request_state",
    "url_elicitation",
    "per_user",
    "implies",
];

impl ScopeHierarchy {
    /// The scope a token that holds only the broader scope grants in place of `granted`
    /// (space-separated): the first broader scope implying some of `granted` replaces the
    /// scopes it implies. `None`: no declared broader scope implies any of them.
    pub fn broader_than(&self, granted: &str) -> Option<(String, String)> {
        let granted: Vec<&str> = granted.split_ascii_whitespace().collect();
        self.implies.iter().find_map(|(broader, narrower)| {
            let replaced = narrower.iter().any(|n| granted.contains(&n.as_str()));
            if !replaced || granted.contains(&broader.as_str()) {
                return None;
            }
            let mut scope: Vec<&str> = granted
                .iter()
                .copied()
                .filter(|g| !narrower.iter().any(|n| n == g))
                .collect();
            scope.push(broader);
            Some((broader.clone(), scope.join(" ")))
        })
    }
}

/// The variables fixture cases read (see `SERVER_FIXTURE_VARIABLES` in `builtins`), and
/// for each one the run cannot set, the reason (its cases are skipped with it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixtureVars {
    pub set: BTreeMap<String, String>,
    pub missing: BTreeMap<String, String>,
}

/// What the run offers beside the config: the upstream API's log URL when the harness
/// serves one (`server --command`, the reference), and the scope valid tokens grant when
/// it mints them.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunFacilities<'a> {
    pub upstream_log: Option<&'a str>,
    pub minted_scope: Option<&'a str>,
}

impl ServerRunConfig {
    pub fn fixture_vars(&self, run: RunFacilities<'_>) -> FixtureVars {
        let mut v = FixtureVars::default();
        let mut named =
            |var: &str, what: &str, table: &str, key: &str, name: &Option<String>| match name {
                Some(n) => {
                    v.set.insert(var.into(), n.clone());
                }
                None => {
                    v.missing.insert(
                        var.into(),
                        format!("the target names no {what} ([{table}] {key} in --config)"),
                    );
                }
            };
        named(
            "upstream_tool",
            "upstream tool",
            "tools",
            "upstream",
            &self.tools.upstream,
        );
        named(
            "request_state_tool",
            "request-state tool",
            "tools",
            "request_state",
            &self.tools.request_state,
        );
        named(
            "url_elicitation_tool",
            "URL-elicitation tool",
            "tools",
            "url_elicitation",
            &self.tools.url_elicitation,
        );
        named(
            "per_user_resource",
            "per-user resource",
            "resources",
            "per_user",
            &self.resources.per_user,
        );
        match run.upstream_log {
            Some(log) => {
                v.set.insert("upstream_log".into(), log.into());
            }
            None => {
                v.missing.insert(
                    "upstream_log".into(),
                    "the harness serves the upstream API only to a server it starts (`server --command`, `{upstream}`)".into(),
                );
            }
        }
        let hierarchy = match (self.scopes.implies.is_empty(), run.minted_scope) {
            (true, _) => Err("the target declares no scope hierarchy ([scopes] implies in --config)".to_string()),
            (false, None) => Err("tokens with a broader scope can only be minted by the suite's IdP (`server --command`)".to_string()),
            (false, Some(granted)) => self.scopes.broader_than(granted).ok_or_else(|| {
                format!("no broader scope in [scopes] implies implies any of `{granted}`, the scope valid tokens grant (--scope)")
            }),
        };
        match hierarchy {
            Ok((_, broader_grant)) => {
                v.set.insert(
                    "narrower_scope".into(),
                    run.minted_scope.unwrap_or_default().into(),
                );
                v.set.insert("broader_scope".into(), broader_grant);
            }
            Err(reason) => {
                v.missing.insert("narrower_scope".into(), reason.clone());
                v.missing.insert("broader_scope".into(), reason);
            }
        }
        v
    }
}

/// Parses the TOML text of the file at `path`; a mistake is a diagnostic with the line,
/// the column and a hint.
pub fn parse_server_config(path: &str, text: &str) -> Result<ServerRunConfig, Diagnostic> {
    let config: ServerRunConfig = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() as u64 + 1;
        let column = before.chars().rev().take_while(|c| *c != '\n').count() as u64 + 1;
        let message = e.message().trim().to_string();
        let hint = unknown_key_hint(&message);
        let d = Diagnostic::new(path, text, line, column, message);
        match hint {
            Some(h) => d.with_hint(h),
            None => d.with_hint("README, \"Test your own server\", lists every key"),
        }
    })?;
    for (broader, narrower) in &config.scopes.implies {
        let bad = std::iter::once(broader)
            .chain(narrower)
            .find(|s| s.is_empty() || s.contains(char::is_whitespace));
        if let Some(bad) = bad {
            let offset = text.find(broader.as_str()).unwrap_or(0);
            let before = &text[..offset];
            let line = before.matches('\n').count() as u64 + 1;
            let column = before.chars().rev().take_while(|c| *c != '\n').count() as u64 + 1;
            return Err(Diagnostic::new(
                path,
                text,
                line,
                column,
                format!("`{bad}` is not one scope token (RFC 6749 §3.3)"),
            )
            .with_hint("name one scope on each side, e.g. \"mcp:admin\" = [\"mcp:tools\"]"));
        }
    }
    Ok(config)
}

fn unknown_key_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let given = rest.split('`').next()?;
    Some(match did_you_mean(given, KEYS.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("accepted keys: {}", KEYS.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_contract_and_locates_mistakes() {
        assert_eq!(
            parse_server_config("s.toml", "").unwrap(),
            ServerRunConfig::default()
        );
        let c = parse_server_config(
            "s.toml",
            "[tools]\nupstream = \"fetch_upstream\"\n[resources]\nper_user = \"app://whoami\"\n[scopes]\nimplies = { \"mcp:admin\" = [\"mcp:tools\"] }\n",
        )
        .unwrap();
        assert_eq!(c.tools.upstream.as_deref(), Some("fetch_upstream"));
        assert_eq!(c.resources.per_user.as_deref(), Some("app://whoami"));
        assert_eq!(c.scopes.implies["mcp:admin"], vec!["mcp:tools".to_string()]);
        let e = parse_server_config("s.toml", "[tools]\nuptream = \"x\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1), "{e}");
        assert_eq!(e.hint.as_deref(), Some("did you mean `upstream`?"));
        assert!(e
            .to_string()
            .starts_with("s.toml:2:1: error: unknown field `uptream`"));
        let e =
            parse_server_config("s.toml", "[scopes]\nimplies = { \"a b\" = [\"c\"] }").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(parse_server_config("s.toml", "[tools]\nupstream = 3").is_err());
    }

    #[test]
    fn a_broader_scope_replaces_what_it_implies() {
        let h = ScopeHierarchy {
            implies: [("mcp:admin".to_string(), vec!["mcp:tools".to_string()])].into(),
        };
        assert_eq!(
            h.broader_than("mcp:tools"),
            Some(("mcp:admin".into(), "mcp:admin".into()))
        );
        assert_eq!(
            h.broader_than("mcp:read mcp:tools"),
            Some(("mcp:admin".into(), "mcp:read mcp:admin".into()))
        );
        assert_eq!(h.broader_than("mcp:read"), None);
        assert_eq!(ScopeHierarchy::default().broader_than("mcp:tools"), None);
    }
}
