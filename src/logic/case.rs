//! A validated case: parsed from YAML, then checked against the catalog, the defect list
//! and its own templates, and typed by role (its [`CaseBody`]), so that a run never meets
//! a typo or a request that means nothing.

use std::collections::BTreeSet;

use serde_saphyr::Spanned;

use super::builtins::builtin_variables;
use super::case_body::{CaseBody, Step};
use super::case_model::{
    CaseFile, CookieUse, Expectation, McpMessage, WrittenRequest, WrittenStep,
};
use super::catalog::{Catalog, Requirement};
use super::diagnostic::{did_you_mean, Diagnostic};
use super::query::StepQuery;
use super::step_request::StepRequest;
use super::template::{json_templates, Template};
use super::yaml_diagnostic::{case_file_budget, case_file_options};
use crate::vocab::{ClientDefect, Extension, IdpDefect, Profile, Revision, Role, ServerDefect};

/// The reference implementation's defect a case names as its proof of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DefectRef {
    /// A knob of the reference MCP server.
    Server(ServerDefect),
    /// A knob of the mock IdP, the reference authorization server.
    Idp(IdpDefect),
    /// A knob of the reference MCP client.
    Client(ClientDefect),
}

impl DefectRef {
    pub fn name(self) -> &'static str {
        match self {
            DefectRef::Server(d) => d.name(),
            DefectRef::Idp(d) => d.name(),
            DefectRef::Client(d) => d.name(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Case {
    /// The file's header (id, title, level, revisions, …); its `steps` or `client` are
    /// in `body`.
    pub file: CaseFile,
    /// What the case runs, typed by its role.
    pub body: CaseBody,
    /// Where it was loaded from, for diagnostics: `cases/server/prm/x.yaml`.
    pub path: String,
    pub role: Role,
    /// `<area>` of `<role>/<area>/<name>`.
    pub area: String,
    pub defect: DefectRef,
    pub requirement: Requirement,
    /// Every variable the case reads: a run that cannot set one of its built-ins (an
    /// authorization server without a registration endpoint, say) skips the case.
    pub uses: BTreeSet<String>,
}

impl Case {
    pub fn id(&self) -> &str {
        &self.file.id.value
    }

    /// Test name used by `cargo test`: the id with `::` separators.
    pub fn test_name(&self) -> String {
        self.id().replace('/', "::")
    }

    /// The official conformance suite's scenario the case belongs to: a client case's
    /// `client.scenario`, or an authorization-server case's row of the parity table.
    pub fn official_scenario(&self) -> Option<&str> {
        match &self.body {
            CaseBody::Client(run) => run.scenario.as_deref(),
            CaseBody::Steps(_) => {
                super::official_scenarios::authorization_server_scenario_of(self.id())
            }
        }
    }

    /// The extension the case belongs to; `None` for the core protocol's cases.
    pub fn extension(&self) -> Option<Extension> {
        self.file.extension.as_ref().map(|e| e.value)
    }

    pub fn applies_to(&self, revision: Revision, profile: Profile) -> bool {
        self.file.revisions.contains(&revision)
            && (self.file.profiles.is_empty() || self.file.profiles.contains(&profile))
    }
}

/// Parses and validates one case file. `path` is the file's path as shown to the user and
/// must end in `<role>/<area>/<name>.yaml`.
pub fn parse_case(text: &str, path: &str, catalog: &Catalog) -> Result<Case, Vec<Diagnostic>> {
    let mut file: CaseFile = serde_saphyr::from_str_with_options(text, case_file_options())
        .map_err(|e| {
            vec![Diagnostic::from_yaml_error_within(
                path,
                text,
                &e,
                &case_file_budget(),
            )]
        })?;
    let mut v = Validator {
        path,
        text,
        diagnostics: Vec::new(),
        used: BTreeSet::new(),
    };
    let (role, area) = v.check_id(&file);
    let requirement = v.check_requirement(&file, role, catalog);
    let defect = v.check_defect(&file, role);
    v.check_revisions(&file, requirement.as_ref());
    v.check_extension(&file, requirement.as_ref());
    let body = match role {
        Some(Role::Client) => v.check_client(&mut file).map(CaseBody::Client),
        Some(other) => {
            if let Some(client) = &file.client {
                let first = client
                    .expect
                    .first()
                    .map(|e| (e.referenced.line(), e.referenced.column()));
                v.at_line(
                    first,
                    format!("`client:` belongs to client cases, not {other} cases"),
                    Some("server and authorization-server cases use `steps`".into()),
                );
            }
            v.check_steps(&mut file, other).map(CaseBody::Steps)
        }
        None => None,
    };
    match (role, requirement, defect, body) {
        (Some(role), Some(requirement), Some(defect), Some(body)) if v.diagnostics.is_empty() => {
            Ok(Case {
                file,
                body,
                path: path.to_string(),
                role,
                area: area.unwrap_or_default(),
                defect,
                requirement,
                uses: v.used,
            })
        }
        _ => Err(v.diagnostics),
    }
}

pub(super) struct Validator<'a> {
    path: &'a str,
    text: &'a str,
    diagnostics: Vec<Diagnostic>,
    used: BTreeSet<String>,
}

impl Validator<'_> {
    pub(super) fn at<T>(
        &mut self,
        span: &Spanned<T>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let loc = span.referenced;
        let mut d = Diagnostic::new(self.path, self.text, loc.line(), loc.column(), message);
        d.hint = hint;
        self.diagnostics.push(d);
    }

    pub(super) fn at_line(
        &mut self,
        location: Option<(u64, u64)>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let (line, col) = location.unwrap_or((1, 1));
        let mut d = Diagnostic::new(self.path, self.text, line, col, message);
        d.hint = hint;
        self.diagnostics.push(d);
    }

    /// The id must be `<role>/<area>/<name>` and match the file's place under `cases/`.
    fn check_id(&mut self, file: &CaseFile) -> (Option<Role>, Option<String>) {
        let id = &file.id.value;
        let parts: Vec<&str> = id.split('/').collect();
        if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
            self.at(
                &file.id,
                format!("case id `{id}` is not of the form <role>/<area>/<name>"),
                None,
            );
            return (None, None);
        }
        let expected_suffix = format!("{id}.yaml");
        let normalized = self.path.replace('\\', "/");
        if !normalized.ends_with(&format!("/{expected_suffix}")) && normalized != expected_suffix {
            self.at(
                &file.id,
                format!(
                    "case id `{id}` does not match the file's path `{}`",
                    self.path
                ),
                Some(format!(
                    "move the file to cases/{expected_suffix} or change the id"
                )),
            );
        }
        match parts[0].parse::<Role>() {
            Ok(role) => (Some(role), Some(parts[1].to_string())),
            Err(e) => {
                let hint = did_you_mean(parts[0], Role::ALL.iter().map(|r| r.as_str()))
                    .map(|m| format!("did you mean `{m}`?"));
                self.at(&file.id, e, hint);
                (None, None)
            }
        }
    }

    /// A case of an extension's requirement names the extension, and only such a case
    /// does; a client case of an extension runs one of its official scenarios, and only
    /// such a case names one (a client written for the official suite dispatches on it).
    fn check_extension(&mut self, file: &CaseFile, requirement: Option<&Requirement>) {
        let extension = file.extension.as_ref().map(|e| e.value);
        if let Some(req) = requirement {
            match (&file.extension, req.is_extension()) {
                (None, true) => self.at(
                    &file.requirement,
                    format!(
                        "requirement `{}` is an extension's, but the case names no extension",
                        req.id
                    ),
                    Some(format!(
                        "add `extension:` with one of: {}",
                        Extension::ALL
                            .iter()
                            .map(|e| e.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ),
                (Some(span), false) => self.at(
                    span,
                    format!(
                        "requirement `{}` belongs to the core protocol, not to extension `{}`",
                        req.id, span.value
                    ),
                    Some("remove `extension:` or cite the extension's requirement (EXT-…)".into()),
                ),
                _ => {}
            }
        }
        let Some(scenario) = file.client.as_ref().and_then(|c| c.scenario.as_ref()) else {
            return;
        };
        let of_scenario = Extension::of_scenario(&scenario.value);
        if of_scenario != extension {
            let message = match (of_scenario, extension) {
                (Some(of), _) => format!(
                    "scenario `{}` belongs to extension `{of}`; the case must name it in \
                     `extension:`",
                    scenario.value
                ),
                (None, Some(ext)) => format!(
                    "a case of extension `{ext}` runs one of its scenarios: {}",
                    ext.source().official_scenarios.join(", ")
                ),
                (None, None) => unreachable!("equal"),
            };
            self.at(scenario, message, None);
        }
    }

    fn check_requirement(
        &mut self,
        file: &CaseFile,
        role: Option<Role>,
        catalog: &Catalog,
    ) -> Option<Requirement> {
        let id = &file.requirement.value;
        let Some(req) = catalog.get(id) else {
            let hint = did_you_mean(id, catalog.ids())
                .map(|m| format!("did you mean `{m}`?"))
                .or_else(|| Some("requirement IDs are listed in catalog/requirements.yaml".into()));
            self.at(
                &file.requirement,
                format!("unknown requirement `{id}`"),
                hint,
            );
            return None;
        };
        if let Some(role) = role {
            // A server case also judges the authorization server the server points to
            // (its metadata reached through PRM), so it may cite AS requirements.
            let allowed =
                req.role == role || (role == Role::Server && req.role == Role::AuthorizationServer);
            if !allowed {
                self.at(
                    &file.requirement,
                    format!(
                        "requirement `{id}` is a {} requirement, but this is a {role} case",
                        req.role
                    ),
                    None,
                );
            }
        }
        self.check_clause(file, req);
        self.check_level(file, req);
        Some(req.clone())
    }

    /// A case judges at the level of the rule it covers: its clause's, else its
    /// requirement's. A stricter case would fail what the text only recommends; a laxer
    /// one would warn where the text requires.
    fn check_level(&mut self, file: &CaseFile, req: &Requirement) {
        let clause = file.clause.as_ref().and_then(|k| req.clause(&k.value));
        let (expected, of) = match clause {
            Some(c) => (c.level.unwrap_or(req.level), format!("clause `{}`", c.key)),
            None => (req.level, format!("requirement `{}`", req.id)),
        };
        if file.level != expected {
            self.at(
                &file.requirement,
                format!("the case's level is {}, but {of} is {expected}", file.level),
                Some(format!(
                    "set `level: {expected}`, or give the clause its own `level:` in the catalog"
                )),
            );
        }
    }

    /// A case of a requirement split into clauses names the one it covers; a case of an
    /// unsplit requirement names none.
    fn check_clause(&mut self, file: &CaseFile, req: &Requirement) {
        let keys = || req.clauses.iter().map(|c| c.key.as_str());
        match &file.clause {
            None if !req.clauses.is_empty() => self.at(
                &file.requirement,
                format!(
                    "requirement `{}` is split into clauses: name the one this case covers",
                    req.id
                ),
                Some(format!(
                    "add `clause: <key>` with one of: {}",
                    keys().collect::<Vec<_>>().join(", ")
                )),
            ),
            None => {}
            Some(clause) if req.clauses.is_empty() => self.at(
                clause,
                format!("requirement `{}` has no clauses", req.id),
                Some("remove `clause:`, or split the requirement in the catalog".into()),
            ),
            Some(clause) => match req.clause(&clause.value) {
                None => {
                    let hint = did_you_mean(&clause.value, keys())
                        .map(|m| format!("did you mean `{m}`?"))
                        .or_else(|| {
                            Some(format!(
                                "its clauses: {}",
                                keys().collect::<Vec<_>>().join(", ")
                            ))
                        });
                    self.at(
                        clause,
                        format!("requirement `{}` has no clause `{}`", req.id, clause.value),
                        hint,
                    );
                }
                Some(c) => {
                    let outside: Vec<&str> = file
                        .revisions
                        .iter()
                        .filter(|r| !c.applies_to(**r))
                        .map(|r| r.as_str())
                        .collect();
                    if !outside.is_empty() {
                        self.at(
                            clause,
                            format!(
                                "clause `{}` of `{}` does not apply to {}",
                                c.key,
                                req.id,
                                outside.join(", ")
                            ),
                            Some("narrow the case's `revisions:`".into()),
                        );
                    }
                }
            },
        }
    }

    fn check_defect(&mut self, file: &CaseFile, role: Option<Role>) -> Option<DefectRef> {
        let name = &file.defect.value;
        let (parsed, known, listing): (Result<DefectRef, String>, Vec<&str>, &str) = match role? {
            Role::Server => (
                name.parse::<ServerDefect>().map(DefectRef::Server),
                ServerDefect::ALL.iter().map(|d| d.name()).collect(),
                "`mcp-authspec list --defects` lists the reference server's defects",
            ),
            Role::AuthorizationServer => (
                name.parse::<IdpDefect>().map(DefectRef::Idp),
                IdpDefect::ALL.iter().map(|d| d.name()).collect(),
                "`mcp-authspec list --idp-defects` lists the mock IdP's defects",
            ),
            Role::Client => (
                name.parse::<ClientDefect>().map(DefectRef::Client),
                ClientDefect::ALL.iter().map(|d| d.name()).collect(),
                "`mcp-authspec list --client-defects` lists the reference client's defects",
            ),
        };
        match parsed {
            Ok(d) => Some(d),
            Err(e) => {
                let hint = did_you_mean(name, known)
                    .map(|m| format!("did you mean `{m}`?"))
                    .or_else(|| Some(listing.into()));
                self.at(&file.defect, e, hint);
                None
            }
        }
    }

    fn check_revisions(&mut self, file: &CaseFile, req: Option<&Requirement>) {
        if file.revisions.is_empty() {
            self.at(
                &file.id,
                "`revisions` is empty: the case would never run",
                None,
            );
        }
        let Some(req) = req else { return };
        for r in &file.revisions {
            if !req.revisions.contains(r) {
                self.at(
                    &file.requirement,
                    format!("requirement `{}` does not apply to revision {r}", req.id),
                    Some(format!(
                        "it applies to {}",
                        req.revisions
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
        }
    }

    /// Checks the steps and moves them, typed, out of the file.
    fn check_steps(&mut self, file: &mut CaseFile, role: Role) -> Option<Vec<Step>> {
        let written = std::mem::take(&mut file.steps);
        if written.is_empty() {
            self.at(&file.id, "the case has no steps", None);
            return None;
        }
        let builtins = builtin_variables(role);
        let mut defined: BTreeSet<String> = builtins.iter().map(|(n, _)| n.to_string()).collect();
        let mut optional: BTreeSet<String> = BTreeSet::new();
        let mut checks = 0;
        let count = written.len();
        let mut steps = Vec::new();
        for (i, step) in written.into_iter().enumerate() {
            let label = step.label(i);
            let send = self.typed_request(&step.send, &label);
            self.check_request(&step.send, &label, &defined, &optional);
            for e in step.when.iter().chain(&step.control).chain(&step.expect) {
                self.check_expectation(e, &label, &defined, StepQuery::variable);
            }
            checks += step.expect.len() + step.capture.len();
            for (name, query) in &step.capture {
                if let Some(var) = query.value.variable() {
                    if !defined.contains(var) {
                        self.at(
                            query,
                            format!("{label}: capture `{name}` reads undefined variable `{var}`"),
                            None,
                        );
                    }
                }
                if builtins.iter().any(|(b, _)| b == name) {
                    self.at(
                        query,
                        format!("{label}: `{name}` is a built-in variable and cannot be captured"),
                        None,
                    );
                }
                defined.insert(name.clone());
            }
            for (name, query) in &step.capture_if_present {
                if defined.contains(name) || optional.contains(name) {
                    self.at(query, format!("{label}: `{name}` is already defined"), None);
                }
                optional.insert(name.clone());
            }
            steps.extend(send.map(|send| typed_step(step, send)));
        }
        if checks == 0 {
            self.at(
                &file.id,
                "the case checks nothing: add an `expect` or a `capture`",
                None,
            );
        }
        // Every step typed, or diagnostics say why not.
        (steps.len() == count).then_some(steps)
    }

    /// The request as one of its shapes; `None`, with a diagnostic per problem at its
    /// `send:` value, when it means nothing.
    fn typed_request(
        &mut self,
        send: &Spanned<WrittenRequest>,
        label: &str,
    ) -> Option<StepRequest> {
        match StepRequest::try_from(send.value.clone()) {
            Ok(typed) => Some(typed),
            Err(problems) => {
                for p in problems {
                    self.at_line(
                        Some(location_of(send)),
                        format!("{label}: {}", p.message),
                        p.hint.map(String::from),
                    );
                }
                None
            }
        }
    }

    fn check_request(
        &mut self,
        send: &Spanned<WrittenRequest>,
        label: &str,
        defined: &BTreeSet<String>,
        optional: &BTreeSet<String>,
    ) {
        let req = &send.value;
        // Problems of the request as a whole point at its `send:` value; its shape is
        // checked when it is typed (`typed_step`).
        let send_loc = Some(location_of(send));
        // An authorization request goes to the authorization endpoint by default.
        if req.authorize.is_some() && req.url.is_none() && req.first_of.is_none() {
            self.used.insert("authorization_endpoint".into());
        }
        // A fixture message names the primitive the target declared (`server --config`).
        if let Some(var) = req.mcp.and_then(McpMessage::fixture_variable) {
            self.used.insert(var.into());
        }
        // Optional captures are usable in `first_of` candidates (skipped while unset) and
        // headers (left out while unset) only.
        let with_optional: BTreeSet<String> = defined.union(optional).cloned().collect();
        let optional_fields = req
            .form
            .iter()
            .chain(req.authorize.iter())
            .flat_map(|m| m.values());
        for t in req
            .first_of
            .iter()
            .flatten()
            .chain(req.headers.values())
            .chain(optional_fields)
        {
            self.check_template(t, label, &with_optional, send_loc);
        }
        let mut templates: Vec<Template> = Vec::new();
        templates.extend(req.url.iter().cloned());
        templates.extend(req.body.iter().cloned());
        templates.extend(req.bearer.iter().cloned());
        if let Some(CookieUse::JarReplacing(edit)) = &req.cookies {
            templates.extend([edit.from.clone(), edit.to.clone()]);
        }
        if let Some(call) = &req.call_tool {
            templates.push(call.name.clone());
            templates.extend(call.request_state.iter().cloned());
            templates.extend(call.input_responses.iter().cloned());
        }
        if let Some(j) = &req.json {
            templates.extend(json_templates(j));
        }
        for claim in req.token.iter().filter_map(|t| t.mint.as_ref()) {
            for value in claim.claims.values() {
                templates.extend(json_templates(value));
            }
        }
        for t in templates {
            self.check_template(&t, label, defined, send_loc);
        }
    }

    /// `variable` names the variable the query reads, if it reads one.
    pub(super) fn check_expectation<Q>(
        &mut self,
        spanned: &Spanned<Expectation<Q>>,
        label: &str,
        defined: &BTreeSet<String>,
        variable: fn(&Q) -> Option<&str>,
    ) {
        let e = &spanned.value;
        let loc = Some(location_of(spanned));
        if let Some(var) = variable(&e.query) {
            self.used.insert(var.to_string());
            if !defined.contains(var) {
                self.at_line(
                    loc,
                    format!("{label}: query reads undefined variable `{var}`"),
                    None,
                );
            }
        }
        if let Some(err) = e.is.pattern_error() {
            self.at_line(
                loc,
                format!("{label}: invalid regular expression: {err}"),
                None,
            );
        }
        for t in e.is.templates() {
            self.check_template(&t, label, defined, loc);
        }
    }

    fn check_template(
        &mut self,
        t: &Template,
        label: &str,
        defined: &BTreeSet<String>,
        fallback: Option<(u64, u64)>,
    ) {
        let loc = t.location.or(fallback);
        if let Some(err) = t.parse_error() {
            self.at_line(loc, format!("{label}: {err}"), None);
            return;
        }
        self.used
            .extend(t.variables().into_iter().map(String::from));
        for var in t.variables() {
            if !defined.contains(var) {
                let hint = did_you_mean(var, defined.iter().map(String::as_str))
                    .map(|m| format!("did you mean `{m}`?"))
                    .or_else(|| {
                        Some(format!(
                            "defined here: {}",
                            defined.iter().cloned().collect::<Vec<_>>().join(", ")
                        ))
                    });
                self.at_line(
                    loc,
                    format!(
                        "{label}: template `{}` uses undefined variable `{var}`",
                        t.raw()
                    ),
                    hint,
                );
            }
        }
    }
}

/// The step with its typed request, its spans dropped (they served the diagnostics).
fn typed_step(step: WrittenStep, send: StepRequest) -> Step {
    let unspan = |v: Vec<Spanned<Expectation<StepQuery>>>| v.into_iter().map(|e| e.value).collect();
    let unspan_captures = |m: std::collections::BTreeMap<String, Spanned<StepQuery>>| {
        m.into_iter().map(|(name, q)| (name, q.value)).collect()
    };
    Step {
        name: step.name,
        send,
        when: unspan(step.when),
        control: unspan(step.control),
        expect: unspan(step.expect),
        capture: unspan_captures(step.capture),
        capture_if_present: unspan_captures(step.capture_if_present),
    }
}

/// 1-based line and column of a spanned value.
fn location_of<T>(s: &Spanned<T>) -> (u64, u64) {
    (s.referenced.line(), s.referenced.column())
}
