//! Validation of a client case's `client:` block: the mocks' knob names, the
//! pre-registered client, and the expectations over the observation.

use std::collections::BTreeSet;

use super::case::Validator;
use super::case_model::CaseFile;
use super::diagnostic::did_you_mean;
use super::official_scenarios::OFFICIAL_AUTH_SCENARIOS;
use super::template::builtin_variables;
use crate::vocab::{IdpDefect, IdpKnob, Role, ServerDefect, ServerKnob};

/// Names a client case's `server:` list accepts: reference-server defects (the mock
/// misbehaves) and server knobs (conformant variations).
pub fn server_knob_names() -> Vec<&'static str> {
    ServerDefect::ALL
        .iter()
        .map(|d| d.name())
        .chain(ServerKnob::ALL.iter().map(|k| k.name()))
        .collect()
}

impl Validator<'_> {
    pub(super) fn check_client(&mut self, file: &CaseFile) {
        if !file.steps.is_empty() {
            self.at(
                &file.id,
                "client cases observe the client under test: use `client:`, not `steps`",
                None,
            );
        }
        let Some(client) = &file.client else {
            self.at(
                &file.id,
                "a client case needs a `client:` block with the mocks and the expectations",
                None,
            );
            return;
        };
        match &client.scenario {
            None => self.at(
                &file.id,
                "a client case names the official scenario its client behaviour belongs to: \
                 clients written for the official suite dispatch on MCP_CONFORMANCE_SCENARIO",
                Some(
                    "add `scenario:` under `client:`; without an official counterpart, the \
                     closest one whose client behaviour is the same (usually \
                     `auth/metadata-default`)"
                        .to_string(),
                ),
            ),
            Some(name) if !OFFICIAL_AUTH_SCENARIOS.contains(&name.value.as_str()) => {
                let hint = did_you_mean(&name.value, OFFICIAL_AUTH_SCENARIOS.iter().copied())
                    .map(|m| format!("did you mean `{m}`?"))
                    .or_else(|| Some("`mcp-authspec list --scenarios` shows them".to_string()));
                self.at(
                    name,
                    format!("`{}` is not a scenario of the official suite", name.value),
                    hint,
                );
            }
            Some(_) => {}
        }
        let servers = server_knob_names();
        for name in &client.server {
            if !servers.contains(&name.value.as_str()) {
                let hint = did_you_mean(&name.value, servers.iter().copied())
                    .map(|m| format!("did you mean `{m}`?"));
                self.at(name, format!("unknown server knob `{}`", name.value), hint);
            }
        }
        let idps: Vec<&str> = IdpDefect::ALL
            .iter()
            .map(|d| d.name())
            .chain(IdpKnob::ALL.iter().map(|k| k.name()))
            .collect();
        for name in &client.idp {
            if !idps.contains(&name.value.as_str()) {
                let hint = did_you_mean(&name.value, idps.iter().copied())
                    .map(|m| format!("did you mean `{m}`?"));
                self.at(name, format!("unknown IdP knob `{}`", name.value), hint);
            }
        }
        if let Some(p) = &client.preregistered {
            let methods = ["none", "client_secret_basic", "client_secret_post"];
            if !methods.contains(&p.auth_method.value.as_str()) {
                let hint = did_you_mean(&p.auth_method.value, methods)
                    .map(|m| format!("did you mean `{m}`?"))
                    .or_else(|| Some(format!("use one of {}", methods.join(", "))));
                self.at(
                    &p.auth_method,
                    format!(
                        "unknown client authentication method `{}`",
                        p.auth_method.value
                    ),
                    hint,
                );
            }
        }
        if client.expect.is_empty() {
            self.at(&file.id, "the case checks nothing: add an `expect`", None);
        }
        let defined: BTreeSet<String> = builtin_variables(Role::Client)
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        for e in client
            .reached
            .iter()
            .chain(&client.when)
            .chain(&client.expect)
        {
            self.check_expectation(e, "client run", &defined);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::logic::case::parse_case;
    use crate::logic::catalog::Catalog;

    fn case(scenario_line: &str) -> String {
        format!(
            r#"id: client/pkce/s256-pair
title: t
requirement: CL-PKCE-02
level: MUST
revisions: [2025-11-25]
rationale: r
defect: plain-pkce
client:
{scenario_line}
  expect:
    - query: pkce_pair
      is: {{equals: true}}
"#
        )
    }

    fn diagnostics(text: &str) -> Vec<String> {
        match parse_case(text, "cases/client/pkce/s256-pair.yaml", Catalog::builtin()) {
            Ok(_) => Vec::new(),
            Err(d) => d
                .iter()
                .map(|d| format!("{}:{} {} ({:?})", d.line, d.column, d.message, d.hint))
                .collect(),
        }
    }

    #[test]
    fn a_client_case_names_an_official_scenario() {
        assert!(diagnostics(&case("  scenario: auth/metadata-default")).is_empty());
        let missing = diagnostics(&case(""));
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(
            missing[0].contains("names the official scenario"),
            "{missing:?}"
        );
        let typo = diagnostics(&case("  scenario: auth/metadata-defualt"));
        assert_eq!(typo.len(), 1, "{typo:?}");
        assert!(typo[0].starts_with("9:13 "), "{typo:?}");
        assert!(
            typo[0].contains("did you mean `auth/metadata-default`?"),
            "{typo:?}"
        );
    }
}
