//! Validation of a client case's `client:` block: the official scenario, the mocks' knob
//! names, the pre-registered client, and the expectations over the observation. The
//! result is the case's typed [`ClientRun`].

use std::collections::BTreeSet;

use serde_saphyr::Spanned;

use super::builtins::builtin_variables;
use super::case::Validator;
use super::case_body::ClientRun;
use super::case_model::{CaseFile, Expectation};
use super::client_query::ClientQuery;
use super::diagnostic::did_you_mean;
use super::mock_knobs::{KnownNames, Named};
use super::official_scenarios::official_auth_scenarios;
use crate::vocab::Role;

impl Validator<'_> {
    /// Checks the `client:` block and moves it, typed, out of the file.
    pub(super) fn check_client(&mut self, file: &mut CaseFile) -> Option<ClientRun> {
        if !file.steps.is_empty() {
            self.at(
                &file.id,
                "client cases observe the client under test: use `client:`, not `steps`",
                None,
            );
        }
        let Some(client) = file.client.take() else {
            self.at(
                &file.id,
                "a client case needs a `client:` block with the mocks and the expectations",
                None,
            );
            return None;
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
            Some(name) if !official_auth_scenarios().any(|s| s == name.value) => {
                let hint = did_you_mean(&name.value, official_auth_scenarios())
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
        let server = self.known_names(&client.server, |_| None);
        let idp = self.known_names(&client.idp, |_| None);
        let preregistered = client.preregistered.as_ref().and_then(|p| {
            let methods = crate::vocab::ClientAuthMethod::names().join(", ");
            self.known_names(std::slice::from_ref(&p.auth_method), |_| {
                Some(format!("use one of {methods}"))
            })
            .pop()
        });
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
            // Client queries read no variables; their predicates' templates may.
            self.check_expectation(e, "client run", &defined, |_: &ClientQuery| None);
        }
        let unspan = |v: Vec<Spanned<Expectation<ClientQuery>>>| -> Vec<_> {
            v.into_iter().map(|e| e.value).collect()
        };
        let complete = server.len() == client.server.len()
            && idp.len() == client.idp.len()
            && preregistered.is_some() == client.preregistered.is_some();
        complete.then(|| ClientRun {
            scenario: client.scenario.map(|s| s.value),
            server,
            idp,
            issuer_path: client.issuer_path,
            preregistered,
            reached: unspan(client.reached),
            when: unspan(client.when),
            expect: unspan(client.expect),
        })
    }

    /// The names that parsed; a diagnostic with a did-you-mean (else `fallback_hint`)
    /// for each that did not.
    fn known_names<T: KnownNames + Clone>(
        &mut self,
        names: &[Spanned<Named<T>>],
        fallback_hint: impl Fn(&str) -> Option<String>,
    ) -> Vec<T> {
        let mut known = Vec::new();
        for name in names {
            match &name.value.parsed {
                Ok(k) => known.push(k.clone()),
                Err(message) => {
                    let written = &name.value.written;
                    let hint = did_you_mean(written, T::names())
                        .map(|m| format!("did you mean `{m}`?"))
                        .or_else(|| fallback_hint(written));
                    self.at(name, message.clone(), hint);
                }
            }
        }
        known
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
    fn names_become_their_enums_in_the_typed_run() {
        use crate::logic::case_body::CaseBody;
        use crate::logic::mock_knobs::{IdpMockKnob, ServerMockKnob};
        use crate::vocab::{ClientAuthMethod, IdpKnob, ServerDefect, ServerKnob};
        let text = case(
            "  scenario: auth/metadata-default\n  server: [prm-custom-location, no-resource-metadata]\n  \
             idp: [several-auth-methods]\n  preregistered: {auth_method: client_secret_post}",
        );
        let parsed = parse_case(
            &text,
            "cases/client/pkce/s256-pair.yaml",
            Catalog::builtin(),
        );
        let CaseBody::Client(run) = parsed.expect("valid").body else {
            panic!("a client case has a client run");
        };
        assert_eq!(
            run.server,
            vec![
                ServerMockKnob::Knob(ServerKnob::PrmCustomLocation),
                ServerMockKnob::Defect(ServerDefect::NoResourceMetadata)
            ]
        );
        assert_eq!(
            run.server_knobs().collect::<Vec<_>>(),
            [ServerKnob::PrmCustomLocation]
        );
        assert_eq!(
            run.idp,
            vec![IdpMockKnob::Knob(IdpKnob::SeveralAuthMethods)]
        );
        assert_eq!(run.preregistered, Some(ClientAuthMethod::ClientSecretPost));
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
