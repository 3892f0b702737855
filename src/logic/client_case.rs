//! Validation of a client case's `client:` block: the mocks' knob names, the
//! pre-registered client, and the expectations over the observation.

use std::collections::BTreeSet;

use super::case::Validator;
use super::case_model::CaseFile;
use super::diagnostic::did_you_mean;
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
